"""Admin forms for the registry. Each form checks its own fields and hands ``values()``,
keyed by model attribute, to the services."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    Field,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import TextInput, TimeInput

from carehub.core import weekdays
from carehub.core.enums import CareLevel, ElderStatus, Gender, Hardship, TravelMode, choices
from carehub.extensions import db
from carehub.geo.travel import in_china
from carehub.registry.models import DEFAULT_MEALS_READY, Kitchen, Skill, Station

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_CODE = Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", message=_l("Use letters, digits, '-', '_' or '.' only.")
)
_BLANK = ("", "—")


class ClockField(Field):
    """A wall-clock time typed as HH:MM (24-hour)."""

    widget = TimeInput()
    data: dt.time | None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.data.strftime("%H:%M") if self.data else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0]).strip() if valuelist else ""
        self.data = None
        if not text:
            return
        match = _CLOCK.match(text)
        if not match:
            raise ValueError(_l("Enter a time as HH:MM, for example 08:30."))
        self.data = dt.time(int(match.group(1)), int(match.group(2)))


class YuanField(Field):
    """Money typed in yuan, kept as integer fen. Decimal, not float, so 0.29 stays 29 fen."""

    widget = TextInput()
    data: int | None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return f"{self.data // 100}.{self.data % 100:02d}"

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0]).strip().replace(",", "").replace("，", "") if valuelist else ""
        self.data = None
        if not text:
            return
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(_l("Enter an amount in yuan, for example 30 or 12.50.")) from None
        if not amount.is_finite() or amount < 0:
            raise ValueError(_l("Enter an amount in yuan, for example 30 or 12.50."))
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError(_l("Use at most two decimal places."))
        if amount >= 10_000_000:
            raise ValueError(_l("The amount is too large."))
        self.data = int(amount * 100)


class WeekdaysField(Field):
    """Weekdays as numbers, Monday = 1: ``1-5``, ``1;3;5``, ``1-3;6``."""

    widget = TextInput()
    data: int | None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return weekdays.format_mask(self.data) if self.data else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0]) if valuelist else ""
        self.data = None
        if not text.strip():
            return
        try:
            self.data = weekdays.parse(text)
        except weekdays.WeekdayError:
            raise ValueError(
                _l("Enter weekdays as numbers 1-7 (Monday = 1), for example 1-5 or 1;3;5.")
            ) from None


def _int_or_none(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)


def _text(value: str | None) -> str:
    return (value or "").strip()


def _text_or_none(value: str | None) -> str | None:
    return _text(value) or None


def _station_choices(blank: bool) -> list[tuple[Any, str]]:
    rows = db.session.scalars(select(Station).order_by(Station.code))
    found: list[tuple[Any, str]] = [(s.id, str(s)) for s in rows]
    return [_BLANK, *found] if blank else found


def _skill_choices(blank: bool) -> list[tuple[Any, str]]:
    english = str(get_locale() or "zh").startswith("en")
    rows = db.session.scalars(select(Skill).order_by(Skill.code))
    found: list[tuple[Any, str]] = [(s.id, s.name_en if english else s.name_zh) for s in rows]
    return [_BLANK, *found] if blank else found


def _check_point(lat: Field, lon: Field, required: bool) -> bool:
    """Both coordinates or neither, and inside China (swapped lat/lon land outside it)."""
    if lat.errors or lon.errors:
        return False
    if lat.data is None and lon.data is None:
        if required:
            lat.errors.append(_l("Enter the coordinates."))
            return False
        return True
    if lat.data is None or lon.data is None:
        (lat if lat.data is None else lon).errors.append(_l("Enter both latitude and longitude."))
        return False
    if not in_china(lat.data, lon.data):
        lat.errors.append(
            _l(
                "These coordinates are outside China. Check that latitude and longitude are not swapped."
            )
        )
        return False
    return True


def _check_order(start: ClockField, end: ClockField, required: bool) -> bool:
    if start.errors or end.errors:
        return False
    if start.data is None and end.data is None and not required:
        return True
    if start.data is None or end.data is None:
        (start if start.data is None else end).errors.append(_l("Enter both times."))
        return False
    if end.data <= start.data:
        end.errors.append(_l("The end must be after the start."))
        return False
    return True


def _kitchen_choices() -> list[tuple[Any, str]]:
    rows = db.session.scalars(select(Kitchen).order_by(Kitchen.code))
    own = ("", _l("The station's own canteen"))
    return [own, *((k.id, str(k)) for k in rows)]


class KitchenForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40), _CODE])
    name = StringField(_l("Kitchen name"), validators=[DataRequired(), Length(max=120)])
    address = StringField(_l("Address"), validators=[Length(max=255)])
    lat = FloatField(_l("Latitude"), validators=[Optional()])
    lon = FloatField(_l("Longitude"), validators=[Optional()])
    ready_at = ClockField(
        _l("Meals ready at"), default=DEFAULT_MEALS_READY, validators=[InputRequired()]
    )

    def validate(self, extra_validators: Any = None) -> bool:
        fields_ok = super().validate(extra_validators)
        return _check_point(self.lat, self.lon, required=True) and fields_ok

    def values(self) -> dict[str, Any]:
        return {
            "code": _text(self.code.data),
            "name": _text(self.name.data),
            "address": _text(self.address.data),
            "lat": self.lat.data,
            "lon": self.lon.data,
            "ready_at": self.ready_at.data,
        }


class StationForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40), _CODE])
    name = StringField(_l("Station name"), validators=[DataRequired(), Length(max=120)])
    district = StringField(_l("District"), validators=[Length(max=60)])
    address = StringField(_l("Address"), validators=[Length(max=255)])
    lat = FloatField(_l("Latitude"), validators=[Optional()])
    lon = FloatField(_l("Longitude"), validators=[Optional()])
    circle_minutes = IntegerField(
        _l("Service circle (minutes)"),
        default=15,
        validators=[InputRequired(), NumberRange(1, 120)],
    )
    phone = StringField(_l("Phone"), validators=[Length(max=40)])
    provider = StringField(_l("Service provider"), validators=[Length(max=120)])
    kitchen_id = SelectField(_l("Meals come from"), coerce=_int_or_none)
    meals_ready = ClockField(_l("Canteen meals ready at (default 10:45)"), validators=[Optional()])
    active = BooleanField(_l("In service"), default=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kitchen_id.choices = _kitchen_choices()

    def validate(self, extra_validators: Any = None) -> bool:
        fields_ok = super().validate(extra_validators)
        return _check_point(self.lat, self.lon, required=True) and fields_ok

    def values(self) -> dict[str, Any]:
        return {
            "code": _text(self.code.data),
            "name": _text(self.name.data),
            "district": _text(self.district.data),
            "address": _text(self.address.data),
            "lat": self.lat.data,
            "lon": self.lon.data,
            "circle_minutes": self.circle_minutes.data,
            "phone": _text_or_none(self.phone.data),
            "provider": _text_or_none(self.provider.data),
            "kitchen_id": self.kitchen_id.data,
            "meals_ready": self.meals_ready.data,
            "active": bool(self.active.data),
        }


class ElderForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40), _CODE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    gender = SelectField(_l("Gender"), choices=partial(choices, Gender))
    birth_date = DateField(_l("Date of birth"), validators=[Optional()])
    phone = StringField(_l("Phone"), validators=[Length(max=40)])
    address = StringField(_l("Address"), validators=[Length(max=255)])
    lat = FloatField(_l("Latitude"), validators=[Optional()])
    lon = FloatField(_l("Longitude"), validators=[Optional()])
    station_id = SelectField(_l("Station"), coerce=_int_or_none)
    care_level = SelectField(_l("Care level"), choices=partial(choices, CareLevel))
    care_level_assessed_on = DateField(_l("Care level assessed on"), validators=[Optional()])
    hardship = SelectField(_l("Hardship category"), choices=partial(choices, Hardship))
    status = SelectField(_l("Status"), choices=partial(choices, ElderStatus))
    status_since = DateField(_l("Status applies from"), validators=[Optional()])
    preferred_caregiver_gender = SelectField(
        _l("Preferred caregiver gender"), choices=lambda: [_BLANK, *choices(Gender)]
    )
    emergency_contact_name = StringField(_l("Emergency contact"), validators=[Length(max=80)])
    emergency_contact_phone = StringField(
        _l("Emergency contact phone"), validators=[Length(max=40)]
    )
    notes = TextAreaField(_l("Notes"), validators=[Length(max=2000)])
    diet_notes = StringField(
        _l("Dietary notes (e.g. 低盐, 软食, 清真)"), validators=[Length(max=120)]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.station_id.choices = _station_choices(blank=True)

    def validate(self, extra_validators: Any = None) -> bool:
        fields_ok = super().validate(extra_validators)
        return _check_point(self.lat, self.lon, required=False) and fields_ok

    def values(self) -> dict[str, Any]:
        return {
            "code": _text(self.code.data),
            "name": _text(self.name.data),
            "gender": Gender(self.gender.data),
            "birth_date": self.birth_date.data,
            "phone": _text(self.phone.data),
            "address": _text(self.address.data),
            "lat": self.lat.data,
            "lon": self.lon.data,
            "station_id": self.station_id.data,
            "care_level": CareLevel(self.care_level.data),
            "care_level_assessed_on": self.care_level_assessed_on.data,
            "hardship": Hardship(self.hardship.data),
            "status": ElderStatus(self.status.data),
            "preferred_caregiver_gender": (
                Gender(self.preferred_caregiver_gender.data)
                if self.preferred_caregiver_gender.data
                else None
            ),
            "emergency_contact_name": _text_or_none(self.emergency_contact_name.data),
            "emergency_contact_phone": _text_or_none(self.emergency_contact_phone.data),
            "notes": _text_or_none(self.notes.data),
            "diet_notes": _text_or_none(self.diet_notes.data),
        }


class CaregiverForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40), _CODE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    gender = SelectField(_l("Gender"), choices=partial(choices, Gender))
    phone = StringField(_l("Phone"), validators=[Length(max=40)])
    station_id = SelectField(_l("Station"), coerce=int)
    weekdays_mask = WeekdaysField(
        _l("Working weekdays"), default=0b0011111, validators=[InputRequired()]
    )
    shift_start = ClockField(_l("Shift start"), validators=[InputRequired()])
    shift_end = ClockField(_l("Shift end"), validators=[InputRequired()])
    max_work_minutes = IntegerField(
        _l("Most working minutes a day"), validators=[Optional(), NumberRange(1, 24 * 60)]
    )
    lunch_start = ClockField(_l("Lunch window start"), validators=[Optional()])
    lunch_end = ClockField(_l("Lunch window end"), validators=[Optional()])
    lunch_minutes = IntegerField(
        _l("Lunch break minutes"), validators=[Optional(), NumberRange(1, 4 * 60)]
    )
    travel_mode = SelectField(_l("Travels by"), choices=partial(choices, TravelMode))
    home_lat = FloatField(_l("Home latitude"), validators=[Optional()])
    home_lon = FloatField(_l("Home longitude"), validators=[Optional()])
    skill_ids = SelectMultipleField(_l("Skills"), coerce=int)
    active = BooleanField(_l("In service"), default=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.station_id.choices = _station_choices(blank=False)
        self.skill_ids.choices = _skill_choices(blank=False)

    def validate(self, extra_validators: Any = None) -> bool:
        fields_ok = super().validate(extra_validators)
        point_ok = _check_point(self.home_lat, self.home_lon, required=False)
        order_ok = _check_order(self.shift_start, self.shift_end, required=True)
        lunch_ok = self._check_lunch(order_ok)
        return fields_ok and point_ok and order_ok and lunch_ok

    def _check_lunch(self, shift_ok: bool) -> bool:
        """All three lunch fields or none; the break fits its window, inside the shift."""
        start, end, minutes = self.lunch_start, self.lunch_end, self.lunch_minutes
        if start.errors or end.errors or minutes.errors:
            return False
        given = [f.data is not None for f in (start, end, minutes)]
        if not any(given):
            return True
        if not all(given):
            missing = (start, end, minutes)[given.index(False)]
            missing.errors.append(_l("Give the lunch window and its minutes together."))
            return False
        if not _check_order(start, end, required=True):
            return False
        first, last = start.data, end.data
        assert first is not None and last is not None
        if minutes.data > (last.hour - first.hour) * 60 + last.minute - first.minute:
            minutes.errors.append(_l("The lunch break does not fit its window."))
            return False
        on, off = self.shift_start.data, self.shift_end.data
        if shift_ok and on is not None and off is not None and (first < on or last > off):
            end.errors.append(_l("The lunch window must lie inside the shift."))
            return False
        return True

    def values(self) -> dict[str, Any]:
        return {
            "code": _text(self.code.data),
            "name": _text(self.name.data),
            "gender": Gender(self.gender.data),
            "phone": _text(self.phone.data),
            "station_id": self.station_id.data,
            "weekdays_mask": self.weekdays_mask.data,
            "shift_start": self.shift_start.data,
            "shift_end": self.shift_end.data,
            "max_work_minutes": self.max_work_minutes.data,
            "lunch_start": self.lunch_start.data,
            "lunch_end": self.lunch_end.data,
            "lunch_minutes": self.lunch_minutes.data,
            "travel_mode": TravelMode(self.travel_mode.data),
            "home_lat": self.home_lat.data,
            "home_lon": self.home_lon.data,
            "active": bool(self.active.data),
        }


class ServiceTypeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40), _CODE])
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=80)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=80)])
    duration_min = IntegerField(
        _l("Duration (minutes)"), validators=[InputRequired(), NumberRange(1, 24 * 60)]
    )
    price_fen = YuanField(_l("Price (yuan)"), validators=[InputRequired()])
    skill_id = SelectField(_l("Required skill"), coerce=_int_or_none)
    caregivers_needed = IntegerField(
        _l("Caregivers needed"), default=1, validators=[InputRequired(), NumberRange(1, 5)]
    )
    window_start = ClockField(_l("Earliest start"))
    window_end = ClockField(_l("Latest end"))
    priority = IntegerField(
        _l("Priority (1 = most urgent)"), default=3, validators=[InputRequired(), NumberRange(1, 5)]
    )
    min_visit_percent = IntegerField(
        _l("Shortest verified visit (percent of the duration; empty: the subsidy rule's)"),
        validators=[Optional(), NumberRange(0, 100)],
    )
    active = BooleanField(_l("In service"), default=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.skill_id.choices = _skill_choices(blank=True)

    def validate(self, extra_validators: Any = None) -> bool:
        fields_ok = super().validate(extra_validators)
        return _check_order(self.window_start, self.window_end, required=False) and fields_ok

    def values(self) -> dict[str, Any]:
        return {
            "code": _text(self.code.data),
            "name_zh": _text(self.name_zh.data),
            "name_en": _text(self.name_en.data),
            "duration_min": self.duration_min.data,
            "price_fen": self.price_fen.data,
            "skill_id": self.skill_id.data,
            "caregivers_needed": self.caregivers_needed.data,
            "window_start": self.window_start.data,
            "window_end": self.window_end.data,
            "priority": self.priority.data,
            "min_visit_percent": self.min_visit_percent.data,
            "active": bool(self.active.data),
        }
