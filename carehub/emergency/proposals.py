"""Who should go: the best caregivers for an emergency, each with an ETA and its cost.

A caregiver qualifies when active, with the service's skill, working today and on shift
now, not away, and not on the elder's "do not send" list. Each goes from where they are (see ``positions``) when free; the rest of their
published day then follows from the elder's home. Disruption is measured as replan does:
visits that now start later than they would have, and by how many minutes in all.

The score weighs a minute of the elder's wait above a minute of others' delay, and a
minute beyond the 15-minute promise far above both, so a nearby caregiver with a full
route still beats an idle one who would arrive too late.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from carehub.availability import services as availability
from carehub.core.enums import VisitStatus
from carehub.core.time import local_zone
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.emergency.positions import Position, locate
from carehub.geo.travel import LatLon, TravelModel
from carehub.registry.models import Caregiver, Elder, Skill
from carehub.routing.repair.replan import MOVE_COST

PROMISE = dt.timedelta(minutes=15)
URGENCY = 4  # a second of the elder's wait weighs as four seconds of others' delay
LATE_WEIGHT = 20  # each second beyond the promise weighs twenty more
SHORTLIST = 12  # nearest caregivers (straight line) whose routes are simulated
ALTERNATIVES = 2


@dataclass(frozen=True)
class Proposal:
    caregiver: Caregiver
    source: str  # where they start from: positions.AT_VISIT, LAST_CHECK_IN, ...
    eta: dt.datetime
    travel_seconds: int
    wait_seconds: int  # until free at the current visit
    visits_moved: int
    minutes_moved: int
    cost: int

    def eta_minutes(self, now: dt.datetime) -> int:
        return max(0, math.ceil((self.eta - now).total_seconds() / 60))

    @property
    def travel_minutes(self) -> int:
        return math.ceil(self.travel_seconds / 60)

    @property
    def wait_minutes(self) -> int:
        return math.ceil(self.wait_seconds / 60)


def on_shift(caregiver: Caregiver, now: dt.datetime) -> bool:
    local = now.astimezone(local_zone())
    wall = local.time().replace(tzinfo=None)
    return caregiver.works_on(local.date()) and caregiver.shift_start <= wall < caregiver.shift_end


def eligible(session: AnySession, skill: Skill | None, now: dt.datetime) -> list[Caregiver]:
    stmt = (
        select(Caregiver)
        .where(Caregiver.active.is_(True))
        .options(selectinload(Caregiver.skills), selectinload(Caregiver.station))
        .order_by(Caregiver.code)
    )
    if skill is not None:
        stmt = stmt.where(Caregiver.skills.any(Skill.id == skill.id))
    return [c for c in session.scalars(stmt) if on_shift(c, now)]


def _visits_today(
    session: AnySession, caregivers: Collection[Caregiver], now: dt.datetime
) -> dict[int, list[Visit]]:
    day = now.astimezone(local_zone()).date()
    found: dict[int, list[Visit]] = defaultdict(list)
    if not caregivers:
        return found
    rows = session.scalars(
        select(Visit)
        .join(ServiceRequest, ServiceRequest.id == Visit.request_id)
        .where(
            Visit.caregiver_id.in_([c.id for c in caregivers]),
            ServiceRequest.service_date == day,
            Visit.status.in_(
                (VisitStatus.PUBLISHED, VisitStatus.CHECKED_IN, VisitStatus.COMPLETED)
            ),
        )
        .options(
            selectinload(Visit.request).selectinload(ServiceRequest.elder),
            selectinload(Visit.request).selectinload(ServiceRequest.service_type),
        )
    )
    for visit in rows:
        found[visit.caregiver_id].append(visit)  # type: ignore[index]
    return found


def _starts(
    model: TravelModel, mode: str, at: LatLon, ready: dt.datetime, position: Position
) -> list[dt.datetime]:
    """When each visit ahead starts when leaving ``at`` at ``ready``; never before its
    published start."""
    starts = []
    for stop in position.ahead:
        arrival = ready + dt.timedelta(seconds=model.seconds(at, stop.at, mode))
        start = max(arrival, stop.start)
        starts.append(start)
        at, ready = stop.at, start + dt.timedelta(minutes=stop.minutes)
    return starts


def evaluate(
    model: TravelModel,
    caregiver: Caregiver,
    position: Position,
    elder_at: LatLon,
    service_minutes: int,
    now: dt.datetime,
) -> Proposal:
    mode = str(caregiver.travel_mode)
    travel = model.seconds(position.at, elder_at, mode)
    eta = position.free_at + dt.timedelta(seconds=travel)
    before = _starts(model, mode, position.at, position.free_at, position)
    after = _starts(model, mode, elder_at, eta + dt.timedelta(minutes=service_minutes), position)
    # Visits already due and not yet started do not count as moved by the emergency.
    delays = [(a - max(b, now)).total_seconds() for a, b in zip(after, before, strict=True)]
    moved = [d for d in delays if d > 0]
    wait = (eta - now).total_seconds()
    late = max(0.0, wait - PROMISE.total_seconds())
    cost = URGENCY * wait + LATE_WEIGHT * late + MOVE_COST * len(moved) + sum(moved)
    return Proposal(
        caregiver=caregiver,
        source=position.source,
        eta=eta,
        travel_seconds=travel,
        wait_seconds=int((position.free_at - now).total_seconds()),
        visits_moved=len(moved),
        minutes_moved=math.ceil(sum(moved) / 60),
        cost=int(cost),
    )


def propose(
    session: AnySession,
    request: ServiceRequest,
    now: dt.datetime,
    model: TravelModel,
    exclude: Collection[int] = (),
    count: int = 1 + ALTERNATIVES,
) -> list[Proposal]:
    """The ``count`` best caregivers for the emergency ``request``, best first."""
    elder: Elder = request.elder
    if elder.lat is None or elder.lon is None:
        return []
    elder_at = (elder.lat, elder.lon)
    service = request.service_type
    pool = [c for c in eligible(session, service.skill, now) if c.id not in exclude]
    pool = availability.usable(session, elder, pool, now)
    visits = _visits_today(session, pool, now)
    positions = {c.id: locate(c, visits.get(c.id, []), now) for c in pool}

    def rough(c: Caregiver) -> float:
        # Arrival alone; the route simulation (a travel estimate per visit ahead) is
        # kept for the nearest few.
        p = positions[c.id]
        seconds = model.seconds(p.at, elder_at, str(c.travel_mode))
        return (p.free_at - now).total_seconds() + seconds

    shortlist = sorted(pool, key=lambda c: (rough(c), c.code))[: max(SHORTLIST, count)]
    ranked = sorted(
        (
            evaluate(model, c, positions[c.id], elder_at, service.duration_min, now)
            for c in shortlist
        ),
        key=lambda p: (p.cost, p.eta, p.caregiver.code),
    )
    return ranked[:count]
