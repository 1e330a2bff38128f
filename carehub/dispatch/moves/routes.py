"""The routes a manual move touches, as a routing problem the real validator can judge.

The affected caregivers are the visit's current caregiver and the target, plus, for every
two-caregiver visit on their routes, the partner's caregiver (and so on): a pair visit is
only checkable with both of its routes. Their day comes from ``adapters.build_day``, so
skills, gender, shifts and windows mean exactly what they mean to the planner.

Timing a changed route is plain arithmetic: each visit keeps its planned start unless the
route now reaches it later, a pinned or published visit keeps its start whatever happens,
and the moved visit starts at the requested time (or as early as the route allows); the
lunch break takes the first gap that holds it. A meal round is collected at its kitchen
just before the first of its drops left on the route, not before its planned time. Whether
the result is acceptable is left entirely to ``routing.validate``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from carehub.core.enums import VisitStatus
from carehub.db import AnySession
from carehub.dispatch import adapters, meal_rounds
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.geo.matrix import MatrixProvider
from carehub.registry.models import Caregiver, Elder, Station
from carehub.routing import (
    Collection,
    Plan,
    Problem,
    Route,
    Stop,
    Unassigned,
    Violation,
    validate,
)
from carehub.routing.lunch import fit_lunch

UNTIMED = "not timed"
PAIR_ROUNDS = 6  # passes to settle the common start of two-caregiver visits

Key = tuple[str, str]  # (caregiver code, routing visit id)


@dataclass
class Day:
    """The affected caregivers' routes before a change, with their rows."""

    data: adapters.DayInput
    problem: Problem
    orders: dict[str, list[str]]  # caregiver code -> routing visit ids in route order
    rows: dict[Key, Visit]
    starts: dict[Key, int]  # current planned starts, seconds from local midnight
    loose: list[Visit]  # affected caregivers' rows the routing problem cannot hold
    rounds: dict[str, list[meal_rounds.Planned]]  # caregiver code -> stored meal rounds


def day_rows(session: AnySession, day: dt.date, caregiver_ids: set[int]) -> list[Visit]:
    return list(
        session.scalars(
            select(Visit)
            .join(ServiceRequest, Visit.request_id == ServiceRequest.id)
            .where(
                ServiceRequest.service_date == day,
                Visit.caregiver_id.in_(caregiver_ids),
                Visit.status != VisitStatus.CANCELLED,
            )
            .options(
                selectinload(Visit.request).selectinload(ServiceRequest.visits),
                selectinload(Visit.request).selectinload(ServiceRequest.service_type),
                selectinload(Visit.request)
                .selectinload(ServiceRequest.elder)
                .selectinload(Elder.status_periods),
            )
        )
    )


def affected_rows(session: AnySession, day: dt.date, caregiver_ids: set[int]) -> list[Visit]:
    """The day's rows of these caregivers and, transitively, of their pair partners."""
    wanted = set(caregiver_ids)
    while True:
        rows = day_rows(session, day, wanted)
        partners = {
            other.caregiver_id
            for row in rows
            if row.request.service_type.caregivers_needed > 1
            for other in row.request.visits
            if other.caregiver_id is not None and other.status != VisitStatus.CANCELLED
        }
        if partners <= wanted:
            return rows
        wanted |= partners


def load_day(
    session: AnySession,
    day: dt.date,
    caregiver_ids: set[int],
    matrices: MatrixProvider,
    moved: Visit,
) -> Day:
    # The moved row as this session knows it, even if another writer moved it meanwhile:
    # the version check on saving settles who wins.
    rows = affected_rows(session, day, caregiver_ids)
    if moved not in rows:
        rows.append(moved)
    cg_ids = caregiver_ids | {r.caregiver_id for r in rows if r.caregiver_id is not None}
    caregivers = list(
        session.scalars(
            select(Caregiver)
            .where(Caregiver.id.in_(cg_ids))
            .options(selectinload(Caregiver.skills), selectinload(Caregiver.station))
        )
    )
    requests = {r.request.id: r.request for r in rows}
    station_ids = {c.station_id for c in caregivers} | {
        q.elder.station_id for q in requests.values()
    }
    stations = list(session.scalars(select(Station).where(Station.id.in_(station_ids))))
    data = adapters.build_day(day, stations, requests.values(), caregivers, matrices)
    # The moved visit keeps its service's length wherever it goes; the others their own.
    data.problem = adapters.as_planned(data.problem, [r for r in rows if r is not moved])
    codes = {c.id: code for code, c in data.caregivers.items()}
    known = {adapters.visit_id(q) for q in data.requests.values()}
    orders: dict[str, list[str]] = {code: [] for code in data.caregivers}
    by_key: dict[Key, Visit] = {}
    starts: dict[Key, int] = {}
    loose: list[Visit] = []
    timed = sorted(
        (r for r in rows if r.planned_start is not None),
        key=lambda r: (r.planned_start, r.route_seq or 0, r.id),
    )
    for row in timed:
        code = codes.get(row.caregiver_id)  # type: ignore[arg-type]
        vid = adapters.visit_id(row.request)
        if code is None or vid not in known or (code, vid) in by_key:
            loose.append(row)
            continue
        orders[code].append(vid)
        by_key[(code, vid)] = row
        starts[(code, vid)] = adapters.local_seconds(row.planned_start, day)  # type: ignore[arg-type]
    loose += [r for r in rows if r.planned_start is None]
    rounds = meal_rounds.planned_rounds(by_key.values(), codes, day)
    return Day(data, data.problem, orders, by_key, starts, loose, rounds)


