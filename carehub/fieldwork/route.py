"""A caregiver's route for a day and the JSON the phone reads."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from carehub.core.enums import RequestOrigin, VisitStatus
from carehub.core.time import local_to_utc, to_local
from carehub.db import AnySession
from carehub.dispatch.models import MealRound, ServiceRequest, Visit
from carehub.fieldwork import checklists
from carehub.fieldwork.models import ChecklistItem, VisitEvent
from carehub.fieldwork.vocab import EventType

# A dispatcher's draft is not the caregiver's business until it is published.
VISIBLE = (
    VisitStatus.PUBLISHED,
    VisitStatus.CHECKED_IN,
    VisitStatus.COMPLETED,
    VisitStatus.MISSED,
)


def iso_local(value: dt.datetime | None) -> str | None:
    local = to_local(value)
    return local.isoformat(timespec="seconds") if local else None


def own_visit(session: AnySession, caregiver_id: int, visit_id: int) -> Visit | None:
    """The visit if it is this caregiver's and was published; otherwise None, as for a
    missing one. A cancelled visit is still theirs, so a late event hears why it failed."""
    visit = session.get(Visit, visit_id)
    if visit is None or visit.caregiver_id != caregiver_id:
        return None
    if visit.status not in (*VISIBLE, VisitStatus.CANCELLED):
        return None
    return visit


def visits_on(session: AnySession, caregiver_id: int, day: dt.date) -> list[Visit]:
    """Emergencies first, then the route in its planned order."""
    start = local_to_utc(day, dt.time(0, 0))
    end = local_to_utc(day + dt.timedelta(days=1), dt.time(0, 0))
    rows = session.scalars(
        select(Visit)
        .join(ServiceRequest, Visit.request_id == ServiceRequest.id)
        .where(
            Visit.caregiver_id == caregiver_id,
            Visit.status.in_(VISIBLE),
            Visit.planned_start >= start,
            Visit.planned_start < end,
        )
        .order_by(Visit.planned_start, Visit.route_seq, Visit.id)
        # The phone's JSON reads each visit's elder and service: one query, not one each.
        .options(
            joinedload(Visit.request).joinedload(ServiceRequest.elder),
            joinedload(Visit.request).joinedload(ServiceRequest.service_type),
        )
    )
    visits = list(rows)
    return sorted(visits, key=lambda v: v.request.origin != RequestOrigin.EMERGENCY)


def navigation_url(address: str, lat: float | None, lon: float | None) -> str:
    """Amap's web link, which opens the Amap app on the phone when it is installed."""
    if lat is not None and lon is not None:
        return (
            f"https://uri.amap.com/marker?position={lon:.6f},{lat:.6f}"
            f"&name={quote(address)}&coordinate=wgs84&callnative=1"
        )
    return f"https://uri.amap.com/search?keyword={quote(address)}&callnative=1"


def events_of(session: AnySession, visit_id: int) -> list[VisitEvent]:
    return list(
        session.scalars(
            select(VisitEvent)
            .where(VisitEvent.visit_id == visit_id)
            .order_by(VisitEvent.recorded_at, VisitEvent.received_at, VisitEvent.id)
        )
    )


def events_by_visit(session: AnySession, visit_ids: list[int]) -> dict[int, list[VisitEvent]]:
    """``events_of`` for a whole route in one query."""
    found: dict[int, list[VisitEvent]] = defaultdict(list)
    if visit_ids:
        for event in session.scalars(
            select(VisitEvent)
            .where(VisitEvent.visit_id.in_(visit_ids))
            .order_by(VisitEvent.recorded_at, VisitEvent.received_at, VisitEvent.id)
        ):
            found[event.visit_id].append(event)
    return found


def route_json(session: AnySession, visits: list[Visit], locale: str) -> list[dict[str, Any]]:
    """The day's visits as the phone reads them, with the events and checklists of the
    whole route loaded once rather than per visit."""
    events = events_by_visit(session, [v.id for v in visits])
    lists: dict[int, list[ChecklistItem]] = {}
    for visit in visits:
        service_id = visit.request.service_type_id
        if service_id not in lists:
            lists[service_id] = checklists.items_for(session, service_id)
    return [
        visit_json(session, v, locale, events[v.id], lists[v.request.service_type_id])
        for v in visits
    ]


