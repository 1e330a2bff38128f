"""Caregivers: their station, skills, working weekdays and shift."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from carehub.core.enums import TravelMode
from carehub.registry.imports.entity import Entity, Report, codes, coordinates, lookup, ordered
from carehub.registry.imports.fields import (
    GENDER,
    TRAVEL_MODE,
    Clock,
    CodeList,
    Column,
    Decimal,
    Text,
    Weekdays,
    Whole,
)
from carehub.registry.models import Caregiver, Skill, Station


class Caregivers(Entity):
    name = "caregivers"
    model = Caregiver
    columns = (
        Column("code", Text(40)),
        Column("name", Text(80)),
        Column("gender", GENDER),
        Column("phone", Text(40), blank=""),
        Column("station_code", Text(40), attr=None, source=lambda c: c.station.code),
        Column("skills", CodeList(), blank=(), attr=None, source=lambda c: c.skill_codes),
        Column("weekdays", Weekdays(), attr="weekdays_mask"),
        Column("shift_start", Clock()),
        Column("shift_end", Clock()),
        Column("travel_mode", TRAVEL_MODE, blank=TravelMode.EBIKE),
        Column("home_lat", Decimal(), required=False, blank=None),
        Column("home_lon", Decimal(), required=False, blank=None),
        Column("max_work_minutes", Whole(1, 24 * 60), required=False, blank=None),
        Column("lunch_start", Clock(), required=False, blank=None),
        Column("lunch_end", Clock(), required=False, blank=None),
        Column("lunch_minutes", Whole(1, 4 * 60), required=False, blank=None),
    )

    def load(self) -> None:
        self.stations = codes(self.session, Station)
        skills = self.session.scalars(select(Skill)).all()
        # A skill may be written as its code or its Chinese name.
        self.skills = {s.name_zh: s for s in skills} | {s.code: s for s in skills}

    def resolve(self, values: dict[str, Any], report: Report) -> dict[str, Any]:
        attrs = super().resolve(values, report)
        code = values["station_code"]
        unknown = _("Unknown station: %(code)s", code=code)
        attrs["station_id"] = lookup(self.stations, code, "station_code", unknown, report)
        if "skills" in values:
            attrs["skills"] = []
            for skill in values["skills"]:
                if skill in self.skills:
                    attrs["skills"].append(self.skills[skill])
                else:
                    report("skills", _("Unknown skill: %(code)s", code=skill))
        coordinates(values, "home_lat", "home_lon", report)
        ordered(values, "shift_start", "shift_end", report)
        lunch(values, report)
        return attrs

    def same(self, obj: Any, attr: str, value: Any) -> bool:
        if attr == "skills":
            return {s.id for s in obj.skills} == {s.id for s in value}
        return super().same(obj, attr, value)


LUNCH = ("lunch_start", "lunch_end", "lunch_minutes")


def lunch(values: dict[str, Any], report: Report) -> None:
    """A lunch break is all three cells or none, fits its window, and lies inside the shift."""
    given = [values.get(c) is not None for c in LUNCH]
    if not any(given):
        return
    if not all(given):
        missing = LUNCH[given.index(False)]
        report(missing, _("Give lunch_start, lunch_end and lunch_minutes together"))
        return
    start, end, minutes = (values[c] for c in LUNCH)
    if end <= start:
        report(
            "lunch_end",
            _("%(end)s must be later than %(start)s", end="lunch_end", start="lunch_start"),
        )
        return
    if _minutes(start, end) < minutes:
        report("lunch_minutes", _("The lunch break does not fit its window"))
    shift_start, shift_end = values.get("shift_start"), values.get("shift_end")
    if shift_start is not None and start < shift_start:
        report("lunch_start", _("The lunch window must lie inside the shift"))
    if shift_end is not None and end > shift_end:
        report("lunch_end", _("The lunch window must lie inside the shift"))


def _minutes(start: dt.time, end: dt.time) -> int:
    return (end.hour - start.hour) * 60 + end.minute - start.minute