def freed(day: Day, request: ServiceRequest, duration: int) -> Problem:
    """The problem with the moved request released from its old pins and widened window."""
    vid = adapters.visit_id(request)
    window = adapters.request_window(request, duration)
    visits = tuple(
        dataclasses.replace(v, pinned_caregiver=None, pinned_time=None, windows=(window,))
        if v.id == vid
        else v
        for v in day.problem.visits
    )
    return dataclasses.replace(day.problem, visits=visits)


def _route(
    problem: Problem,
    code: str,
    order: Sequence[str],
    want: Mapping[str, int],
    forced: set[str],
    rounds: Sequence[meal_rounds.Planned] = (),
) -> Route:
    cg = problem.caregiver(code)
    travel = problem.travel[cg.mode]
    if not order:
        return Route(code, cg.shift_start, (), cg.shift_start)
    firsts = {c.meals[0]: c for c in meal_rounds.collections(problem, order, rounds)}
    loc, ready = cg.start_location, None
    departure: int | None = None
    stops: list[Stop] = []
    cols: list[Collection] = []
    for vid in order:
        v = problem.visit(vid)
        col = firsts.get(vid)
        if col is not None:
            k = problem.kitchen(col.kitchen)
            reach = None if ready is None else ready + travel[loc][k.location]
            start_k = max(t for t in (reach, col.start, k.ready) if t is not None)
            if departure is None:
                departure = start_k - travel[cg.start_location][k.location]
            arrived = start_k if reach is None else min(reach, start_k)
            cols.append(Collection(col.kitchen, len(stops), arrived, start_k, col.meals))
            loc, ready = k.location, start_k + problem.meals.load
        arrival = None if ready is None else ready + travel[loc][v.location]
        if vid in forced:
            start = want[vid]
        elif v.pinned_time is not None:
            start = v.pinned_time
        else:
            start = max(t for t in (arrival, want.get(vid), v.windows[0].start) if t is not None)
        # An impossible start is kept as asked: the validator names it.
        stops.append(Stop(vid, start if arrival is None else min(arrival, start), start))
        if departure is None:
            departure = start - travel[cg.start_location][v.location]
        loc, ready = v.location, start + v.service
    assert departure is not None
    end = (ready or 0) + travel[loc][cg.end_location]
    lunch = None
    if cg.lunch is not None:
        # Lunch takes the first gap the visits leave it; a change that leaves none shows up
        # in validate() as a missing break.
        timed = [(problem.visit(s.visit), s.start) for s in stops]
        lunch = fit_lunch(travel, cg, departure, timed, end)
    return Route(code, departure, tuple(stops), end, lunch, tuple(cols))


def timed(
    problem: Problem,
    orders: Mapping[str, Sequence[str]],
    wish: Mapping[Key, int],
    forced: Mapping[Key, int],
    rounds: Mapping[str, Sequence[meal_rounds.Planned]] | None = None,
) -> dict[str, Route]:
    """Every route timed; the two starts of a pair visit settle on the later one."""
    want: dict[str, dict[str, int]] = {k: {} for k in orders}
    for (code, vid), t in wish.items():
        if code in want:
            want[code][vid] = t
    for (code, vid), t in forced.items():
        want[code][vid] = t
    fixed = {code: {vid for c, vid in forced if c == code} for code in orders}
    routes: dict[str, Route] = {}
    for _ in range(PAIR_ROUNDS):
        routes = {
            c: _route(problem, c, o, want[c], fixed[c], (rounds or {}).get(c, ()))
            for c, o in orders.items()
        }
        starts: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for code, route in routes.items():
            for s in route.stops:
                starts[s.visit].append((code, s.start))
        changed = False
        for vid, served in starts.items():
            if len(served) < 2 or len({t for _, t in served}) == 1:
                continue
            pinned = [want[c][vid] for c, _ in served if vid in fixed[c]]
            common = pinned[0] if pinned else max(t for _, t in served)
            for code, t in served:
                if t != common and vid not in fixed[code]:
                    want[code][vid] = common
                    changed = True
        if not changed:
            break
    return routes


def plan_of(problem: Problem, routes: Mapping[str, Route]) -> Plan:
    served = {s.visit for r in routes.values() for s in r.stops}
    missing = [Unassigned(v.id, UNTIMED) for v in problem.visits if v.id not in served]
    return Plan(tuple(routes[c.id] for c in problem.caregivers if c.id in routes), tuple(missing))


_QUOTED = re.compile(r"'([^']*)'")


def signature(v: Violation) -> tuple[str, ...]:
    """What a violation is about, without the times it quotes: stable across a change."""
    return (v.kind, *sorted(set(_QUOTED.findall(v.message))))


def quoted(v: Violation) -> list[str]:
    return _QUOTED.findall(v.message)


def new_violations(problem: Problem, before: Plan, after: Plan) -> list[Violation]:
    """What the change breaks that was not already broken."""
    old = {signature(v) for v in validate(problem, before)}
    seen: set[tuple[str, ...]] = set()
    out = []
    for v in validate(problem, after):
        sig = signature(v)
        if sig not in old and sig not in seen:
            seen.add(sig)
            out.append(v)
    return out


def travel_of(problem: Problem, routes: Iterable[Route]) -> int:
    total = 0
    for route in routes:
        cg = problem.caregiver(route.caregiver)
        locs = [cg.start_location, *(problem.visit(s.visit).location for s in route.stops)]
        locs.append(cg.end_location)
        total += sum(problem.travel[cg.mode][a][b] for a, b in zip(locs, locs[1:], strict=False))
    return total
