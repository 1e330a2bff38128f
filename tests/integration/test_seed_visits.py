"""The month-of-visits generator can be repeated without duplicating anything."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from carehub.dispatch.models import Visit
from carehub.subsidy.benchdata import generate
from carehub.subsidy.months import Month


def test_generating_a_month_twice_adds_nothing_the_second_time(db, make) -> None:  # type: ignore[no-untyped-def]
    station = make.station()
    make.caregiver(station=station, skills=("meal",))
    make.care_plan(elder=make.elder(station=station), start_date=dt.date(2026, 10, 1))
    first = generate(db.session, Month.parse("2026-10"))
    assert first > 0
    assert generate(db.session, Month.parse("2026-10")) == 0
    assert db.session.scalar(select(func.count(Visit.id))) == first
