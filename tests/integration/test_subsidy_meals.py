"""Per-meal subsidies reconciled per canteen and operator to the fen: eligibility by age,
the daily cap, only verified meals, locked months, and a per-meal policy leaving the
monthly entitlement alone."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient

from carehub.core.enums import CareLevel, Hardship, Role
from carehub.subsidy.meals.services import meal_month
from carehub.subsidy.models import KIND_PER_MEAL, SubsidyPolicy
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation import locking
from carehub.subsidy.reconciliation import reconcile as rc
from tests.integration.subsidy_support import NOW, completed

OCT = Month(2026, 10)
MON, TUE = dt.date(2026, 10, 12), dt.date(2026, 10, 13)


@pytest.fixture(autouse=True)
def fixed_clock(app: Flask, client: FlaskClient) -> None:
    app.config["CLOCK"] = lambda: NOW
    client.get("/lang/en")


def _policy(db, cap: int = 1) -> SubsidyPolicy:  # type: ignore[no-untyped-def]
    policy = SubsidyPolicy(
        code="TJ-MEAL",
        name="老年助餐",
        kind=KIND_PER_MEAL,
        effective_from=dt.date(2026, 1, 1),
        eligible_hardships=[],
        meal_elder_fen=300,
        meal_operator_fen=250,
        meal_daily_cap=cap,
        meal_min_age=60,
        meal_max_age=200,
    )
    db.session.add(policy)
    return policy


@pytest.fixture
def district(make, db):  # type: ignore[no-untyped-def]
    north = make.station(code="CA", provider="甲公司")
    south = make.station(code="CB", provider="乙公司", lat=39.10)
    carer_n, carer_s = make.caregiver(station=north), make.caregiver(station=south)
    lunch, dinner = (
        make.service_type("meal_delivery"),
        make.service_type("meal_canteen", duration_min=10),
    )
    cleaning = make.service_type("cleaning")
    old = make.elder(station=north, birth_date=dt.date(1940, 5, 1))
    young = make.elder(station=south, birth_date=dt.date(1980, 5, 1), lat=39.101, lon=117.2)
    other = make.elder(station=south, birth_date=dt.date(1945, 5, 1), lat=39.103, lon=117.2)
    # The old elder: lunch and dinner on Monday, lunch on Tuesday, and a cleaning visit.
    completed(make, old, carer_n, MON, 9, service=lunch)
    completed(make, old, carer_n, MON, 17, service=dinner)
    completed(make, old, carer_n, TUE, 9, service=lunch)
    completed(make, old, carer_n, TUE, 14, minutes=90, service=cleaning)
    completed(make, young, carer_s, MON, 9, service=lunch)  # 46: too young
    completed(make, other, carer_s, MON, 11, service=lunch)
    far = (other.lat + 0.01, other.lon)
    completed(make, other, carer_s, TUE, 11, service=lunch, at=far)  # flagged, not paid
    db.session.commit()


def test_meals_per_canteen_and_operator_to_the_fen(district, db) -> None:  # type: ignore[no-untyped-def]
    _policy(db, cap=1)
    db.session.commit()
    found = meal_month(db.session, OCT, cached=False)
    by = {line.key: line for line in found.canteens}
    # CA: three verified meals, two subsidised (one a day); CB: two verified, one eligible.
    assert (by["CA"].meals, by["CA"].paid_meals, by["CA"].elder_fen, by["CA"].operator_fen) == (
        3,
        2,
        600,
        500,
    )
    assert (by["CB"].meals, by["CB"].paid_meals, by["CB"].elder_fen, by["CB"].operator_fen) == (
        2,
        1,
        300,
        250,
    )
    operators = {line.key: line.total_fen for line in found.operators}
    assert operators == {"甲公司": 1100, "乙公司": 550}
    total = found.total()
    assert (total.elder_fen, total.operator_fen) == (900, 750)


def test_a_daily_cap_of_two_pays_both_meals_of_a_day(district, db) -> None:  # type: ignore[no-untyped-def]
    _policy(db, cap=2)
    db.session.commit()
    by = {line.key: line for line in meal_month(db.session, OCT, cached=False).canteens}
    assert (by["CA"].paid_meals, by["CA"].elder_fen) == (3, 900)


def test_without_a_per_meal_policy_nothing_is_paid(district, db) -> None:  # type: ignore[no-untyped-def]
    total = meal_month(db.session, OCT, cached=False).total()
    assert (total.meals, total.paid_meals, total.elder_fen) == (5, 0, 0)


def test_a_locked_month_gives_the_same_figures_and_export(
    district, db, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    _policy(db)
    db.session.commit()
    before = meal_month(db.session, OCT, cached=False).total()
    locking.lock_month(db.session, OCT, None)
    db.session.commit()
    after = meal_month(db.session, OCT, cached=False)
    assert after.locked and after.total() == before
    login_as(Role.AUDITOR)
    page = client.get("/subsidy/2026-10/meals").get_data(as_text=True)
    assert "¥9.00" in page and "¥7.50" in page
    csv = client.get("/subsidy/2026-10/meals.csv").get_data(as_text=True)
    assert csv.strip().splitlines()[-1] == "2026-10,total,TOTAL,,5,3,900,750"
    assert client.get("/subsidy/2026-10/meals.xlsx").status_code == 200
    assert client.get("/subsidy/2026-10/meals.pdf").status_code == 404


def test_a_per_meal_policy_leaves_the_monthly_entitlement_alone(make, db) -> None:  # type: ignore[no-untyped-def]
    elder = make.elder(care_level=CareLevel.MODERATE, hardship=Hardship.DIBAO)
    policy = _policy(db)
    policy.effective_from = dt.date(2026, 9, 1)  # starts after the default policy
    db.session.commit()
    lines = rc.reconcile(db.session, OCT).elders
    assert next(x for x in lines if x.elder_id == elder.id).entitlement_fen == 40000


def test_an_administrator_adds_a_per_meal_policy(client: FlaskClient, login_as, db) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.ADMIN)
    data = {
        "code": "MEAL-2027",
        "name": "助餐 2027",
        "kind": "per_meal",
        "effective_from": "2027-01-01",
        "supplement": "0",
        "meal_elder": "3",
        "meal_operator": "2.50",
        "meal_daily_cap": "1",
        "meal_min_age": "80",
        "meal_max_age": "200",
    }
    response = client.post("/subsidy/policies/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    policy = db.session.query(SubsidyPolicy).filter_by(code="MEAL-2027").one()
    assert (policy.meal_elder_fen, policy.meal_operator_fen, policy.meal_min_age) == (300, 250, 80)
    data.update(code="MEAL-BAD", meal_min_age="90", meal_max_age="80")
    assert client.post("/subsidy/policies/new", data=data).status_code == 422


def test_the_bureaus_figures_carry_the_meal_subsidies(district, db) -> None:  # type: ignore[no-untyped-def]
    from carehub.bureau.figures import Period, compute

    _policy(db)
    db.session.commit()
    f = compute(db.session, Period.parse("2026-Q4"), dt.date(2026, 11, 23), cached=False)
    assert (f.meals_subsidised, f.meal_elder_fen, f.meal_operator_fen) == (3, 900, 750)
