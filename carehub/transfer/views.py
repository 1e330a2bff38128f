"""Admin pages to import the registry from a spreadsheet and download it as one; the form's
second button hands a file too large to check and write within a request to a worker, whose
task page shows the counts or every problem."""

from __future__ import annotations

import io
from pathlib import PurePath

from flask import Blueprint, abort, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from carehub.core import audit
from carehub.core.enums import Role
from carehub.core.permissions import roles_required
from carehub.extensions import db
from carehub.registry.exports import FORMATS, MIMETYPES, export_bytes
from carehub.registry.imports import ENTITIES, ImportResult, run_import
from carehub.transfer.forms import LABELS, ImportForm
from carehub.transfer.tasks import IMPORT_TASK, KIND
from carehub.worker import records

bp = Blueprint("transfer", __name__)


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


@bp.route("/import/background", methods=["POST"])
@roles_required(Role.ADMIN)
def import_background() -> ResponseReturnValue:
    form = ImportForm()
    if not form.validate_on_submit():
        page = render_template(
            "transfer/index.html", form=form, result=None, labels=LABELS, formats=FORMATS
        )
        return page, 422
    upload = form.file.data
    filename = PurePath(upload.filename or "upload.csv").name
    task = records.start(
        KIND,
        filename,
        IMPORT_TASK,
        form.entity.data,
        bool(form.dry_run.data),
        user_id=current_user.id,
        upload=(filename, upload.read()),
    )
    return redirect(url_for("tasks.page", task_id=task.id), code=303)
