"""Forms for the dispatcher's intake pages: a phone request, a care plan, a generation range."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from carehub.core import weekdays
from carehub.extensions import db
from carehub.registry.forms import ClockField
from carehub.registry.models import ServiceType


def _service_choices() -> list[tuple[int, str]]:
    rows = db.session.scalars(
        select(ServiceType).where(ServiceType.active.is_(True)).order_by(ServiceType.code)
    )
    locale = str(get_locale() or "zh")
    return [(row.id, row.display_name(locale)) for row in rows]


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _note(value: str | None) -> str | None:
    return (value or "").strip() or None


class RequestForm(FlaskForm):
    service_type_id = SelectField(_l("Service"), coerce=_int_or_none, validators=[InputRequired()])
    service_date = DateField(_l("Date"), validators=[InputRequired()])
    window_start = ClockField(
        _l("Window start"),
        description=_l("Leave both times blank to use the service's usual window."),
    )
    window_end = ClockField(_l("Window end"))
    priority = IntegerField(
        _l("Priority (1 = most urgent)"),
        validators=[Optional(), NumberRange(1, 5)],
        description=_l("Leave blank to use the service's usual priority."),
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    confirm = BooleanField(_l("Add it even though the elder already has this service that day"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service_type_id.choices = _service_choices()


class CarePlanForm(FlaskForm):
    service_type_id = SelectField(_l("Service"), coerce=_int_or_none, validators=[InputRequired()])
    weekdays = StringField(
        _l("Weekdays"),
        validators=[InputRequired()],
        description=_l("Monday = 1 … Sunday = 7, for example 1-5 or 1;3;5"),
    )
    window_start = ClockField(_l("Window start"), validators=[InputRequired()])
    window_end = ClockField(_l("Window end"), validators=[InputRequired()])
    start_date = DateField(_l("From"), validators=[InputRequired()])
    end_date = DateField(_l("To"), validators=[Optional()], description=_l("Blank: open-ended"))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service_type_id.choices = _service_choices()

    def validate_weekdays(self, field: StringField) -> None:
        try:
            weekdays.parse(field.data or "")
        except weekdays.WeekdayError as exc:
            raise ValidationError(_l("Use weekday numbers 1-7, for example 1-5 or 1;3;5.")) from exc

    def validate_window_end(self, field: ClockField) -> None:
        start = self.window_start.data
        if start is not None and field.data is not None and field.data <= start:
            raise ValidationError(_l("The end must be after the start."))

    def values(self) -> dict[str, Any]:
        return {
            "service_type_id": self.service_type_id.data,
            "weekdays_mask": weekdays.parse(self.weekdays.data or ""),
            "window_start": self.window_start.data,
            "window_end": self.window_end.data,
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "note": _note(self.note.data),
        }


class EndPlanForm(FlaskForm):
    end_date = DateField(_l("Last day of the plan"), validators=[InputRequired()])


# A week or a month is what dispatchers plan ahead; more is almost surely a typing mistake.
MAX_GENERATE_DAYS = 31


class GenerateForm(FlaskForm):
    start = DateField(_l("From"), validators=[InputRequired()])
    end = DateField(_l("To"), validators=[InputRequired()])

    def validate_end(self, field: DateField) -> None:
        if self.start.data is None or field.data is None:
            return
        if field.data < self.start.data:
            raise ValidationError(_l("The end date must not be before the start date."))
        if (field.data - self.start.data).days + 1 > MAX_GENERATE_DAYS:
            raise ValidationError(_l("At most %(days)d days at a time.", days=MAX_GENERATE_DAYS))


def note_text(value: str | None) -> str | None:
    return _note(value)


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    return today, today + dt.timedelta(days=6)
