"""The change counter each caregiver's phone polls, and the phones' push subscriptions."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carehub.auth.models import User
from carehub.db import Base, UTCDateTime, intpk, utcnow
from carehub.registry.models import Caregiver


class CaregiverFeed(Base):
    """One row per caregiver whose phone has had something to hear. ``version`` goes up in
    the transaction that changes their published visits or emergency offers, so the open
    page learns of a change with one primary-key read."""

    __tablename__ = "caregiver_feeds"

    caregiver_id: Mapped[int] = mapped_column(
        ForeignKey("caregivers.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PushSubscription(Base):
    """A browser's Web Push subscription (RFC 8030/8291) for one caregiver's phone.

    The endpoint is a capability URL and the keys encrypt messages to that browser, so the
    row is not copied into the audit log; subscribing and unsubscribing are logged by name.
    """

    __tablename__ = "push_subscriptions"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    caregiver_id: Mapped[int] = mapped_column(
        ForeignKey("caregivers.id", ondelete="CASCADE"), index=True
    )
    endpoint: Mapped[str] = mapped_column(Text)
    # Endpoints are long URLs; the unique index is on their digest.
    endpoint_hash: Mapped[str] = mapped_column(String(64), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None] = mapped_column(Integer)
    failures: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped[User] = relationship()
    caregiver: Mapped[Caregiver] = relationship()

    @staticmethod
    def hash_endpoint(endpoint: str) -> str:
        return hashlib.sha256(endpoint.encode()).hexdigest()

    def info(self) -> dict[str, object]:
        """What pywebpush takes as ``subscription_info``."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
