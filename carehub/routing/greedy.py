"""Cheapest feasible insertion, used when OR-Tools returns nothing within its limit.

Visits go in by priority, then by closing window. A meal goes in with its pickup: a batch of
its own right before the drop, or joining a batch at its kitchen already on the route. Each route is re-timed from scratch after
every tentative insertion, so the plan is feasible by construction, if far from optimal.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from carehub.routing.problem import (
    REASON_CAPACITY,
    Caregiver,
    Collection,
    Kitchen,
    Plan,
    Problem,
    Route,
    Stop,
    Unassigned,
    Visit,
)
from carehub.routing.rounds import pickup_token
from carehub.routing.screen import Screened, screen


@dataclass(frozen=True)
class _Timed:
    route: Route
    travel: int


@dataclass(frozen=True)
class Pickup:
    """A meal's pickup at its kitchen in a greedy order; consecutive pickups at one kitchen
    are one collection."""

    meal: Visit

    @property
    def id(self) -> str:
        return pickup_token(self.meal.id)


Item = Visit | Pickup


@dataclass
class _Event:
    location: int
    service: int
    visit: Visit | None = None  # None for a collection
    kitchen: Kitchen | None = None
    meals: list[str] = field(default_factory=list)

    def earliest_start(self, arrival: int, hold: int) -> int | None:
        if self.visit is not None:
            return self.visit.earliest_start(arrival)
        assert self.kitchen is not None
        return max(arrival, self.kitchen.ready, hold)


def _events(problem: Problem, items: list[Item]) -> list[_Event]:
    out: list[_Event] = []
    for it in items:
        if isinstance(it, Pickup):
            k = problem.kitchen(it.meal.kitchen or "")
            last = out[-1] if out else None
            if last is not None and last.kitchen is not None and last.kitchen.id == k.id:
                last.meals.append(it.meal.id)
            else:
                out.append(_Event(k.location, problem.meals.load, None, k, [it.meal.id]))
        else:
            out.append(_Event(it.location, it.service, it))
    return out


def _time(
    problem: Problem, cg: Caregiver, items: list[Item], forced: dict[str, int]
) -> _Timed | None:
    """Earliest feasible timing of ``items`` in this order, or None.

    A collection found too early for one of its drops (hot food) is held back by as much and
    the route timed again.
    """
    events = _events(problem, items)
    hold: dict[int, int] = {}
    for _ in range(len(events) + 1):
        timed = _time_events(problem, cg, events, forced, hold)
        if timed is None or isinstance(timed, _Timed):
            return timed
        event, need = timed
        if hold.get(event, 0) >= need:
            return None
        hold[event] = need
    return None


def _time_events(
    problem: Problem,
    cg: Caregiver,
    events: list[_Event],
    forced: dict[str, int],
    hold: dict[int, int],
) -> _Timed | tuple[int, int] | None:
    """The timing, or (collection event, the start it needs) when a drop arrives cold."""
    travel = problem.travel[cg.mode]
    rules = problem.meals
    box = rules.box.get(cg.mode, 0)
    lunch = cg.lunch
    b: int | None = None
    loc, ready = cg.start_location, cg.shift_start
    stops: list[Stop] = []
    collections: list[Collection] = []
    leaves: dict[str, tuple[int, int]] = {}  # meal -> (its collection event, leaving time)
    firsts: list[int] = []  # start of the first event
    total = 0
    load = 0
    on_board = 0
    for i, e in enumerate(events):
        leg = travel[loc][e.location]
        if lunch is not None and b is None:
            no_break_end = (
                e.earliest_start(ready + leg, hold.get(i, 0)) or ready + leg
            ) + e.service
            if ready >= lunch.start or no_break_end > lunch.end - lunch.duration:
                b = max(ready, lunch.start)
                if b + lunch.duration > lunch.end:
                    return None
                ready = b + lunch.duration
        arrival = ready + leg
        start = e.earliest_start(arrival, hold.get(i, 0))
        v = e.visit
        want = forced.get(v.id) if v is not None else None
        if want is not None and v is not None:
            if start is None or want < start or not v.allows(want):
                return None
            start = want
        if start is None:
            return None
        if not firsts:
            firsts.append(start)
        if v is None:
            assert e.kitchen is not None
            on_board += len(e.meals)
            if on_board > box:
                return None
            collections.append(Collection(e.kitchen.id, len(stops), arrival, start, tuple(e.meals)))
            for m in e.meals:
                leaves[m] = (i, start + rules.load)
        else:
            if v.kitchen is not None:
                event, left = leaves[v.id]
                if start > left + rules.max_ride:
                    return event, start - rules.max_ride - rules.load
                on_board -= 1
            stops.append(Stop(v.id, arrival, start))
            load += v.demand
        total += leg
        loc, ready = e.location, start + e.service
    leg = travel[loc][cg.end_location]
    total += leg
    if lunch is not None and b is None and events:
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
    if events and (b is None or b >= firsts[0]):
        # No break before the first stop: leave just in time for it.
        departure = firsts[0] - travel[cg.start_location][events[0].location]
        if collections and collections[0].before == 0:
            collections[0] = replace(collections[0], arrival=collections[0].start)
        else:
            stops[0] = Stop(stops[0].visit, stops[0].start, stops[0].start)
    if cg.max_work is not None and arrival - departure > cg.max_work:
        return None
    order = {s.visit: i for i, s in enumerate(stops)}
    collections = [
        replace(c, meals=tuple(sorted(c.meals, key=order.__getitem__))) for c in collections
    ]
    route = Route(cg.id, departure, tuple(stops), arrival, b if stops else None, tuple(collections))
    return _Timed(route, total)


def _meal_options(
    problem: Problem, cg: Caregiver, order: list[Item], v: Visit, forced: dict[str, int]
) -> list[tuple[int, list[Item]]]:
    """Feasible orders with meal ``v`` put in, and their travel: a batch of its own before
    the drop, or joining a batch at its kitchen already in the order."""
    box = problem.meals.box.get(cg.mode, 0)
    pickup: Item = Pickup(v)
    out = []
    ends = [
        i + 1
        for i, it in enumerate(order)
        if isinstance(it, Pickup)
        and it.meal.kitchen == v.kitchen
        and not (
            i + 1 < len(order)
            and isinstance(order[i + 1], Pickup)
            and order[i + 1].meal.kitchen == v.kitchen  # type: ignore[union-attr]
        )
    ]
    for j in range(len(order) + 1):
        trials = [order[:j] + [pickup, v] + order[j:]]
        for e in ends:
            # A drop far after its batch would only arrive cold.
            if e <= j <= e + 2 * box:
                trials.append(order[:e] + [pickup] + order[e:j] + [v] + order[j:])
        for trial in trials:
            t = _time(problem, cg, trial, forced)
            if t is not None:
                out.append((t.travel, trial))
    return out


def solve(problem: Problem, screened: Screened | None = None) -> Plan:
    screened = screened or screen(problem)
    cgs = problem.caregivers
    orders: list[list[Item]] = [[] for _ in cgs]
    forced: dict[str, int] = {}
    timed = [_time(problem, c, [], forced) for c in cgs]
    unassigned = [Unassigned(vid, why) for vid, why in screened.rejected.items()]
    todo = sorted(
        (v for v in problem.visits if v.id in screened.candidates),
        key=lambda v: (v.priority, v.windows[-1].end, v.id),
    )
    for v in todo:
        if v.kitchen is not None:
            best: tuple[int, int, list[Item]] | None = None
            for k in screened.candidates[v.id]:
                old = timed[k]
                if old is None or (v.pins and cgs[k].id not in v.pins):
                    continue
                for travel, trial in _meal_options(problem, cgs[k], orders[k], v, forced):
                    if best is None or travel - old.travel < best[0]:
                        best = (travel - old.travel, k, trial)
            if best is None:
                unassigned.append(Unassigned(v.id, REASON_CAPACITY))
                continue
            _, k, trial = best
            orders[k] = trial
            timed[k] = _time(problem, cgs[k], trial, forced)
            continue
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
    orders: list[list[Item]],
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
    orders: list[list[Item]],
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
