"""Password guessing on /login and /api/v1/auth/token slows down, then locks, per account
and per client address; the count lives in the database, so another process sees it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from carehub.alerts.models import Alert
from carehub.auth.models import LoginThrottle
from carehub.auth.services import authenticate
from carehub.core.audit import AuditLog
from carehub.core.enums import AlertKind, Role
from tests.builders import PASSWORD, Builders
from tests.conftest import base_config, second_app

T0 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(app: Flask) -> Clock:
    found = Clock()
    app.config["CLOCK"] = found
    return found


def _web(client: FlaskClient, username: str, password: str, addr: str = "10.0.0.1"):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": addr},
    )


def _api(client: FlaskClient, username: str, password: str, addr: str = "10.0.0.1"):
    return client.post(
        "/api/v1/auth/token",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": addr},
    )


def test_the_first_failures_are_plain_401s(client: FlaskClient, make: Builders, db, clock) -> None:
    admin = make.user(Role.ADMIN)
    db.session.commit()
    codes = [_web(client, admin.username, "wrong").status_code for _ in range(5)]
    assert codes == [401] * 5
    assert _web(client, admin.username, PASSWORD).status_code == 302


def test_forty_guesses_on_login_are_slowed_then_locked(
    client: FlaskClient, make: Builders, db, clock
) -> None:
    admin = make.user(Role.ADMIN)
    db.session.commit()
    codes = [_web(client, admin.username, "wrong").status_code for _ in range(40)]
    assert codes[:5] == [401] * 5
    assert codes[5] == 401  # the sixth failure is counted and starts the wait
    assert set(codes[6:]) == {429}
    response = _web(client, admin.username, PASSWORD)
    assert response.status_code == 429  # even the right password waits
    assert int(response.headers["Retry-After"]) >= 1
    assert "Too many failed logins" in response.get_data(as_text=True) or "登录失败次数过多" in (
        response.get_data(as_text=True)
    )


def test_the_wait_grows_and_ends(client: FlaskClient, make: Builders, db, clock) -> None:
    user = make.user(Role.CAREGIVER)
    db.session.commit()
    waits = []
    for _ in range(14):
        response = _api(client, user.username, "wrong")
        if response.status_code == 429:
            assert response.get_json()["status"] == 429
            waits.append(int(response.headers["Retry-After"]))
            clock.advance(waits[-1])
        else:
            assert response.status_code == 401
    assert waits == sorted(waits) and waits[0] < waits[-1]
    clock.advance(15 * 60)
    assert _api(client, user.username, PASSWORD).status_code == 201
    row = db.session.scalar(
        select(LoginThrottle).where(LoginThrottle.key == f"user:{user.username}")
    )
    db.session.refresh(row)
    assert row.failures == 0


def test_a_lockout_is_audited_and_alerts_administrators(
    client: FlaskClient, make: Builders, db, clock
) -> None:
    user = make.user(Role.DISPATCHER)
    db.session.commit()
    for _ in range(10):
        clock.advance(60)  # past every growing wait so far, so each guess is counted
        assert _api(client, user.username, "wrong").status_code == 401
    response = _api(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60
    alerts = db.session.scalars(select(Alert).where(Alert.kind == AlertKind.LOGIN_LOCKOUT)).all()
    assert len(alerts) == 1 and user.username in alerts[0].message
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.entity_id == user.id)).all()
    assert actions.count("login_failed") == 10 and "lockout" in actions
    clock.advance(15 * 60)
    assert _api(client, user.username, PASSWORD).status_code == 201


def test_guessing_many_accounts_from_one_address_locks_the_address(
    client: FlaskClient, make: Builders, db, clock
) -> None:
    victim = make.user(Role.CAREGIVER)
    db.session.commit()
    for n in range(20):
        assert _api(client, f"nobody{n}", "wrong", addr="10.9.9.9").status_code == 401
    assert _api(client, "nobody-else", "wrong", addr="10.9.9.9").status_code == 401
    assert _api(client, victim.username, PASSWORD, addr="10.9.9.9").status_code == 429
    assert _api(client, victim.username, PASSWORD, addr="10.0.0.2").status_code == 201


def test_the_count_is_shared_with_another_process(
    client: FlaskClient, make: Builders, db, clock, database_url: str, tmp_path: Path
) -> None:
    user = make.user(Role.ADMIN)
    db.session.commit()
    for _ in range(6):
        _web(client, user.username, "wrong")
    # A second app on the same database, as another web worker would be.
    with second_app({**base_config(database_url, tmp_path), "CLOCK": clock}) as other:
        response = _web(other.test_client(), user.username, PASSWORD)
    assert response.status_code == 429


def test_failed_logins_are_audited_with_the_address(
    client: FlaskClient, make: Builders, db, clock
) -> None:
    user = make.user(Role.ADMIN)
    db.session.commit()
    _web(client, user.username, "wrong", addr="10.1.2.3")
    _web(client, "ghost", "wrong", addr="10.1.2.3")
    rows = db.session.scalars(select(AuditLog).where(AuditLog.action == "login_failed")).all()
    assert [(r.entity_id, "10.1.2.3" in (r.note or "")) for r in rows] == [
        (user.id, True),
        (None, True),
    ]


def test_unknown_usernames_cost_a_hash_check_too(
    app: Flask, make: Builders, db, monkeypatch
) -> None:
    import carehub.auth.services as services

    checked: list[str] = []
    real = services.check_password_hash
    monkeypatch.setattr(
        services, "check_password_hash", lambda h, p: checked.append(p) or real(h, p)
    )
    assert authenticate(db.session, "no-such-user", "guess") is None
    assert checked == ["guess"]


def test_the_session_is_cleared_at_login(client: FlaskClient, make: Builders, db) -> None:
    user = make.user(Role.ADMIN)
    db.session.commit()
    with client.session_transaction() as planted:
        planted["csrf_token"] = "planted-before-login"
        planted["lang"] = "en"
    assert _web(client, user.username, PASSWORD).status_code == 302
    with client.session_transaction() as after:
        assert "csrf_token" not in after
        assert after["lang"] == "en"
