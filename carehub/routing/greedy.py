"""Cheapest feasible insertion, used when OR-Tools returns nothing within its limit.

Visits go in by priority, then by closing window. Each route is re-timed from scratch after
every tentative insertion, so the plan is feasible by construction, if far from optimal.
"""

from __future__ import annotations

from dataclasses import dataclass

from carehub.routing.problem import (
    REASON_CAPACITY,
    Caregiver,
    Plan,
    Problem,
    Route,
    Stop,
    Unassigned,
    Visit,
)
from carehub.routing.screen import Screened, screen


@dataclass(frozen=True)
class _Timed:
    route: Route
    travel: int


def _time(
    problem: Problem, cg: Caregiver, visits: list[Visit], forced: dict[str, int]
) -> _Timed | None:
    """Earliest feasible timing of visits in this order, or None."""
    travel = problem.travel[cg.mode]
    lunch = cg.lunch
    b: int | None = None
    loc, ready = cg.start_location, cg.shift_start
    stops: list[Stop] = []
    total = 0
    load = 0
    for v in visits:
        leg = travel[loc][v.location]
        if lunch is not None and b is None:
            no_break_end = (v.earliest_start(ready + leg) or ready + leg) + v.service
            if ready >= lunch.start or no_break_end > lunch.end - lunch.duration:
                b = max(ready, lunch.start)
                if b + lunch.duration > lunch.end:
                    return None
                ready = b + lunch.duration
        arrival = ready + leg
        start = v.earliest_start(arrival)
        want = forced.get(v.id)
        if want is not None:
            if start is None or want < start or not v.allows(want):
                return None
            start = want
        if start is None:
            return None
        stops.append(Stop(v.id, arrival, start))
        total += leg
        load += v.demand
        loc, ready = v.location, start + v.service
    leg = travel[loc][cg.end_location]
    total += leg
    if lunch is not None and b is None and stops:
        after = max(ready + leg, lunch.start)
        if after + lunch.duration <= min(lunch.end, cg.shift_end):
            b = after
        else:
            b = max(ready, lunch.start)
            if b + lunch.duration > lunch.end:
                return None
            ready = b + lunch.duration
    arrival = ready + leg
    if arrival > cg.shift_end or (cg.capacity is not None and load > cg.capacity):
        return None
    departure = cg.shift_start
    if stops and (b is None or b >= stops[0].start):
        # No break before the first visit: leave just in time for it.
        departure = stops[0].start - travel[cg.start_location][visits[0].location]
        stops[0] = Stop(stops[0].visit, stops[0].start, stops[0].start)
    if cg.max_work is not None and arrival - departure > cg.max_work:
        return None
    return _Timed(Route(cg.id, departure, tuple(stops), arrival, b if stops else None), total)


def solve(problem: Problem, screened: Screened | None = None) -> Plan:
    screened = screened or screen(problem)
    cgs = problem.caregivers
    orders: list[list[Visit]] = [[] for _ in cgs]
    forced: dict[str, int] = {}
    timed = [_time(problem, c, [], forced) for c in cgs]
    unassigned = [Unassigned(vid, why) for vid, why in screened.rejected.items()]
    todo = sorted(
        (v for v in problem.visits if v.id in screened.candidates),
        key=lambda v: (v.priority, v.windows[-1].end, v.id),
    )
    for v in todo:
        options = []  # (cost, k, position, timing) for one caregiver
        for k in screened.candidates[v.id]:
            old = timed[k]
            if old is None:
                continue
            for pos in range(len(orders[k]) + 1):
                trial = orders[k][:pos] + [v] + orders[k][pos:]
                new = _time(problem, cgs[k], trial, forced)
                if new is not None:
                    start = next(s.start for s in new.route.stops if s.visit == v.id)
                    options.append((new.travel - old.travel, k, pos, start))
        options.sort()
        chosen: list[tuple[int, int]] = []
        if v.caregivers_needed == 1:
            if options:
                chosen = [(options[0][1], options[0][2])]
        else:
            chosen = _pair(problem, v, options, orders, forced, timed) or []
        if not chosen or not set(v.pins) <= {cgs[k].id for k, _ in chosen}:
            unassigned.append(Unassigned(v.id, REASON_CAPACITY))
            continue
        if v.caregivers_needed == 2:
            forced[v.id] = _common_start(problem, v, chosen, orders, forced)
        for k, pos in chosen:
            orders[k].insert(pos, v)
            timed[k] = _time(problem, cgs[k], orders[k], forced)
    routes = tuple(
        t.route if t is not None else Route(c.id, c.shift_start, (), c.shift_start)
        for c, t in zip(cgs, timed, strict=True)
    )
    return Plan(routes, tuple(unassigned), notes=("greedy insertion",))


def _common_start(
    problem: Problem,
    v: Visit,
    chosen: list[tuple[int, int]],
    orders: list[list[Visit]],
    forced: dict[str, int],
) -> int:
    starts = []
    for k, pos in chosen:
        t = _time(problem, problem.caregivers[k], orders[k][:pos] + [v] + orders[k][pos:], forced)
        assert t is not None
        starts.append(next(s.start for s in t.route.stops if s.visit == v.id))
    return max(starts)


def _pair(
    problem: Problem,
    v: Visit,
    options: list[tuple[int, int, int, int]],
    orders: list[list[Visit]],
    forced: dict[str, int],
    timed: list[_Timed | None],
) -> list[tuple[int, int]] | None:
    """Cheapest two insertions on different caregivers that agree on one start time."""
    cgs = problem.caregivers
    best: tuple[int, list[tuple[int, int]]] | None = None
    for i, (cost_a, ka, pa, sa) in enumerate(options):
        for cost_b, kb, pb, sb in options[i + 1 :]:
            if ka == kb or (best is not None and cost_a + cost_b >= best[0]):
                continue
            if not set(v.pins) <= {cgs[ka].id, cgs[kb].id}:
                continue
            together = {**forced, v.id: max(sa, sb)}
            ok = True
            cost = 0
            for k, pos in ((ka, pa), (kb, pb)):
                t = _time(problem, cgs[k], orders[k][:pos] + [v] + orders[k][pos:], together)
                old = timed[k]
                if t is None or old is None:
                    ok = False
                    break
                cost += t.travel - old.travel
            if ok and (best is None or cost < best[0]):
                best = (cost, [(ka, pa), (kb, pb)])
    return best[1] if best is not None else None
