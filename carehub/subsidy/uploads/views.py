"""Auditors upload visits recorded on another platform: the same file, columns and checks
as ``carehub import visits``, with a dry run that previews what would be filed."""

from __future__ import annotations

from pathlib import PurePath

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField

from carehub.core.permissions import roles_required
from carehub.extensions import db
from carehub.subsidy.uploads.services import COLUMNS, VisitImport, import_visits
from carehub.subsidy.views import AUDIT, bp

PREVIEW_ROWS = 20


class VisitUploadForm(FlaskForm):
    file = FileField(
        _l("Visits (.csv or .xlsx)"),
        validators=[
            FileRequired(_l("Choose a file to import")),
            FileAllowed(["csv", "xlsx"], _l("Only .csv and .xlsx files can be imported")),
        ],
    )
    dry_run = BooleanField(_l("Dry run: check the file and report, write nothing"), default=True)


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*AUDIT)
def upload():  # type: ignore[no-untyped-def]
    form = VisitUploadForm()
    result: VisitImport | None = None
    if form.validate_on_submit():
        upload = form.file.data
        filename = PurePath(upload.filename or "visits.csv").name
        result = import_visits(db.session, filename, upload.read(), dry_run=form.dry_run.data)
        if result.ok and not result.dry_run:
            db.session.commit()
        else:
            db.session.rollback()
    bad = bool(form.errors) or (result is not None and not result.ok)
    page = render_template(
        "subsidy/import.html",
        form=form,
        result=result,
        columns=COLUMNS,
        preview=result.visits[:PREVIEW_ROWS] if result else [],
    )
    return page, 422 if bad else 200
