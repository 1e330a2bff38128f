"""Raising an emergency, offering it to a caregiver, and escalating unanswered offers.

An emergency is a ServiceRequest of origin ``emergency`` and the ``emergency`` service
type, for the local day it was received. Offers are ``EmergencyOffer`` rows; the phone
accepts or declines them (``carehub.mobile.emergencies``). Services flush; the request or
job commits.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from carehub.alerts.models import Alert
from carehub.core import audit
from carehub.core.enums import AlertKind, ElderStatus, RequestOrigin, RequestStatus
from carehub.core.errors import ConflictError, DomainError, FieldError
from carehub.core.time import local_zone
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest
from carehub.emergency import proposals, queue
from carehub.fieldwork.models import EmergencyOffer
from carehub.fieldwork.vocab import OfferStatus
from carehub.geo.travel import current_model
from carehub.notify import feed
from carehub.registry.models import Caregiver, Elder, ServiceType

SERVICE_CODE = "emergency"
NOTE_MAX = 2000
# Offers whose request is still waiting for a caregiver.
ANSWERED = (OfferStatus.DECLINED, OfferStatus.EXPIRED, OfferStatus.WITHDRAWN)


def service_type(session: AnySession) -> ServiceType:
    found = session.scalar(select(ServiceType).where(ServiceType.code == SERVICE_CODE))
    if found is None or not found.active:
        raise DomainError(_("The emergency service type is missing or inactive."))
    return found


class OutOfScope(DomainError):
    """The elder belongs to a station outside the caller's scope."""

    status_code = 403


def find_elder(session: AnySession, code: object, scope: int | None = None) -> Elder:
    """The elder with this code; ``scope`` (a dispatcher's station) refuses other stations'."""
    if not isinstance(code, str) or not code.strip():
        raise FieldError("elder_code", _("Give the elder's code."))
    elder = session.scalar(select(Elder).where(Elder.code == code.strip()))
    if elder is None:
        raise FieldError("elder_code", _("No elder has this code."))
    if scope is not None and elder.station_id != scope:
        raise OutOfScope(_("This elder belongs to another station than yours."))
    return elder


def clean_note(note: object) -> str | None:
    if note is None:
        return None
    if not isinstance(note, str):
        raise FieldError("note", _("The note must be text."))
    if len(note) > NOTE_MAX:
        raise FieldError("note", _("The note is too long (at most 2000 characters)."))
    return note.strip() or None


def raise_emergency(
    session: AnySession, elder: Elder, note: str | None, now: dt.datetime
) -> ServiceRequest:
    """Record the call. Its window runs from now for the promised response time."""
    local = now.astimezone(local_zone())
    if not elder.is_active_on(local.date()):
        raise FieldError(
            "elder_code",
            _(
                "This elder is not active (%(status)s).",
                status=ElderStatus(elder.status_on(local.date())),
            ),
        )
    start = local.time().replace(second=0, microsecond=0, tzinfo=None)
    end_at = local + proposals.PROMISE
    # A call just before midnight keeps its window within the day it was received.
    end = end_at.time().replace(tzinfo=None) if end_at.date() == local.date() else dt.time(23, 59)
    kind = service_type(session)
    request = ServiceRequest(
        elder=elder,
        service_type=kind,
        service_date=local.date(),
        window_start=start,
        window_end=max(end, start),
        priority=min(1, kind.priority),
        origin=RequestOrigin.EMERGENCY,
        status=RequestStatus.OPEN,
        note=note,
        created_at=now,
    )
    session.add(request)
    session.flush()
    return request


def get(session: AnySession, emergency_id: int, scope: int | None = None) -> ServiceRequest | None:
    """The emergency with this id, or None when there is none, or when ``scope`` (a
    dispatcher's station) is not its elder's: other stations' emergencies look missing."""
    request = session.get(ServiceRequest, emergency_id)
    if request is None or request.origin != RequestOrigin.EMERGENCY:
        return None
    if scope is not None and request.elder.station_id != scope:
        return None
    return request


def offers(session: AnySession, request: ServiceRequest) -> list[EmergencyOffer]:
    return list(
        session.scalars(
            select(EmergencyOffer)
            .where(EmergencyOffer.request_id == request.id)
            .order_by(EmergencyOffer.offered_at, EmergencyOffer.id)
        )
    )


def propose(
    session: AnySession, request: ServiceRequest, now: dt.datetime
) -> list[proposals.Proposal]:
    """The best caregivers not yet asked, best first."""
    asked = {o.caregiver_id for o in offers(session, request)}
    return proposals.propose(session, request, now, current_model(), exclude=asked)


