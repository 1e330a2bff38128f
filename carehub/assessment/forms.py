"""The assessment's signature fields, the override and the flag. The item scores are read
from the form definition the page was drawn from, not from fixed fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from carehub.core.enums import CareLevel, choices

PLACES = [("home", _l("At the elder's home")), ("office", _l("At the office"))]


class SignatureForm(FlaskForm):
    assessed_on = DateField(_l("Assessed on"), validators=[DataRequired()])
    place = SelectField(_l("Where"), choices=PLACES)
    signed_name = StringField(_l("Assessor's signature (full name)"), validators=[Length(max=80)])
    confirm = BooleanField(_l("I assessed this elder in person and these scores are mine"))


class OverrideForm(FlaskForm):
    care_level = SelectField(_l("Care level"), choices=lambda: choices(CareLevel))
    effective_from = DateField(_l("In force from"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)])


class FlagForm(FlaskForm):
    note = TextAreaField(_l("What changed"), validators=[Length(max=2000)])
