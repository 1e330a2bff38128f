"""Alarm devices and call centres that may raise emergencies through the API."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from carehub.core.audit import Audited
from carehub.core.tokens import HashedToken
from carehub.db import Base, UTCDateTime, intpk, utcnow


class AlarmDevice(HashedToken, Audited, Base):
    """A device token issued by an administrator. Only the token's SHA-256 is stored; the
    token itself is printed once. A device never expires, it is revoked."""

    __tablename__ = "alarm_devices"
    TOKEN_PREFIX = "dev_"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(80), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
