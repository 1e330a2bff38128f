"""Bearer tokens for the phone: issued, looked up by hash, revoked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, request
from sqlalchemy import select

from carehub.auth.models import ApiToken, User
from carehub.core.time import now
from carehub.db import AnySession


def issue(
    session: AnySession, user: User, *, login_session_id: int | None = None
) -> tuple[str, ApiToken]:
    """A new token for the user; the plain token is returned here and never stored."""
    token = ApiToken.new_token()
    issued = now()
    days = int(current_app.config["MOBILE_TOKEN_DAYS"])
    row = ApiToken(
        user_id=user.id,
        token_hash=ApiToken.hash_token(token),
        login_session_id=login_session_id,
        created_at=issued,
        expires_at=issued + dt.timedelta(days=days),
    )
    session.add(row)
    session.flush()
    return token, row


def bearer_from_request() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def find_usable(session: AnySession, token: str) -> ApiToken | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash_token(token)))
    if row is None or not row.is_usable(now()):
        return None
    return row


def revoke(row: ApiToken) -> None:
    if row.revoked_at is None:
        row.revoked_at = now()


class TokenUser:
    """The user behind a bearer token, as Flask-Login's ``current_user`` presents it."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, token: ApiToken) -> None:
        self._user = token.user
        self.token = token

    def __getattr__(self, name: str) -> Any:
        return getattr(self._user, name)

    @property
    def account(self) -> User:
        return self._user

    @property
    def is_active(self) -> bool:
        return bool(self._user.active)

    def get_id(self) -> str:
        return f"token:{self.token.id}"
