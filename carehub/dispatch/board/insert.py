"""Insert one unassigned request into today's published routes, previewed first.

The same machinery as a caregiver called in sick (``published.read_routes`` reads every
route of the day, ``routing.repair.replan.insert`` places the request where it moves least),
so the preview shows the caregiver(s), the start and every visit pushed later; confirming
writes exactly that, or refuses when the day changed since the preview. A meal joins a round
to come of its kitchen on the chosen route when the box, the hot-food limit and the windows
allow (``routing.repair.replan``), else it goes in as a round of its own: confirming stores
the meal in that round (or a new one), and every round the insertion moved is collected at
its new time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from flask_babel import gettext as _
from sqlalchemy import func, select

from carehub.core import audit
from carehub.core.enums import RequestStatus, VisitStatus
from carehub.core.errors import ConflictError, FieldError
from carehub.core.time import local_zone
from carehub.db import AnySession
from carehub.dispatch import adapters, meal_rounds, retime
from carehub.dispatch.board import published
from carehub.dispatch.models import MealRound, ServiceRequest, Visit
from carehub.dispatch.planning.services import day_requests, station_caregivers
from carehub.geo.matrix import MatrixProvider
from carehub.registry.models import Caregiver, MealSource
from carehub.routing import Route
from carehub.routing.problem import REASON_CAPACITY
from carehub.routing.repair.replan import Replan, insert

LIVE = (VisitStatus.PUBLISHED, VisitStatus.CHECKED_IN, VisitStatus.COMPLETED)
# It fits only by pushing a meal round's drops past the hot-food limit.
REASON_HOT = "meal would go cold"
DAY_SECONDS = 24 * 3600


@dataclass
class InsertPlan:
    request: ServiceRequest
    placed: list[tuple[Caregiver, dt.datetime, bool]] = field(default_factory=list)
    reason: str | None = None
    shifts: list[published.Shift] = field(default_factory=list)
    sequence: dict[int, int] = field(default_factory=dict)
    token: str = ""
    # A meal's round: where and when its caregiver collects it.
    collect: tuple[MealSource, dt.datetime] | None = None
    # The stored round the meal joins, or None for a round of its own.
    joins: MealRound | None = None
    # The new visit's place on each receiving route, by caregiver id.
    new_seq: dict[int, int] = field(default_factory=dict)
    # The new routes of the caregivers the insertion changed, by routing caregiver id.
    routes: dict[str, Route] = field(default_factory=dict)
    # The day's live visits by (routing caregiver id, routing visit id).
    rows: dict[tuple[str, str], Visit] = field(default_factory=dict)

    @property
    def joined_meals(self) -> int:
        """Meals the joined round carries with the new one."""
        if self.joins is None:
            return 0
        return len(meal_rounds.live_visits(self.joins)) + 1

    @property
    def shifted_minutes(self) -> int:
        return sum(s.minutes for s in self.shifts)


def insertable(request: ServiceRequest, now: dt.datetime) -> bool:
    today = now.astimezone(local_zone()).date()
    return (
        request.status == RequestStatus.OPEN
        and request.service_date == today
        and not any(v.status != VisitStatus.CANCELLED for v in request.visits)
    )


def preview(
    session: AnySession,
    request: ServiceRequest,
    now: dt.datetime,
    matrices: MatrixProvider | None = None,
) -> InsertPlan:
    """Where the request would go; changes nothing."""
    if not insertable(request, now):
        raise FieldError(
            "request_id", _("Only an open request of today without a visit can be inserted.")
        )
    day = request.service_date
    out = InsertPlan(request)
    home = request.elder.station
    if home is None:
        out.reason = published.REASON_SKIPPED
        return out
    stations = adapters.lending_stations(session, home)
    ids = [s.id for s in stations]
    data = adapters.build_day(
        day,
        stations,
        day_requests(session, day, ids),
        station_caregivers(session, ids),
        matrices or published.matrices(),
    )
    vid = adapters.visit_id(request)
    if vid not in data.requests:
        out.reason = data.skipped.get(request.id, published.REASON_SKIPPED)
        return out
    rows = [v for r in data.requests.values() for v in r.visits if v.status in LIVE]
    codes = {c.id: code for code, c in data.caregivers.items()}
    data.problem = adapters.as_planned(data.problem, rows)
    plan, fixed = published.read_routes(data, rows, codes)
    part, routes = published.part(data.problem, plan, set(data.caregivers), [vid], fixed)
    clock = published.now_seconds(day, now)
    result = insert(part, routes, clock, [vid], fixed)
    if vid not in result.inserted:
        out.reason = next((u.reason for u in result.plan.unassigned if u.visit == vid), None)
        out.reason = out.reason or REASON_CAPACITY
        if out.reason == REASON_CAPACITY and part.kitchens:
            # Would it fit if meals could not go cold? Then that is what to tell.
            lax = replace(part, meals=replace(part.meals, max_ride=DAY_SECONDS))
            if vid in insert(lax, routes, clock, [vid], fixed).inserted:
                out.reason = REASON_HOT
        return out
    _fill(out, data, result, rows, codes)
    return out


def _fill(
    out: InsertPlan,
    data: adapters.DayInput,
    result: Replan,
    rows: list[Visit],
    codes: dict[int, str],
) -> None:
    """The insertion's outcome: where the request goes, what it pushes later and the
    receiving routes' new order, and the token the confirm must find unchanged."""
    day, request = data.day, out.request
    vid = adapters.visit_id(request)
    known = {(adapters.visit_id(v.request), codes.get(v.caregiver_id or 0)): v for v in rows}
    out.rows = {(code, v): row for (v, code), row in known.items() if code is not None}
    changed = {m.caregiver for m in result.moves}
    for route in result.plan.routes:
        for stop in route.stops:
            if stop.visit == vid:
                cg = data.caregivers[route.caregiver]
                lent = cg.station_id != request.elder.station_id
                out.placed.append((cg, adapters.instant_of(day, stop.start), lent))
                changed.add(route.caregiver)
    for m in result.moves:
        row = known.get((m.visit, m.caregiver))
        if row is not None:
            out.shifts.append(published.Shift(row, adapters.instant_of(day, m.new_start)))
    for route in result.plan.routes:
        for col in route.collections:
            if vid in col.meals:
                out.collect = (data.kitchens[col.kitchen], adapters.instant_of(day, col.start))
                out.joins = _joined(out.rows, route.caregiver, col.meals)
        if route.caregiver in changed:
            out.routes[route.caregiver] = route
            for seq, stop in enumerate(route.stops, start=1):
                row = known.get((stop.visit, route.caregiver))
                if row is not None:
                    out.sequence[row.id] = seq
                elif stop.visit == vid:
                    out.new_seq[data.caregivers[route.caregiver].id] = seq
    parts = [f"p{c.id}@{t:%H%M}" for c, t, _ in out.placed]
    parts += [f"s{s.visit.id}:{s.visit.version}@{s.start:%H%M}" for s in out.shifts]
    parts += [f"q{k}:{v}" for k, v in sorted(out.sequence.items())]
    if out.collect is not None:
        parts.append(f"r{out.collect[0].key}@{out.collect[1]:%H%M}")
    if out.joins is not None:
        parts.append(f"j{out.joins.id}")
    out.token = ",".join(sorted(parts))


