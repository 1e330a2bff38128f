"""Open emergencies: raised (by a dispatcher, an alarm device or a call centre) and not yet
accepted by anyone. The console lists them; the watch job alerts on one that has had no
offer at all for EMERGENCY_NO_OFFER_MIN minutes, and the alert resolves itself once an
offer is made or the emergency is closed. Flushes, never commits."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from carehub.alerts.models import Alert
from carehub.core.enums import AlertKind, RequestOrigin, RequestStatus
from carehub.core.time import local_zone
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest
from carehub.fieldwork.models import EmergencyOffer
from carehub.fieldwork.vocab import OfferStatus
from carehub.registry.models import Elder

NO_OFFER = "no_offer"
OFFERED = "offered"
# Every offer made was declined, expired or withdrawn, and nobody is asked now.
UNANSWERED = "unanswered"


@dataclass(frozen=True)
class OpenEmergency:
    request: ServiceRequest
    state: str
    waiting: dt.timedelta
    # The caregiver asked now, when there is one.
    offered_to: str | None
    # No offer at all for longer than the setting allows.
    overdue: bool

    @property
    def waiting_minutes(self) -> int:
        return int(self.waiting.total_seconds() // 60)


def no_offer_limit() -> dt.timedelta:
    return dt.timedelta(minutes=float(current_app.config["EMERGENCY_NO_OFFER_MIN"]))


def open_emergencies(
    session: AnySession, now: dt.datetime, station_id: int | None = None
) -> list[OpenEmergency]:
    """Open emergencies of today and yesterday (a call late at night), those without any
    offer first, oldest first."""
    today = now.astimezone(local_zone()).date()
    query = (
        select(ServiceRequest)
        .join(Elder, Elder.id == ServiceRequest.elder_id)
        .where(
            ServiceRequest.origin == RequestOrigin.EMERGENCY,
            ServiceRequest.status == RequestStatus.OPEN,
            ServiceRequest.service_date >= today - dt.timedelta(days=1),
        )
        .options(selectinload(ServiceRequest.elder))
        .order_by(ServiceRequest.created_at, ServiceRequest.id)
    )
    if station_id is not None:
        query = query.where(Elder.station_id == station_id)
    requests = list(session.scalars(query))
    offers: dict[int, list[EmergencyOffer]] = defaultdict(list)
    if requests:
        for offer in session.scalars(
            select(EmergencyOffer)
            .where(EmergencyOffer.request_id.in_([r.id for r in requests]))
            .options(selectinload(EmergencyOffer.caregiver))
        ):
            offers[offer.request_id].append(offer)
    limit = no_offer_limit()
    found = []
    for request in requests:
        made = offers[request.id]
        if any(o.status == OfferStatus.ACCEPTED for o in made):
            continue
        asked = [o for o in made if o.status == OfferStatus.OFFERED]
        state = NO_OFFER if not made else OFFERED if asked else UNANSWERED
        waiting = now - request.created_at
        found.append(
            OpenEmergency(
                request=request,
                state=state,
                waiting=waiting,
                offered_to=asked[0].caregiver.name if asked else None,
                overdue=state == NO_OFFER and waiting >= limit,
            )
        )
    rank = {NO_OFFER: 0, UNANSWERED: 1, OFFERED: 2}
    found.sort(key=lambda e: rank[e.state])
    return found


def mark(request_id: int) -> str:
    """How an alert names its emergency, first in its message (as escalations do)."""
    return f"#{request_id} "


def raise_no_offer_alerts(session: AnySession, now: dt.datetime) -> int:
    """One alert per emergency that has had no offer for longer than the setting allows;
    returns how many it raised."""
    raised = 0
    for item in open_emergencies(session, now):
        if not item.overdue:
            continue
        request = item.request
        already = session.scalar(
            select(Alert.id).where(
                Alert.kind == AlertKind.EMERGENCY_NO_OFFER,
                Alert.message.startswith(mark(request.id), autoescape=True),
            )
        )
        if already is not None:
            continue
        elder = request.elder
        session.add(
            Alert(
                kind=AlertKind.EMERGENCY_NO_OFFER,
                elder_id=elder.id,
                station_id=elder.station_id,
                message=f"{mark(request.id)}{elder.name} ({elder.code}) "
                f"{request.created_at.astimezone(local_zone()):%H:%M}",
                created_at=now,
                last_seen_at=now,
            )
        )
        raised += 1
    session.flush()
    return raised


def resolve_no_offer_alerts(
    session: AnySession, now: dt.datetime, request_id: int | None = None
) -> int:
    """Close the open no-offer alerts whose emergency now has an offer or is no longer
    open (``request_id``: only that emergency's). Closed by nobody, as other alerts
    resolve themselves."""
    query = select(Alert).where(
        Alert.kind == AlertKind.EMERGENCY_NO_OFFER, Alert.acknowledged_at.is_(None)
    )
    if request_id is not None:
        query = query.where(Alert.message.startswith(mark(request_id), autoescape=True))
    closed = 0
    for alert in session.scalars(query):
        wanted = _request_id(alert.message)
        request = session.get(ServiceRequest, wanted) if wanted is not None else None
        has_offer = request is not None and (
            session.scalar(
                select(EmergencyOffer.id).where(EmergencyOffer.request_id == request.id).limit(1)
            )
            is not None
        )
        if request is None or has_offer or request.status != RequestStatus.OPEN:
            alert.acknowledged_at = now
            closed += 1
    session.flush()
    return closed


def _request_id(message: str) -> int | None:
    head = message.split(" ", 1)[0]
    return int(head[1:]) if head.startswith("#") and head[1:].isdigit() else None
