"""A small planned day for the move tests: two stations, three caregivers, four visits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from carehub.core.enums import VisitStatus
from carehub.core.time import local_to_utc
from carehub.dispatch.models import Visit
from carehub.registry.models import Caregiver, Station
from tests.builders import CENTRE, Builders

DAY = dt.date(2026, 11, 23)  # a Monday


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return local_to_utc(day, dt.time(hour, minute))


@dataclass
class District:
    home: Station
    other: Station
    a: Caregiver  # meal, holds v1 09:00 and v2 10:00
    b: Caregiver  # meal, holds v3 09:30
    c: Caregiver  # no meal skill, nothing planned
    far: Caregiver  # other station, meal
    v1: Visit
    v2: Visit
    v3: Visit


def district(make: Builders, day: dt.date = DAY) -> District:
    home = make.station(code="HOME")
    other = make.station(code="NEXT", lat=CENTRE[0] + 0.01, lon=CENTRE[1])
    a = make.caregiver(station=home, code="CGA", name="甲护理员", weekdays_mask=0b1111111)
    b = make.caregiver(station=home, code="CGB", name="乙护理员", weekdays_mask=0b1111111)
    c = make.caregiver(
        station=home, code="CGC", name="丙护理员", skills=("cleaning",), weekdays_mask=0b1111111
    )
    far = make.caregiver(station=other, code="CGF", name="丁护理员", weekdays_mask=0b1111111)
    # Quarter-hour visits needing the meal skill; not meal drops, which a kitchen round carries.
    meal = make.service_type("meal_help", duration_min=15, skill=make.skill("meal"))
    rows = []
    for i, (cg, start, seq) in enumerate(((a, 9, 1), (a, 10, 2), (b, 9.5, 1))):
        elder = make.elder(station=home, lat=CENTRE[0] + 0.001 * i, lon=CENTRE[1] + 0.001)
        req = make.request(
            elder=elder,
            service_type=meal,
            service_date=day,
            window_start=dt.time(8, 30),
            window_end=dt.time(12, 30),
        )
        h, m = int(start), int(start % 1 * 60)
        rows.append(
            make.visit(
                request=req,
                caregiver=cg,
                planned_start=at(h, m, day),
                planned_end=at(h, m + 15, day),
                route_seq=seq,
                status=VisitStatus.PLANNED,
            )
        )
    make.session.commit()
    return District(home, other, a, b, c, far, *rows)
