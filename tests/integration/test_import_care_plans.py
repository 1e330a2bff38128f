"""Care plans import: matched by elder, service and start date; each rule."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from carehub.registry.models import CarePlan
from tests.integration.test_import_support import (
    check_rule,
    imported,
)

HEADER = "elder_code,service_code,weekdays,window_start,window_end,start_date,end_date"
GOOD = "E1,meal_delivery,1-5,11:00,12:30,2026-11-01,"


@pytest.fixture(autouse=True)
def elders(make, db) -> None:
    make.elder(code="E1")
    make.elder(code="E2")
    db.session.commit()


def test_plans_are_created_and_matched_by_elder_service_and_start(db) -> None:
    second = "E1,meal_delivery,6-7,11:30,12:30,2027-01-01,2027-06-30"
    assert imported(db, "care-plans", HEADER, GOOD, second).created == 2
    plan = db.session.scalar(select(CarePlan).where(CarePlan.start_date == dt.date(2027, 1, 1)))
    assert plan.weekdays_text == "6;7" and plan.end_date == dt.date(2027, 6, 30)
    moved = GOOD.replace("11:00,12:30", "10:30,12:00")
    result = imported(db, "care-plans", HEADER, moved, second)
    assert result.counts() == {"created": 0, "updated": 1, "unchanged": 1}
    assert imported(db, "care-plans", HEADER, moved, second).unchanged == 2


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("E2,bathing,1;3;5,09:00,10:00,2026-11-01,2026-11-01", None, None),
        ("E9,bathing,1;3;5,09:00,10:00,2026-11-01,", "elder_code", "unknown elder"),
        ("E2,sauna,1;3;5,09:00,10:00,2026-11-01,", "service_code", "unknown service"),
        ("E2,bathing,0,09:00,10:00,2026-11-01,", "weekdays", "not weekdays"),
        ("E2,bathing,,09:00,10:00,2026-11-01,", "weekdays", "required value missing"),
        ("E2,bathing,1;3;5,09:00,08:00,2026-11-01,", "window_end", "later than"),
        ("E2,bathing,1;3;5,9,10:00,2026-11-01,", "window_start", "not a time"),
        ("E2,bathing,1;3;5,09:00,10:00,2026-13-01,", "start_date", "not a date"),
        ("E2,bathing,1;3;5,09:00,10:00,,", "start_date", "required value missing"),
        ("E2,bathing,1;3;5,09:00,10:00,2026-11-01,2026-10-31", "end_date", "is before"),
        ("E1,meal_delivery,6,10:00,11:00,2026-11-01,", "elder_code", "duplicate of line 2"),
    ],
)
def test_care_plan_rules(db, row, column, reason) -> None:
    check_rule(db, "care-plans", (HEADER, GOOD, row), column, reason)
