"""The month-of-visits generator can be repeated without duplicating anything."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from carehub.dispatch.models import Visit
from carehub.seeding.visits import generate
from carehub.subsidy.months import Month


def test_generating_a_month_twice_adds_nothing_the_second_time(db, make) -> None:  # type: ignore[no-untyped-def]
    station = make.station()
    make.caregiver(station=station, skills=("meal",))
    make.care_plan(elder=make.elder(station=station), start_date=dt.date(2026, 10, 1))
    first = generate(db.session, Month.parse("2026-10"))
    assert first > 0
    assert generate(db.session, Month.parse("2026-10")) == 0
    assert db.session.scalar(select(func.count(Visit.id))) == first


def test_topping_up_reaches_the_visits_per_elder_without_tripping_the_rules(db, make) -> None:  # type: ignore[no-untyped-def]
    from carehub.core.enums import RequestOrigin
    from carehub.dispatch.models import ServiceRequest
    from carehub.subsidy.reconciliation.reconcile import reconcile

    station = make.station()
    make.caregiver(station=station, skills=("meal",))
    make.caregiver(station=station, skills=("meal",))
    planned = make.elder(station=station)
    make.care_plan(elder=planned, start_date=dt.date(2026, 10, 1))
    make.elder(station=station)
    october = Month.parse("2026-10")
    created = generate(db.session, october, visits_per_elder=20)
    assert created == 40
    assert generate(db.session, october, visits_per_elder=20) == 0
    origins = dict(
        db.session.execute(
            select(ServiceRequest.origin, func.count(ServiceRequest.id)).group_by(
                ServiceRequest.origin
            )
        ).all()
    )
    assert origins[RequestOrigin.PHONE] > 0 and sum(origins.values()) == 40
    result = reconcile(db.session, october)
    fired = {code for visit in result.visits.values() for code in visit.reasons}
    assert not fired & {"overlap", "duplicate", "missing_skill", "elder_inactive"}, fired