def visit_state(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.id,
        "status": str(visit.status),
        "check_in_at": iso_local(visit.check_in_at),
        "check_out_at": iso_local(visit.check_out_at),
        "outcome": visit.outcome,
    }


def visit_json(
    session: AnySession,
    visit: Visit,
    locale: str,
    events: list[VisitEvent] | None = None,
    checklist: list[ChecklistItem] | None = None,
) -> dict[str, Any]:
    request = visit.request
    elder = request.elder
    service = request.service_type
    if events is None:
        events = events_of(session, visit.id)
    if checklist is None:
        checklist = checklists.items_for(session, service.id)
    outcomes = [e for e in events if e.type == EventType.OUTCOME]
    flags = sorted({flag for e in events for flag in (e.flags or [])})
    return {
        **visit_state(visit),
        "route_seq": visit.route_seq,
        "meal_round": visit.meal_round_id,
        "planned_start": iso_local(visit.planned_start),
        "planned_end": iso_local(visit.planned_end),
        "emergency": request.origin == RequestOrigin.EMERGENCY,
        "instructions": request.note or visit.note,
        "service": {
            "code": service.code,
            "name": service.display_name(locale),
            "duration_min": service.duration_min,
        },
        "elder": {
            "name": elder.name,
            "phone": elder.phone or None,
            "address": elder.address,
            "lat": elder.lat,
            "lon": elder.lon,
            "notes": elder.notes,
            "diet_notes": elder.diet_notes,
        },
        "navigation_url": navigation_url(elder.address, elder.lat, elder.lon),
        "checklist": [{"code": item.code, "label": item.label(locale)} for item in checklist],
        "checklist_done": list(outcomes[-1].checklist or []) if outcomes else [],
        "notes": [
            {"text": e.text, "recorded_at": iso_local(e.recorded_at)}
            for e in events
            if e.type == EventType.NOTE
        ],
        "condition_changes": [
            {"text": e.text, "recorded_at": iso_local(e.recorded_at)}
            for e in events
            if e.type == EventType.CONDITION_CHANGE
        ],
        "flags": flags,
    }


def own_round(session: AnySession, caregiver_id: int, round_id: int) -> MealRound | None:
    """The round if it is this caregiver's and holds a drop published to them."""
    found = session.get(MealRound, round_id)
    if found is None or found.caregiver_id != caregiver_id:
        return None
    if not any(v.status in VISIBLE and v.caregiver_id == caregiver_id for v in found.visits):
        return None
    return found


def round_json(found: MealRound, drops: list[Visit]) -> dict[str, Any]:
    """A round as the phone shows it: collect these meals here, then drop them in order."""
    place = found.kitchen or found.canteen_station
    lat = place.lat if place is not None else None
    lon = place.lon if place is not None else None
    return {
        "id": found.id,
        "position": found.position,
        "collect_at": iso_local(found.collect_at),
        "collected_at": iso_local(found.collected_at),
        "kitchen": {
            "name": found.place_name,
            "address": found.place_address,
            "lat": lat,
            "lon": lon,
        },
        "navigation_url": navigation_url(found.place_address, lat, lon),
        "meals": [
            {
                "visit_id": v.id,
                "elder": v.request.elder.name,
                "address": v.request.elder.address,
                "diet_notes": v.request.elder.diet_notes,
            }
            for v in drops
        ],
    }


def rounds_of(visits: list[Visit]) -> list[dict[str, Any]]:
    """The rounds the caregiver's visits belong to, in the order of their first drop; each
    lists only those visits."""
    drops: dict[int, list[Visit]] = {}
    rounds: dict[int, MealRound] = {}
    for visit in visits:
        if visit.meal_round is not None:
            rounds[visit.meal_round.id] = visit.meal_round
            drops.setdefault(visit.meal_round.id, []).append(visit)
    return [round_json(rounds[rid], meals) for rid, meals in drops.items()]