def _check_open(session: AnySession, request: ServiceRequest) -> None:
    if request.status != RequestStatus.OPEN:
        raise ConflictError(_("This emergency is already taken care of."))
    if any(o.status == OfferStatus.OFFERED for o in offers(session, request)):
        raise ConflictError(_("This emergency is already offered to a caregiver."))


def assign(
    session: AnySession, request: ServiceRequest, caregiver_code: object, now: dt.datetime
) -> EmergencyOffer:
    """The dispatcher's choice: offer the emergency to this caregiver."""
    if not isinstance(caregiver_code, str) or not caregiver_code.strip():
        raise FieldError("caregiver_code", _("Give the caregiver's code."))
    caregiver = session.scalar(select(Caregiver).where(Caregiver.code == caregiver_code.strip()))
    if caregiver is None or not caregiver.active:
        raise FieldError("caregiver_code", _("No active caregiver has this code."))
    skill = request.service_type.skill
    if not caregiver.has_skill(skill.code if skill else None):
        raise FieldError("caregiver_code", _("This caregiver lacks the skill the service needs."))
    _check_open(session, request)
    if any(o.caregiver_id == caregiver.id for o in offers(session, request)):
        raise ConflictError(_("This caregiver was already asked."))
    return _offer(session, request, caregiver, now)


def _offer(
    session: AnySession, request: ServiceRequest, caregiver: Caregiver, now: dt.datetime
) -> EmergencyOffer:
    offer = EmergencyOffer(
        request=request, caregiver=caregiver, status=OfferStatus.OFFERED, offered_at=now
    )
    session.add(offer)
    session.flush()
    queue.resolve_no_offer_alerts(session, now, request.id)
    return offer


def accept_minutes() -> int:
    return int(current_app.config["EMERGENCY_ACCEPT_MIN"])


def expire_overdue(session: AnySession, now: dt.datetime) -> int:
    """Offers not answered within EMERGENCY_ACCEPT_MIN expire and go to the next caregiver.

    Each offer is taken by a guarded update (only while still ``offered``), so of two
    overlapping runs only one escalates it; the other's update matches nothing.
    """
    cutoff = now - dt.timedelta(minutes=accept_minutes())
    overdue = session.scalars(
        select(EmergencyOffer.id)
        .join(ServiceRequest, ServiceRequest.id == EmergencyOffer.request_id)
        .where(
            EmergencyOffer.status == OfferStatus.OFFERED,
            EmergencyOffer.offered_at <= cutoff,
            ServiceRequest.origin == RequestOrigin.EMERGENCY,
        )
        .order_by(EmergencyOffer.offered_at, EmergencyOffer.id)
    ).all()
    escalated = 0
    for offer_id in overdue:
        taken = session.execute(
            update(EmergencyOffer)
            .where(EmergencyOffer.id == offer_id, EmergencyOffer.status == OfferStatus.OFFERED)
            .values(status=OfferStatus.EXPIRED, responded_at=now)
            # Recorded below as "expire", once the update is known to have taken it.
            .execution_options(synchronize_session=False, audit_recorded=True)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            continue
        offer = session.get(EmergencyOffer, offer_id)
        assert offer is not None
        session.refresh(offer)
        audit.record(session, "expire", "EmergencyOffer", offer.id, after={"status": "expired"})
        # The guarded update passes by the session hook that tells the phone; tell it here.
        feed.touch(session, {offer.caregiver_id})
        escalate(session, offer, now)
        escalated += 1
    return escalated


def after_decline(session: AnySession, offer: EmergencyOffer, now: dt.datetime) -> None:
    """A declined offer goes to the next caregiver at once, in the decline's transaction."""
    if offer.status != OfferStatus.DECLINED or offer.request.origin != RequestOrigin.EMERGENCY:
        return
    escalate(session, offer, now)


def escalate(session: AnySession, failed: EmergencyOffer, now: dt.datetime) -> None:
    """Offer the request to the best caregiver not yet asked and alert the dispatchers."""
    request = failed.request
    if request.status != RequestStatus.OPEN or any(
        o.status in (OfferStatus.OFFERED, OfferStatus.ACCEPTED) for o in offers(session, request)
    ):
        return
    best = propose(session, request, now)
    nxt = _offer(session, request, best[0].caregiver, now) if best else None
    elder = request.elder
    session.add(
        Alert(
            kind=AlertKind.EMERGENCY_ESCALATED,
            elder_id=elder.id,
            station_id=elder.station_id,
            message=(
                f"#{request.id} {elder.name} ({elder.code}): {failed.caregiver.name} "
                f"{failed.status} → {nxt.caregiver.name if nxt else '-'}"
            ),
            created_at=now,
            last_seen_at=now,
        )
    )
    session.flush()
