"""Server-side login sessions behind Flask-Login.

Flask-Login's id is a random per-login token, not the user id: the user loader accepts it
only while its session row is open and the user active, so logout or deactivation ends
the session even for someone who kept a copy of the cookie.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, login_user, logout_user
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from carehub.auth.models import LoginSession, User
from carehub.core.time import now
from carehub.extensions import db

log = logging.getLogger(__name__)


class SessionUser:
    """The logged-in user as Flask-Login sees it: the account plus this login's token."""

    def __init__(self, user: User, token: str) -> None:
        self._user = user
        self._token = token

    def __getattr__(self, name: str) -> Any:
        return getattr(self._user, name)

    @property
    def account(self) -> User:
        return self._user

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return bool(self._user.active)

    def get_id(self) -> str:
        return self._token


def configure(manager: LoginManager) -> None:
    manager.login_view = "auth.login"
    manager.login_message = _l("Please log in to open this page.")
    manager.login_message_category = "info"
    # "basic", not "strong": a caregiver's phone changes network all day.
    manager.session_protection = "basic"
    manager.user_loader(load)


def load(token: str) -> SessionUser | None:
    row = db.session.scalar(
        select(LoginSession).where(
            LoginSession.token_hash == LoginSession.hash_token(token),
            LoginSession.ended_at.is_(None),
        )
    )
    if row is None or not row.user.active:
        return None
    at = now()
    if _expired(row, at):
        _touch(row, ended_at=at)
        return None
    # Moved on at most once a minute, so most requests write nothing.
    if row.last_seen_at is None or at - row.last_seen_at >= dt.timedelta(minutes=1):
        _touch(row, last_seen_at=at)
    return SessionUser(row.user, token)


def _touch(row: LoginSession, **values: dt.datetime) -> None:
    """Write on a connection of its own and commit at once: the loader may run in the
    middle of a request whose own changes must not be committed with it."""
    try:
        with db.engine.begin() as conn:
            conn.execute(update(LoginSession).where(LoginSession.id == row.id).values(**values))
    except OperationalError:
        # A busy database must not fail the request; the next one writes the time.
        log.warning("could not record login session %s activity", row.id, exc_info=True)


def _expired(row: LoginSession, at: dt.datetime) -> bool:
    """Past the absolute lifetime, or idle (no request) for longer than allowed."""
    idle = dt.timedelta(minutes=int(current_app.config["SESSION_IDLE_MIN"]))
    absolute = dt.timedelta(hours=float(current_app.config["SESSION_ABSOLUTE_HOURS"]))
    return at - row.created_at > absolute or at - (row.last_seen_at or row.created_at) > idle


def start(user: User) -> SessionUser:
    token = LoginSession.new_token()
    db.session.add(
        LoginSession(
            user_id=user.id,
            token_hash=LoginSession.hash_token(token),
            created_at=now(),
            user_agent=(request.user_agent.string or "")[:255],
        )
    )
    session_user = SessionUser(user, token)
    login_user(session_user, remember=False)
    return session_user


def end(session_user: SessionUser) -> None:
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == LoginSession.hash_token(session_user.get_id()))
        .values(ended_at=now())
    )
    logout_user()


def end_all_for(user: User) -> None:
    """Close every open login of a user and revoke their API tokens (deactivation,
    password change)."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=now())
    )
    revoke_tokens_of(user)


def revoke_tokens_of(user: User) -> None:
    from carehub.auth.models import ApiToken

    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now())
        .execution_options(synchronize_session=False)
    )
