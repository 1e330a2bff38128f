"""Phone-side records: API tokens, visit events, service checklists, emergency offers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carehub.auth.models import LoginSession, User
from carehub.core.audit import Audited
from carehub.core.tokens import HashedToken
from carehub.db import Base, UTCDateTime, intpk, utcnow
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.mobile.vocab import OfferStatus
from carehub.registry.models import Caregiver, ServiceType


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


class VisitEvent(Base):
    """Something a caregiver did at a visit, as the phone recorded it.

    Append-only: the visit's check-in, check-out, outcome and status are derived from its
    events ordered by the phone's ``recorded_at``, so events arriving late or out of order
    still give the right result. The unique key per user makes a retried post a replay.
    """

    __tablename__ = "visit_events"
    __table_args__ = (
        UniqueConstraint("user_id", "idempotency_key", name="uq_visit_events_user_key"),
    )

    id: Mapped[intpk]
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    body_hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcome: Mapped[str | None] = mapped_column(String(20))
    checklist: Mapped[list[str] | None] = mapped_column(JSON)
    text: Mapped[str | None] = mapped_column(Text)
    # What the first post was answered, returned again to every retry with the same key.
    response_status: Mapped[int] = mapped_column(Integer, default=201)
    response_body: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    visit: Mapped[Visit] = relationship()
    user: Mapped[User] = relationship()


class ChecklistItem(Audited, Base):
    """One line of a service type's checklist, ticked off on the phone."""

    __tablename__ = "service_checklist_items"
    __table_args__ = (
        UniqueConstraint("service_type_id", "code", name="uq_service_checklist_items_type_code"),
    )

    id: Mapped[intpk]
    service_type_id: Mapped[int] = mapped_column(
        ForeignKey("service_types.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(40))
    label_zh: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120))

    service_type: Mapped[ServiceType] = relationship()

    def label(self, locale: str) -> str:
        return self.label_en if locale.startswith("en") else self.label_zh


class EmergencyOffer(Audited, Base):
    """An emergency request offered to one caregiver, who accepts or declines it.

    The first to accept gets a visit at once and the other offers for the request are
    withdrawn. Raising offers and escalating unanswered ones belong to emergency dispatch.
    """

    __tablename__ = "emergency_offers"
    __table_args__ = (
        UniqueConstraint("request_id", "caregiver_id", name="uq_emergency_offers_request_carer"),
    )

    id: Mapped[intpk]
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), index=True
    )
    caregiver_id: Mapped[int] = mapped_column(
        ForeignKey("caregivers.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[OfferStatus] = mapped_column(String(20), default=OfferStatus.OFFERED, index=True)
    offered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str | None] = mapped_column(Text)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="SET NULL"))

    request: Mapped[ServiceRequest] = relationship()
    caregiver: Mapped[Caregiver] = relationship()
    visit: Mapped[Visit | None] = relationship()
