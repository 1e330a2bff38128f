"""An emergency's story: received, offered, answered, arrived, closed; and its response time
against the promise. Everything is read from the request, its offers and its visit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from carehub.core.enums import RequestStatus
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.emergency.proposals import PROMISE
from carehub.fieldwork.models import EmergencyOffer
from carehub.fieldwork.vocab import OfferStatus

RECEIVED = "received"
OFFERED = "offered"
ACCEPTED = "accepted"
DECLINED = "declined"
EXPIRED = "expired"
WITHDRAWN = "withdrawn"
ARRIVED = "arrived"
CLOSED = "closed"
# Overall status of an emergency, beyond the timeline's steps.
WAITING = "waiting"  # nobody asked yet, or everyone asked has said no
CANCELLED = "cancelled"


@dataclass(frozen=True)
class Step:
    what: str
    at: dt.datetime
    caregiver: str | None = None
    note: str | None = None


@dataclass
class Timeline:
    steps: list[Step] = field(default_factory=list)
    status: str = WAITING
    received_at: dt.datetime | None = None
    arrived_at: dt.datetime | None = None

    @property
    def response_minutes(self) -> int | None:
        if self.received_at is None or self.arrived_at is None:
            return None
        return int((self.arrived_at - self.received_at).total_seconds() // 60)

    @property
    def within_promise(self) -> bool | None:
        if self.received_at is None or self.arrived_at is None:
            return None
        return self.arrived_at - self.received_at <= PROMISE

    def at(self, what: str) -> dt.datetime | None:
        return next((s.at for s in self.steps if s.what == what), None)


_ANSWERS = {
    OfferStatus.ACCEPTED: ACCEPTED,
    OfferStatus.DECLINED: DECLINED,
    OfferStatus.EXPIRED: EXPIRED,
    OfferStatus.WITHDRAWN: WITHDRAWN,
}


def build(request: ServiceRequest, offers: list[EmergencyOffer]) -> Timeline:
    line = Timeline(received_at=request.created_at)
    line.steps.append(Step(RECEIVED, request.created_at, note=request.note))
    visit: Visit | None = None
    for offer in offers:
        who = offer.caregiver.name
        line.steps.append(Step(OFFERED, offer.offered_at, who))
        answer = _ANSWERS.get(OfferStatus(offer.status))
        if answer and offer.responded_at is not None:
            line.steps.append(Step(answer, offer.responded_at, who, offer.decline_reason))
        if offer.status == OfferStatus.ACCEPTED:
            visit = offer.visit
            line.status = ACCEPTED
        elif offer.status == OfferStatus.OFFERED:
            line.status = OFFERED
    if visit is not None and visit.check_in_at is not None:
        line.arrived_at = visit.check_in_at
        line.steps.append(
            Step(ARRIVED, visit.check_in_at, visit.caregiver.name if visit.caregiver else None)
        )
        line.status = ARRIVED
        if visit.check_out_at is not None:
            line.steps.append(Step(CLOSED, visit.check_out_at))
            line.status = CLOSED
    if request.status == RequestStatus.CANCELLED:
        line.status = CANCELLED
    line.steps.sort(key=lambda s: s.at)
    return line
