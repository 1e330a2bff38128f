"""Account forms for administrators."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import Field, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from carehub.auth.models import User
from carehub.auth.services import MIN_PASSWORD, password_problem
from carehub.core.enums import Role, choices
from carehub.extensions import db
from carehub.registry.models import Caregiver, Station

_BLANK = ("", "—")
_LONG_ENOUGH = Length(
    min=MIN_PASSWORD, max=200, message=_l("Use between %(min)d and %(max)d characters.")
)


def _not_common(form: Any, field: Field) -> None:
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    display_name = StringField(_l("Display name"), validators=[Length(max=80)])
    role = SelectField(_l("Role"), choices=partial(choices, Role))
    caregiver_code = SelectField(_l("Linked caregiver"))
    station_code = SelectField(_l("Station scope"))
    password = PasswordField(_l("Password"), validators=[DataRequired(), _LONG_ENOUGH, _not_common])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        linked = select(User.caregiver_id).where(User.caregiver_id.is_not(None))
        free = db.session.scalars(
            select(Caregiver).where(Caregiver.id.not_in(linked)).order_by(Caregiver.code)
        )
        self.caregiver_code.choices = [_BLANK, *((c.code, str(c)) for c in free)]
        stations = db.session.scalars(select(Station).order_by(Station.code))
        self.station_code.choices = [_BLANK, *((s.code, str(s)) for s in stations)]
        self.caregiver_code.description = _l("Required for caregiver accounts.")
        self.station_code.description = _l(
            "Dispatchers only: limits them to one station. Leave empty for all stations."
        )

    def validate_username(self, field: Field) -> None:
        taken = db.session.scalar(select(User.id).where(User.username == field.data.strip()))
        if taken is not None:
            raise ValidationError(_l("This username is taken."))

    def validate_caregiver_code(self, field: Field) -> None:
        if self.role.data == Role.CAREGIVER and not field.data:
            raise ValidationError(_l("Choose the caregiver this account belongs to."))

    def validate_station_code(self, field: Field) -> None:
        if field.data and self.role.data != Role.DISPATCHER:
            raise ValidationError(_l("Only dispatchers can be limited to a station."))


class PasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), _LONG_ENOUGH, _not_common]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
