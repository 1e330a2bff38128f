"""Slowing down password guessing, for /login and /api/v1/auth/token alike.

Failures are counted per account and per client address in ``login_throttles``, so every
web process shares them. After a few free failures each further one makes the key wait,
twice as long each time; at the lock threshold the key is locked for ``AUTH_LOCK_MIN``
minutes, audited, and administrators get an alert. A success clears the account's count
(not the address's: one good account must not wash out guesses at others). Counts older
than the lock time are forgotten.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from carehub.alerts.models import Alert
from carehub.auth.models import LoginThrottle
from carehub.core import audit
from carehub.core.enums import AlertKind
from carehub.db import AnySession


class Throttled(Exception):
    """Too many failures: wait ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limits:
    free: int  # failures before any wait
    lock_after: int  # failures that lock the key for lock_s
    lock_s: int


def _limits(kind: str) -> Limits:
    cfg = current_app.config
    lock_s = int(cfg["AUTH_LOCK_MIN"]) * 60
    if kind == "user":
        return Limits(int(cfg["AUTH_FREE_FAILURES"]), int(cfg["AUTH_LOCK_FAILURES"]), lock_s)
    return Limits(
        int(cfg["AUTH_ADDRESS_FREE_FAILURES"]), int(cfg["AUTH_ADDRESS_LOCK_FAILURES"]), lock_s
    )


def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
    keys = [("user", f"user:{username.strip().lower()[:180]}")]
    if address:
        keys.append(("addr", f"addr:{address[:180]}"))
    return keys


def _row(session: AnySession, key: str) -> LoginThrottle | None:
    return session.scalar(select(LoginThrottle).where(LoginThrottle.key == key))


def check(session: AnySession, username: str, address: str | None, now: dt.datetime) -> None:
    """Raise Throttled while the account or the address must wait."""
    wait = 0.0
    for _kind, key in _keys(username, address):
        row = _row(session, key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            wait = max(wait, (row.locked_until - now).total_seconds())
    if wait > 0:
        raise Throttled(max(1, math.ceil(wait)))


def _count(session: AnySession, key: str, now: dt.datetime, forget_before: dt.datetime) -> int:
    """Add one failure to the key, atomically, and return the new count."""
    row = _row(session, key)
    if row is None:
        try:
            with session.begin_nested():
                session.add(LoginThrottle(key=key, failures=0, last_failure_at=now))
        except IntegrityError:
            pass  # another process created it first; count on its row
    # A stale count starts again; the increment is one UPDATE so concurrent failures add up.
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key, LoginThrottle.last_failure_at < forget_before)
        .values(failures=0, locked_until=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key)
        .values(failures=LoginThrottle.failures + 1, last_failure_at=now)
        .execution_options(synchronize_session=False)
    )
    found = _row(session, key)
    assert found is not None
    session.refresh(found)
    return found.failures


def failed(
    session: AnySession,
    username: str,
    address: str | None,
    user_id: int | None,
    channel: str,
    now: dt.datetime,
) -> None:
    """Count a failed attempt, audit it, and lock (with an alert) at the threshold."""
    audit.record(
        session, "login_failed", "User", user_id, note=f"{channel} {username[:80]} {address}"
    )
    for kind, key in _keys(username, address):
        limits = _limits(kind)
        failures = _count(session, key, now, now - dt.timedelta(seconds=limits.lock_s))
        if failures <= limits.free:
            continue
        if failures >= limits.lock_after:
            wait = limits.lock_s
        else:
            wait = min(2 ** (failures - limits.free - 1), limits.lock_s)
        session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(locked_until=now + dt.timedelta(seconds=wait))
            .execution_options(synchronize_session=False)
        )
        if failures == limits.lock_after:
            _lockout(session, key, user_id, failures, limits, now)


def _lockout(
    session: AnySession,
    key: str,
    user_id: int | None,
    failures: int,
    limits: Limits,
    now: dt.datetime,
) -> None:
    minutes = limits.lock_s // 60
    message = f"{key}: {failures} failed logins, locked for {minutes} min"
    audit.record(session, "lockout", "User", user_id, note=message)
    session.add(
        Alert(kind=AlertKind.LOGIN_LOCKOUT, message=message, created_at=now, last_seen_at=now)
    )


def succeeded(session: AnySession, username: str) -> None:
    """A correct password clears the account's failures."""
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == _keys(username, None)[0][1])
        .values(failures=0, locked_until=None)
        .execution_options(synchronize_session=False)
    )
