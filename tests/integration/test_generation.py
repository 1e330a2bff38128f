"""Care plans become requests: once per plan and day, only while elder and plan are active."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from carehub.cli import main
from carehub.core.enums import ElderStatus, RequestOrigin
from carehub.dispatch.generation import GenerationError, generate_requests
from carehub.dispatch.models import ServiceRequest
from carehub.registry.models import ElderStatusPeriod

MON = dt.date(2026, 11, 23)
SUN = dt.date(2026, 11, 29)


def _requests(db) -> list[tuple[int, dt.date]]:
    return list(
        db.session.execute(
            select(ServiceRequest.care_plan_id, ServiceRequest.service_date).order_by(
                ServiceRequest.service_date, ServiceRequest.care_plan_id
            )
        )
    )


def test_weekday_plan_yields_one_request_per_weekday_with_plan_window_and_service_priority(
    make, db
) -> None:
    service = make.service_type("bathing_x", priority=2)
    plan = make.care_plan(
        service_type=service,
        weekdays_mask=0b0010101,  # Mon, Wed, Fri
        window_start=dt.time(9, 0),
        window_end=dt.time(10, 0),
    )
    counts = generate_requests(db.session, MON, SUN)
    db.session.commit()

    assert counts.created == 3
    rows = db.session.scalars(select(ServiceRequest).order_by(ServiceRequest.service_date)).all()
    assert [r.service_date for r in rows] == [MON, MON + dt.timedelta(2), MON + dt.timedelta(4)]
    first = rows[0]
    assert (first.window_start, first.window_end) == (dt.time(9, 0), dt.time(10, 0))
    assert first.priority == 2
    assert first.origin == RequestOrigin.CARE_PLAN
    assert first.care_plan_id == plan.id and first.elder_id == plan.elder_id


def test_running_twice_creates_nothing_new(make, db) -> None:
    make.care_plan()
    first = generate_requests(db.session, MON, SUN)
    db.session.commit()
    before = _requests(db)
    second = generate_requests(db.session, MON, SUN)
    db.session.commit()

    assert first.created == 5 and second.created == 0 and second.existing == 5
    assert _requests(db) == before


def test_an_overlapping_range_only_fills_the_new_days(make, db) -> None:
    make.care_plan(weekdays_mask=0b1111111)
    generate_requests(db.session, MON, MON + dt.timedelta(days=2))
    counts = generate_requests(db.session, MON + dt.timedelta(days=1), MON + dt.timedelta(days=4))
    assert (counts.created, counts.existing) == (2, 2)
    assert db.session.scalar(select(func.count(ServiceRequest.id))) == 5


def test_plan_dates_and_inactive_plans_are_respected(make, db) -> None:
    every_day = 0b1111111
    starts_wed = make.care_plan(weekdays_mask=every_day, start_date=MON + dt.timedelta(days=2))
    ends_tue = make.care_plan(
        weekdays_mask=every_day, start_date=MON, end_date=MON + dt.timedelta(1)
    )
    make.care_plan(weekdays_mask=every_day, active=False)
    generate_requests(db.session, MON, SUN)

    days = {}
    for plan_id, day in _requests(db):
        days.setdefault(plan_id, []).append(day)
    assert set(days) == {starts_wed.id, ends_tue.id}
    assert min(days[starts_wed.id]) == MON + dt.timedelta(days=2) and len(days[starts_wed.id]) == 5
    assert days[ends_tue.id] == [MON, MON + dt.timedelta(days=1)]


def test_days_the_elder_is_not_active_are_skipped(make, db) -> None:
    elder = make.elder()
    db.session.add(
        ElderStatusPeriod(
            elder=elder,
            status=ElderStatus.HOSPITALISED,
            start_date=MON + dt.timedelta(days=1),
            end_date=MON + dt.timedelta(days=2),
        )
    )
    plan = make.care_plan(elder=elder)
    counts = generate_requests(db.session, MON, SUN)

    assert counts.skipped_elder_inactive == 2
    assert [day for _plan, day in _requests(db)] == [
        MON,
        MON + dt.timedelta(days=3),
        MON + dt.timedelta(days=4),
    ]
    assert all(plan_id == plan.id for plan_id, _day in _requests(db))


def test_a_backwards_or_huge_range_is_refused(db) -> None:
    with pytest.raises(GenerationError):
        generate_requests(db.session, SUN, MON)
    with pytest.raises(GenerationError):
        generate_requests(db.session, MON, MON + dt.timedelta(days=400))


def test_cli_generates_and_reports(app, make, db) -> None:
    make.care_plan()
    db.session.commit()
    runner = app.test_cli_runner()
    args = ["requests", "generate", "--from", "2026-11-23", "--to", "2026-11-29"]
    first = runner.invoke(main, args)
    again = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "5 created" in first.output
    assert "0 created, 5 already there" in again.output
    bad = runner.invoke(
        main, ["requests", "generate", "--from", "2026-11-29", "--to", "2026-11-23"]
    )
    assert bad.exit_code != 0
