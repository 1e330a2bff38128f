"""Visit events from the phone: recorded once per idempotency key, and the visit's state
derived from all its events in the order the phone recorded them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from carehub.alerts import services as alerts
from carehub.assessment.services import flag_change
from carehub.auth.models import User
from carehub.core.enums import RequestStatus, VisitStatus
from carehub.core.errors import ConflictError, DomainError
from carehub.core.time import now
from carehub.db import AnySession
from carehub.dispatch.models import Visit
from carehub.fieldwork import checklists, route
from carehub.fieldwork.models import VisitEvent
from carehub.fieldwork.payloads import EventInput
from carehub.fieldwork.vocab import EventType, Flag, Outcome
from carehub.geo.travel import distance_m
from carehub.outcomes import consequences
from carehub.subsidy.reconciliation import receipts

# Phones' clocks drift; only a clock well ahead of the server's is worth a flag.
CLOCK_AHEAD_TOLERANCE = dt.timedelta(minutes=5)


class KeyReused(DomainError):
    """The idempotency key was already used for a different request body."""

    status_code = 422


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    replayed: bool


def body_hash(visit_id: int, body: dict[str, Any]) -> str:
    canonical = json.dumps({"visit_id": visit_id, "body": body}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def find_by_key(session: AnySession, user_id: int, key: str) -> VisitEvent | None:
    return session.scalar(
        select(VisitEvent).where(VisitEvent.user_id == user_id, VisitEvent.idempotency_key == key)
    )


def replay(event: VisitEvent, digest: str) -> Answer:
    if event.body_hash != digest:
        raise KeyReused(
            _("This idempotency key was already used for a different event. Use a new key.")
        )
    return Answer(event.response_status, dict(event.response_body or {}), replayed=True)


def record(session: AnySession, user: User, visit: Visit, data: EventInput, digest: str) -> Answer:
    """Store a new event and bring the visit up to date. The caller has checked that the key
    is unused; a concurrent twin is stopped by the unique key at flush."""
    if visit.status == VisitStatus.CANCELLED:
        raise ConflictError(_("This visit was cancelled."))
    if data.checklist:
        known = {item.code for item in checklists.items_for(session, visit.request.service_type_id)}
        unknown = [code for code in data.checklist if code not in known]
        if unknown:
            # Well formed, but not on this visit's checklist (which administrators keep): a
            # conflict with the visit's state, as a cancelled visit is.
            raise ConflictError(
                _("Not on this visit's checklist: %(codes)s.", codes=", ".join(unknown))
            )
    received = now()
    distance, flags = _place(visit, data)
    if data.recorded_at > received + CLOCK_AHEAD_TOLERANCE:
        flags.append(Flag.CLOCK_AHEAD)
    event = VisitEvent(
        visit_id=visit.id,
        user_id=user.id,
        type=data.type,
        idempotency_key=data.idempotency_key,
        body_hash=digest,
        recorded_at=data.recorded_at,
        received_at=received,
        lat=data.lat,
        lon=data.lon,
        accuracy_m=data.accuracy_m,
        distance_m=distance,
        flags=[str(f) for f in flags],
        outcome=data.outcome,
        checklist=data.checklist if data.type == EventType.OUTCOME else None,
        text=data.text,
        response_status=201,
    )
    session.add(event)
    # Insert first: a twin post with the same key fails here, before touching the visit.
    session.flush()
    apply_events(visit, route.events_of(session, visit.id))
    # A late or missed alert's cause ends with the check-in (or the reported outcome).
    alerts.resolve_visit_alerts(session, received, [visit.id])
    consequences.after_event(session, visit, received)
    if data.type == EventType.CHECK_OUT and visit.check_out_at == event.recorded_at:
        # The subsidy audit judges how long the check-out took to reach the server.
        receipts.note_check_out(session, visit.id, received)
    if data.type == EventType.CONDITION_CHANGE:
        flag_change(session, visit.request.elder, data.text or "", user.id, data.recorded_at)
    session.flush()
    event.response_body = {"event": event_json(event), "visit": route.visit_state(visit)}
    session.flush()
    return Answer(201, event.response_body, replayed=False)


def _place(visit: Visit, data: EventInput) -> tuple[float | None, list[Flag]]:
    """Distance from the elder's home, and the flags a check-in or check-out earns."""
    if data.type not in (EventType.CHECK_IN, EventType.CHECK_OUT):
        return None, []
    if data.lat is None or data.lon is None:
        return None, [Flag.NO_LOCATION]
    elder = visit.request.elder
    if elder.lat is None or elder.lon is None:
        return None, []
    distance = round(distance_m((data.lat, data.lon), (elder.lat, elder.lon)), 1)
    radius = float(current_app.config["MOBILE_CHECKIN_RADIUS_M"])
    return distance, [Flag.FAR_FROM_HOME] if distance > radius else []


def apply_events(visit: Visit, events: list[VisitEvent]) -> None:
    """Set check-in, check-out, outcome and status from the events in recorded order.

    The first check-in and the last check-out count, so a check-out that arrived before
    its check-in, or a repeated tap, gives the same visit as a tidy sequence would.
    """
    ordered = sorted(events, key=lambda e: (e.recorded_at, e.received_at, e.id or 0))
    check_ins = [e for e in ordered if e.type == EventType.CHECK_IN]
    check_outs = [e for e in ordered if e.type == EventType.CHECK_OUT]
    outcomes = [e for e in ordered if e.type == EventType.OUTCOME]
    if check_ins:
        first = check_ins[0]
        visit.check_in_at = first.recorded_at
        visit.check_in_lat, visit.check_in_lon = first.lat, first.lon
        visit.check_in_accuracy_m = first.accuracy_m
    if check_outs:
        last = check_outs[-1]
        visit.check_out_at = last.recorded_at
        visit.check_out_lat, visit.check_out_lon = last.lat, last.lon
        visit.check_out_accuracy_m = last.accuracy_m
    if outcomes:
        visit.outcome = outcomes[-1].outcome

    if visit.outcome and visit.outcome != Outcome.DONE:
        visit.status = VisitStatus.MISSED
    elif check_outs:
        visit.status = VisitStatus.COMPLETED
    elif check_ins:
        visit.status = VisitStatus.CHECKED_IN
    if visit.status == VisitStatus.COMPLETED:
        visit.request.status = RequestStatus.DONE


def event_json(event: VisitEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "visit_id": event.visit_id,
        "type": event.type,
        "idempotency_key": event.idempotency_key,
        "recorded_at": route.iso_local(event.recorded_at),
        "received_at": route.iso_local(event.received_at),
        "lat": event.lat,
        "lon": event.lon,
        "accuracy_m": event.accuracy_m,
        "distance_m": event.distance_m,
        "flags": list(event.flags or []),
        "outcome": event.outcome,
        "checklist": event.checklist,
        "text": event.text,
    }
