"""Alarm devices and call centres that may raise emergencies through the API."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from carehub.core.audit import Audited
from carehub.db import Base, UTCDateTime, intpk, utcnow


class AlarmDevice(Audited, Base):
    """A device token issued by an administrator. Only the token's SHA-256 is stored; the
    token itself is printed once. A device never expires, it is revoked."""

    __tablename__ = "alarm_devices"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(80), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    @staticmethod
    def new_token() -> str:
        return "dev_" + secrets.token_urlsafe(32)

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
