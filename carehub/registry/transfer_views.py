"""Admin pages to import the registry from a spreadsheet and download it as one."""

from __future__ import annotations

import io
from pathlib import PurePath

from flask import Blueprint, abort, render_template, send_file
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectField

from carehub.core import audit
from carehub.core.enums import Role
from carehub.core.permissions import roles_required
from carehub.extensions import db
from carehub.registry.exports import FORMATS, MIMETYPES, export_bytes
from carehub.registry.imports import ENTITIES, ImportResult, run_import

bp = Blueprint("transfer", __name__)

LABELS = {
    "stations": _l("Stations"),
    "elders": _l("Elders"),
    "caregivers": _l("Caregivers"),
    "service-types": _l("Service types"),
    "care-plans": _l("Care plans"),
}


class ImportForm(FlaskForm):
    entity = SelectField(_l("What the file holds"), choices=list(LABELS.items()))
    file = FileField(
        _l("Spreadsheet (.csv or .xlsx)"),
        validators=[
            FileRequired(_l("Choose a file to import")),
            FileAllowed(list(FORMATS), _l("Only .csv and .xlsx files can be imported")),
        ],
    )
    dry_run = BooleanField(_l("Dry run: check the file and report, write nothing"))


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    form = ImportForm()
    result: ImportResult | None = None
    if form.validate_on_submit():
        upload = form.file.data
        filename = PurePath(upload.filename or "upload.csv").name
        result = run_import(
            db.session,
            ENTITIES[form.entity.data],
            filename,
            upload.read(),
            dry_run=form.dry_run.data,
        )
        if result.ok and not result.dry_run:
            db.session.commit()
        else:
            db.session.rollback()
    return render_template(
        "transfer/index.html", form=form, result=result, labels=LABELS, formats=FORMATS
    )


@bp.route("/export/<entity>.<fmt>")
@roles_required(Role.ADMIN)
def export(entity: str, fmt: str) -> ResponseReturnValue:
    if entity not in ENTITIES or fmt not in FORMATS:
        abort(404)
    data = export_bytes(db.session, entity, fmt)
    # Who took personal data out, and which.
    audit.record(db.session, "export", entity, note=f"{entity}.{fmt}")
    db.session.commit()
    return send_file(
        io.BytesIO(data),
        mimetype=MIMETYPES[fmt],
        as_attachment=True,
        download_name=f"{entity}.{fmt}",
    )
