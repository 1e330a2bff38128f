"""Accepting and declining emergency offers from the phone.

Only the response side lives here: an offer names a request and a caregiver; the first
caregiver to accept gets a published visit starting now, and the request's other open
offers are withdrawn.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from carehub.alerts import services as alerts
from carehub.core.enums import RequestStatus, VisitStatus
from carehub.core.errors import ConflictError
from carehub.core.time import now
from carehub.db import AnySession
from carehub.dispatch import retime
from carehub.dispatch.models import Visit
from carehub.fieldwork import route
from carehub.fieldwork.models import EmergencyOffer
from carehub.fieldwork.vocab import OfferStatus
from carehub.registry.models import Caregiver


def own_offer(session: AnySession, caregiver_id: int, offer_id: int) -> EmergencyOffer | None:
    offer = session.get(EmergencyOffer, offer_id)
    if offer is None or offer.caregiver_id != caregiver_id:
        return None
    return offer


def open_offers(session: AnySession, caregiver_id: int) -> list[EmergencyOffer]:
    return list(
        session.scalars(
            select(EmergencyOffer)
            .where(
                EmergencyOffer.caregiver_id == caregiver_id,
                EmergencyOffer.status == OfferStatus.OFFERED,
            )
            .order_by(EmergencyOffer.offered_at, EmergencyOffer.id)
        )
    )


def _room_for(
    session: AnySession, caregiver: Caregiver, start: dt.datetime, end: dt.datetime
) -> list[retime.Change]:
    """The pushes that clear ``start``-``end`` on the caregiver's published visits."""
    later = session.scalars(
        select(Visit)
        .where(
            Visit.caregiver_id == caregiver.id,
            Visit.status == VisitStatus.PUBLISHED,
            Visit.planned_start.is_not(None),
            Visit.planned_end > start,
        )
        .order_by(Visit.planned_start, Visit.id)
    )
    changes = []
    free = end
    for v in later:
        assert v.planned_start is not None and v.planned_end is not None
        if v.planned_start >= free:
            break
        length = v.planned_end - v.planned_start
        changes.append(retime.Change(v, free, free + length))
        free += length
    return changes


def accept(session: AnySession, offer: EmergencyOffer) -> EmergencyOffer:
    """Take the job. Accepting twice is harmless; accepting a taken or declined one is not."""
    if offer.status == OfferStatus.ACCEPTED:
        return offer
    if offer.status != OfferStatus.OFFERED:
        raise ConflictError(_("This emergency is no longer offered to you."))
    request = offer.request
    if request.status in (RequestStatus.SCHEDULED, RequestStatus.DONE, RequestStatus.CANCELLED):
        raise ConflictError(_("Someone else has already taken this emergency."))
    caregiver: Caregiver = offer.caregiver
    start = now()
    end = start + dt.timedelta(minutes=request.service_type.duration_min)
    # The emergency goes first: the caregiver's published visits it runs into move later,
    # each after the one before, so no two of theirs share time.
    retime.write(session, _room_for(session, caregiver, start, end))
    visit = Visit(
        request=request,
        caregiver=caregiver,
        planned_start=start,
        planned_end=end,
        route_seq=0,
        status=VisitStatus.PUBLISHED,
    )
    session.add(visit)
    request.status = RequestStatus.SCHEDULED
    offer.status = OfferStatus.ACCEPTED
    offer.responded_at = start
    offer.visit = visit
    for other in session.scalars(
        select(EmergencyOffer).where(
            EmergencyOffer.request_id == request.id,
            EmergencyOffer.id != offer.id,
            EmergencyOffer.status == OfferStatus.OFFERED,
        )
    ):
        other.status = OfferStatus.WITHDRAWN
    alerts.resolve_emergency_alerts(session, request.id, start)
    session.flush()
    return offer


def decline(session: AnySession, offer: EmergencyOffer, reason: str | None) -> EmergencyOffer:
    if offer.status == OfferStatus.DECLINED:
        return offer
    if offer.status != OfferStatus.OFFERED:
        raise ConflictError(_("This emergency is no longer offered to you."))
    offer.status = OfferStatus.DECLINED
    offer.responded_at = now()
    offer.decline_reason = reason
    session.flush()
    return offer


def offer_json(offer: EmergencyOffer, locale: str) -> dict[str, Any]:
    request = offer.request
    elder = request.elder
    return {
        "id": offer.id,
        "status": str(offer.status),
        "offered_at": route.iso_local(offer.offered_at),
        "responded_at": route.iso_local(offer.responded_at),
        "visit_id": offer.visit_id,
        "service": request.service_type.display_name(locale),
        "note": request.note,
        "elder": {
            "name": elder.name,
            "phone": elder.phone or None,
            "address": elder.address,
        },
        "navigation_url": route.navigation_url(elder.address, elder.lat, elder.lon),
    }
