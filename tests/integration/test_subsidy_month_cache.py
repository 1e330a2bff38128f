"""The month pages reuse the month's verdicts only while nothing they were worked out from
has changed: every kind of change gives the same figures as working the month out afresh."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from carehub.assessment import services as assessments
from carehub.core.enums import CareLevel, ElderStatus, Role
from carehub.registry.models import ElderStatusPeriod
from carehub.subsidy.models import ServicePrice, SubsidyPolicy, VisitReceipt
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation import month_cache
from carehub.subsidy.reconciliation.locking import lock_month, unlock_month
from carehub.subsidy.review import services as reviews
from tests.integration.subsidy_support import NOW, cached_as_fresh, october

OCT = Month(2026, 10)


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"CLOCK": lambda: NOW}


@pytest.fixture
def month(make, db):
    return october(make, db)


def _kept() -> object:
    return month_cache.store().entries["2026-10"]


def test_a_review_shows_at_once_without_working_the_month_out_again(month, db) -> None:
    first = cached_as_fresh(db)
    assert first.computed_at is not None
    kept = _kept()
    reviews.review(db.session, month.planted["too_short"].id, "approved", "家属确认", None)
    db.session.commit()
    after = cached_as_fresh(db)
    assert _kept() is kept
    assert after.totals().payable_fen == first.totals().payable_fen + 800


def _move_check_out(month: Any, db: Any) -> None:
    visit = month.planted["too_short"]
    visit.check_out_at = visit.check_in_at + dt.timedelta(minutes=30)


def _hospitalise(month: Any, db: Any) -> None:
    db.session.add(
        ElderStatusPeriod(
            elder=month.elders[0],
            status=ElderStatus.HOSPITALISED,
            start_date=dt.date(2026, 10, 10),
            end_date=dt.date(2026, 10, 15),
        )
    )


def _new_price(month: Any, db: Any) -> None:
    service_id = month.clean[0].request.service_type_id
    db.session.add(
        ServicePrice(service_type_id=service_id, effective_from=dt.date(2026, 10, 13), price_fen=1)
    )


def _late_receipt(month: Any, db: Any) -> None:
    visit = month.clean[0]
    db.session.add(
        VisitReceipt(visit_id=visit.id, received_at=visit.check_out_at + dt.timedelta(days=5))
    )


def _new_policy(month: Any, db: Any) -> None:
    policy = db.session.query(SubsidyPolicy).one()
    policy.amount_moderate_fen += 10_000


def _elder_level(month: Any, db: Any) -> None:
    # The level changes only through the assessment history.
    day = dt.date(2026, 10, 12)
    who = assessments.Signature(None, "admin")
    assessments.override(db.session, month.elders[1], CareLevel.SEVERE, day, "test", who, day)


def _elder_level_assessed(month: Any, db: Any) -> None:
    day = dt.date(2026, 10, 20)
    who = assessments.Signature(None, "assessor")
    form = assessments.current_form(db.session)
    answers = {item.code: 0 for item in assessments.parsed(form).items()}
    assessments.record(db.session, month.elders[1], form, answers, frozenset(), day, who, day)


def _caregiver_skill(month: Any, db: Any) -> None:
    month.clean[0].caregiver.skills.clear()


@pytest.mark.parametrize(
    "change",
    [
        _move_check_out,
        _hospitalise,
        _new_price,
        _late_receipt,
        _new_policy,
        _elder_level,
        _elder_level_assessed,
        _caregiver_skill,
    ],
)
def test_any_change_to_an_input_is_worked_out_afresh(
    month, db, change: Callable[[Any, Any], None]
) -> None:
    cached_as_fresh(db)
    kept = _kept()
    change(month, db)
    db.session.commit()
    cached_as_fresh(db)
    assert _kept() is not kept


def test_a_locked_month_is_kept_until_it_is_unlocked(month, db, make) -> None:
    user = make.user(Role.ADMIN)
    lock_month(db.session, OCT, user.id)
    db.session.commit()
    assert cached_as_fresh(db).locked
    kept = _kept()
    assert cached_as_fresh(db).locked and _kept() is kept
    unlock_month(db.session, OCT, "财政局要求重新核对", user.id)
    reviews.review(db.session, month.planted["duplicate"].id, "rejected", "重复", None)
    db.session.commit()
    assert not cached_as_fresh(db).locked
