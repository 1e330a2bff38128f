"""Accounts and their login sessions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from carehub.core.audit import Audited
from carehub.core.enums import Role
from carehub.core.tokens import HashedToken
from carehub.db import Base, UTCDateTime, intpk, utcnow
from carehub.registry.models import Caregiver, Station


class User(Audited, Base):
    __tablename__ = "users"

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(80), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(80), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(String(20))
    caregiver_id: Mapped[int | None] = mapped_column(
        ForeignKey("caregivers.id", ondelete="SET NULL"), unique=True
    )
    # A dispatcher scoped to one station sees only that station; None means all stations.
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    caregiver: Mapped[Caregiver | None] = relationship()
    station: Mapped[Station | None] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __str__(self) -> str:
        return self.username


class LoginSession(HashedToken, Base):
    """One browser login. The cookie carries only the token; logging out ends the row,
    so a copied cookie stops working at once."""

    __tablename__ = "login_sessions"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    user_agent: Mapped[str | None] = mapped_column(String(255))
    # Moved on at most once a minute, for the idle timeout.
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """Failed logins counted per account (``user:<name>``) and per client address
    (``addr:<ip>``), in the database so every web process and machine sees the same count."""

    __tablename__ = "login_throttles"

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(200), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ApiToken(HashedToken, Base):
    """A bearer token for the phone. Only its SHA-256 is stored; the token itself is shown once.

    A token minted by the phone page belongs to that browser login and dies with it, so
    logging out of the web page also locks out the API.
    """

    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    login_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("login_sessions.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    login_session: Mapped[LoginSession | None] = relationship()

    def is_usable(self, at: dt.datetime) -> bool:
        return (
            self.revoked_at is None
            and at < self.expires_at
            and self.user.active
            and (self.login_session is None or self.login_session.ended_at is None)
        )