def apply(
    session: AnySession,
    request: ServiceRequest,
    now: dt.datetime,
    token: str,
    matrices: MatrixProvider | None = None,
) -> InsertPlan:
    """Write the previewed insertion; flushes, the caller commits or rolls back."""
    plan = preview(session, request, now, matrices)
    if not plan.placed or plan.token != token:
        raise ConflictError(
            _("The day changed since the preview. Check the new preview and confirm again.")
        )
    length = dt.timedelta(minutes=request.service_type.duration_min)
    retime.write(
        session,
        [
            retime.Change(s.visit, s.start, s.start + published.visit_length(s.visit))
            for s in plan.shifts
        ],
    )
    for vid, seq in plan.sequence.items():
        row = session.get(Visit, vid)
        if row is not None and row.route_seq != seq:
            row.route_seq = seq
    meal_rounds.retime(plan.routes, plan.rows, request.service_date)
    for cg, start, lent in plan.placed:
        session.add(
            Visit(
                meal_round=_round(session, plan, cg),
                route_seq=plan.new_seq.get(cg.id),
                request=request,
                caregiver=cg,
                planned_start=start,
                planned_end=start + length,
                status=VisitStatus.PUBLISHED,
                published_at=now,
                pinned=False,
                lent=lent,
            )
        )
    request.status = RequestStatus.SCHEDULED
    session.flush()
    audit.record(
        session,
        "insert_request",
        "ServiceRequest",
        request.id,
        after={
            "caregivers": [c.code for c, _, _ in plan.placed],
            "start": plan.placed[0][1].isoformat(),
            "shifted": len(plan.shifts),
            "shifted_minutes": plan.shifted_minutes,
        },
    )
    return plan


def _joined(
    rows: dict[tuple[str, str], Visit], code: str, meals: tuple[str, ...]
) -> MealRound | None:
    """The stored round whose drops the new meal's collection carries too, if any."""
    for meal in meals:
        row = rows.get((code, meal))
        if row is not None and row.meal_round is not None:
            return row.meal_round
    return None


def _round(session: AnySession, plan: InsertPlan, caregiver: Caregiver) -> MealRound | None:
    """The round the inserted meal joins, or its own after the caregiver's other rounds of
    the day."""
    if plan.collect is None:
        return None
    if plan.joins is not None:
        return plan.joins
    source, collect_at = plan.collect
    day = plan.request.service_date
    last = session.scalar(
        select(func.max(MealRound.position)).where(
            MealRound.caregiver_id == caregiver.id, MealRound.service_date == day
        )
    )
    return MealRound(
        service_date=day,
        caregiver=caregiver,
        kitchen_id=source.kitchen_id,
        canteen_station_id=source.station_id,
        collect_at=collect_at,
        position=(last or 0) + 1,
    )
