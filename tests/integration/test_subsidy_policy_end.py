"""Administrators end a policy from its date on; a locked month's entitlement never moves."""

from __future__ import annotations

import datetime as dt

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from carehub.core.audit import AuditLog
from carehub.core.enums import Role
from carehub.subsidy.models import SubsidyPolicy
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation.locking import lock_month
from carehub.subsidy.reconciliation.reconcile import reconcile
from tests.integration.subsidy_support import NOW, october


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"CLOCK": lambda: NOW}


@pytest.fixture
def policy(make, db) -> SubsidyPolicy:  # type: ignore[no-untyped-def]
    october(make, db)
    return db.session.scalars(select(SubsidyPolicy)).one()


def _end(client: FlaskClient, policy_id: int, day: str):  # type: ignore[no-untyped-def]
    return client.post(f"/subsidy/policies/{policy_id}/end", data={"effective_to": day})


def test_an_ended_policy_pays_to_its_last_day_only(policy, client, login_as, db) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.ADMIN)
    full = reconcile(db.session, Month(2026, 10)).totals().entitlement_fen
    assert _end(client, policy.id, "2026-10-15").status_code == 303
    db.session.refresh(policy)
    assert policy.effective_to == dt.date(2026, 10, 15)
    ended = reconcile(db.session, Month(2026, 10)).totals().entitlement_fen
    # Six elders at 400 yuan for 15 of 31 days (the one who died on the 18th as well),
    # each rounded down to the fen.
    assert ended == 6 * (40000 * 15 // 31)
    assert ended < full
    assert reconcile(db.session, Month(2026, 11)).totals().entitlement_fen == 0
    entry = db.session.scalars(
        select(AuditLog).where(AuditLog.entity_type == "SubsidyPolicy").order_by(AuditLog.id.desc())
    ).first()
    assert entry is not None and entry.after["effective_to"] == "2026-10-15"  # type: ignore[index]


def test_no_end_date_reaches_into_a_locked_month(policy, client, login_as, db) -> None:  # type: ignore[no-untyped-def]
    user = login_as(Role.ADMIN)
    lock_month(db.session, Month(2026, 10), user.id)
    db.session.commit()
    before = reconcile(db.session, Month(2026, 10)).as_json()
    refused = _end(client, policy.id, "2026-10-20")
    assert refused.status_code == 422
    assert "2026-10-31" in refused.get_data(as_text=True)
    db.session.refresh(policy)
    assert policy.effective_to is None
    assert _end(client, policy.id, "2026-10-31").status_code == 303
    assert reconcile(db.session, Month(2026, 10)).as_json() == before
    # Moving the end back into the locked month is refused as well.
    assert _end(client, policy.id, "2026-10-30").status_code == 422


def test_bad_end_dates_and_roles(policy, client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.ADMIN)
    for day in ("", "2026-13-01", "1999-01-01"):
        response = _end(client, policy.id, day)
        assert response.status_code == 422, day
        assert 'role="alert"' in response.get_data(as_text=True)
    assert _end(client, 999_999, "2027-01-31").status_code == 404
    client.post("/logout")
    login_as(Role.AUDITOR)
    assert _end(client, policy.id, "2027-01-31").status_code == 403
