"""The import form and what each kind of file is called on the page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectField

from carehub.registry.exports import FORMATS

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
