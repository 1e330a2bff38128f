"""The too_short rule judges each service by its own threshold: a meal drop of a few minutes
is a drop, a cleaning of the same minutes is still short. Tuned per service in the catalogue."""

from __future__ import annotations

import datetime as dt

import pytest

from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation.reconcile import reconcile
from tests.integration.subsidy_support import NOW, completed

OCT = Month(2026, 10)
DAY = dt.date(2026, 10, 12)


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"CLOCK": lambda: NOW}


def _visits(make, minutes: int, service: str):  # type: ignore[no-untyped-def]
    elder = make.elder()
    carer = make.caregiver(station=elder.station, skills=("meal", "cleaning"))
    return completed(
        make, elder, carer, DAY, 11, minutes=minutes, service=make.service_type(service)
    )


def test_a_three_minute_drop_is_verified(make, db) -> None:  # type: ignore[no-untyped-def]
    drop = _visits(make, 3, "meal_delivery")
    db.session.commit()
    outcome = reconcile(db.session, OCT).visits[drop.id]
    assert outcome.status == "verified", outcome.reasons


def test_a_one_minute_drop_is_a_drop_but_not_under_the_rules_own_threshold(make, db) -> None:  # type: ignore[no-untyped-def]
    drop = _visits(make, 1, "meal_delivery")
    db.session.commit()
    assert "too_short" not in reconcile(db.session, OCT).visits[drop.id].reasons
    # Without its own threshold the rule's 70 % of three minutes applies, and it fires.
    drop.request.service_type.min_visit_percent = None
    db.session.commit()
    assert "too_short" in reconcile(db.session, OCT).visits[drop.id].reasons


def test_a_three_minute_cleaning_is_still_too_short(make, db) -> None:  # type: ignore[no-untyped-def]
    cleaning = _visits(make, 3, "cleaning")
    db.session.commit()
    outcome = reconcile(db.session, OCT).visits[cleaning.id]
    assert outcome.status == "flagged" and "too_short" in outcome.reasons
