"""Cheapest feasible insertion, used when OR-Tools returns nothing within its limit.

Visits go in by priority (meals first within one), then by closing window; meals of one
kitchen nearest-first from it. A meal goes in with its pickup: a batch of its own right
before the drop, or joining a batch at its kitchen already on the route. The travel an
insertion adds depends on the order only, so insertions are timed cheapest first and the
first feasible one is taken. Each route is re-timed from scratch for every insertion tried,
so the plan is feasible by construction, if far from optimal. A caregiver other than the
visit's preferred one pays the solver's continuity penalty on top of the travel, so the
fallback (and the solver's start) keeps continuity too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from carehub.routing.params import SolverParams
from carehub.routing.problem import (
    REASON_CAPACITY,
    Caregiver,
    Collection,
    Kitchen,
    Matrix,
    Plan,
    Problem,
    Route,
    Stop,
    Unassigned,
    Visit,
)
from carehub.routing.rounds import pickup_token
from carehub.routing.screen import Screened, screen

CONTINUITY = SolverParams().continuity_penalty


def _continuity(v: Visit, c: Caregiver) -> int:
    return CONTINUITY if v.preferred_caregiver not in (None, c.id) else 0


class _Timed:
    """A timed order: its travel, and the route built only when asked for."""

    def __init__(
        self,
        cg: Caregiver,
        travel: int,
        departure: int,
        stops: list[tuple[str, int, int]],
        collections: list[tuple[str, int, int, int, list[str]]],
        arrival: int,
        break_start: int | None,
    ) -> None:
        self.travel = travel
        self._parts = (cg, departure, stops, collections, arrival, break_start)
        self._route: Route | None = None

    @property
    def route(self) -> Route:
        if self._route is None:
            cg, departure, stops, collections, arrival, b = self._parts
            order = {vid: i for i, (vid, _, _) in enumerate(stops)}
            self._route = Route(
                cg.id,
                departure,
                tuple(Stop(*s) for s in stops),
                arrival,
                b if stops else None,
                tuple(
                    Collection(k, before, arr, start, tuple(sorted(meals, key=order.__getitem__)))
                    for k, before, arr, start, meals in collections
                ),
            )
        return self._route


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


def _events(problem: Problem, items: list[Item]) -> list[_Event]:
    kitchens = {k.id: k for k in problem.kitchens}
    load = problem.meals.load
    out: list[_Event] = []
    for it in items:
        if isinstance(it, Pickup):
            k = kitchens[it.meal.kitchen or ""]
            last = out[-1] if out else None
            if last is not None and last.kitchen is k:
                last.meals.append(it.meal.id)
            else:
                out.append(_Event(k.location, load, None, k, [it.meal.id]))
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
    walk = _Walk(problem, cg, forced, hold)
    for i, e in enumerate(events):
        step = walk.step(i, e)
        if step is not True:
            return step
    return walk.finish(events)


class _Walk:
    """A route walked event by event, earliest first: where and when the caregiver is, the
    lunch break once placed, and the meals on board."""

    def __init__(
        self, problem: Problem, cg: Caregiver, forced: dict[str, int], hold: dict[int, int]
    ) -> None:
        self.problem, self.cg, self.forced, self.hold = problem, cg, forced, hold
        self.travel = problem.travel[cg.mode]
        self.box = problem.meals.box.get(cg.mode, 0)
        self.b: int | None = None
        self.loc, self.ready = cg.start_location, cg.shift_start
        self.stops: list[tuple[str, int, int]] = []
        self.collections: list[tuple[str, int, int, int, list[str]]] = []
        self.leaves: dict[str, tuple[int, int]] = {}  # meal -> (collection event, leaving)
        self.waited: dict[int, int] = {}  # collection event -> seconds waited on the way since
        self.first = -1  # start of the first event
        self.total = 0
        self.load = 0
        self.on_board = 0

    def step(self, i: int, e: _Event) -> Literal[True] | tuple[int, int] | None:
        """Time event ``i``: True when it fits, None when it cannot, or (collection event,
        start it needs) when a drop would arrive cold."""
        leg = self.travel[self.loc][e.location]
        if not self._lunch_before(i, e, leg):
            return None
        arrival = self.ready + leg
        if e.visit is not None:
            start = self._drop_or_visit(e.visit, arrival)
            if start is None or isinstance(start, tuple):
                return start
        else:
            start = self._collect(i, e, arrival)
            if start is None:
                return None
        if self.first < 0:
            self.first = start
        for j in self.waited:
            if j != i:
                self.waited[j] += start - arrival
        self.total += leg
        self.loc, self.ready = e.location, start + e.service
        return True

    def _lunch_before(self, i: int, e: _Event, leg: int) -> bool:
        """Takes the lunch break before event ``i`` when it would not fit after; False when
        it no longer fits at all."""
        lunch = self.cg.lunch
        if lunch is None or self.b is not None:
            return True
        if e.visit is not None:
            early = e.visit.earliest_start(self.ready + leg)
        else:
            assert e.kitchen is not None
            early = max(self.ready + leg, e.kitchen.ready, self.hold.get(i, 0))
        no_break_end = (early or self.ready + leg) + e.service
        if self.ready >= lunch.start or no_break_end > lunch.end - lunch.duration:
            self.b = max(self.ready, lunch.start)
            if self.b + lunch.duration > lunch.end:
                return False
            self.ready = self.b + lunch.duration
        return True

    def _drop_or_visit(self, v: Visit, arrival: int) -> int | tuple[int, int] | None:
        start = v.earliest_start(arrival)
        want = self.forced.get(v.id)
        if want is not None:
            if start is None or want < start or not v.allows(want):
                return None
            start = want
        if start is None:
            return None
        if v.kitchen is not None:
            rules = self.problem.meals
            event, left = self.leaves[v.id]
            excess = start - left - rules.max_ride
            if excess > 0:
                # Leaving later helps only as far as the way there has waiting to take up.
                if self.waited[event] + start - arrival < excess:
                    return None
                return event, start - rules.max_ride - rules.load
            self.on_board -= 1
        self.stops.append((v.id, arrival, start))
        self.load += v.demand
        return start

    def _collect(self, i: int, e: _Event, arrival: int) -> int | None:
        k = e.kitchen
        assert k is not None
        start = max(arrival, k.ready, self.hold.get(i, 0))
        self.on_board += len(e.meals)
        if self.on_board > self.box:
            return None
        self.collections.append((k.id, len(self.stops), arrival, start, e.meals))
        for m in e.meals:
            self.leaves[m] = (i, start + self.problem.meals.load)
        self.waited[i] = 0
        return start

    def finish(self, events: list[_Event]) -> _Timed | None:
        """Home, with the lunch break placed if still due; None when past the shift, the
        capacity or the maximum working time."""
        cg, travel = self.cg, self.travel
        leg = travel[self.loc][cg.end_location]
        self.total += leg
        if not self._lunch_at_end(leg, bool(events)):
            return None
        arrival = self.ready + leg
        if arrival > cg.shift_end or (cg.capacity is not None and self.load > cg.capacity):
            return None
        departure = cg.shift_start
        if events and (self.b is None or self.b >= self.first):
            # No break before the first stop: leave just in time for it.
            departure = self.first - travel[cg.start_location][events[0].location]
            self._leave_just_in_time()
        if cg.max_work is not None and arrival - departure > cg.max_work:
            return None
        return _Timed(cg, self.total, departure, self.stops, self.collections, arrival, self.b)

    def _lunch_at_end(self, leg: int, working: bool) -> bool:
        lunch = self.cg.lunch
        if lunch is None or self.b is not None or not working:
            return True
        after = max(self.ready + leg, lunch.start)
        if after + lunch.duration <= min(lunch.end, self.cg.shift_end):
            self.b = after
            return True
        self.b = max(self.ready, lunch.start)
        if self.b + lunch.duration > lunch.end:
            return False
        self.ready = self.b + lunch.duration
        return True

    def _leave_just_in_time(self) -> None:
        """The first event's arrival is its start: nobody waits at the first door."""
        if self.collections and self.collections[0][1] == 0:
            kid, before, _, start, meals = self.collections[0]
            self.collections[0] = (kid, before, start, start, meals)
        else:
            vid, _, start = self.stops[0]
            self.stops[0] = (vid, start, start)


def _chained(problem: Problem, todo: list[Visit]) -> list[Visit]:
    """``todo`` with each run of meals from one kitchen of equal priority and closing time
    reordered nearest-first from the kitchen, so that neighbours go in one after another and
    join each other's batches."""
    if not problem.kitchens:
        return todo
    travel = problem.travel[problem.caregivers[0].mode]
    kitchens = {k.id: k.location for k in problem.kitchens}
    out: list[Visit] = []
    i = 0
    while i < len(todo):
        v = todo[i]
        j = i + 1
        key = (v.kitchen, v.priority, v.windows[-1].end)
        while v.kitchen is not None and j < len(todo):
            w = todo[j]
            if (w.kitchen, w.priority, w.windows[-1].end) != key:
                break
            j += 1
        if v.kitchen is None:
            out.append(v)
            i = j
            continue
        left = todo[i:j]
        at = kitchens[v.kitchen]
        while left:
            nearest = min(left, key=lambda m: (travel[at][m.location], m.id))
            left.remove(nearest)
            out.append(nearest)
            at = nearest.location
        i = j
    return out


def _positions(order: list[Item], now: Route, v: Visit) -> list[int]:
    """Where in ``order`` (timed as ``now``) visit ``v`` could go. An insertion only delays
    what follows it, so not after a stop that starts past its windows, nor before a visit
    whose windows close before it opens; nor inside a batch, between two of its pickups."""
    began = {s.visit: s.start for s in now.stops}
    began.update({pickup_token(m): c.start for c in now.collections for m in c.meals})
    out = []
    for j in range(len(order) + 1):
        before = order[j - 1] if j > 0 else None
        after = order[j] if j < len(order) else None
        if before is not None and began[before.id] > v.windows[-1].end:
            break
        if isinstance(after, Visit) and after.windows[-1].end < v.windows[0].start:
            continue
        if isinstance(before, Pickup) and isinstance(after, Pickup):
            continue
        out.append(j)
    return out


def _meal_options(
    problem: Problem, cg: Caregiver, order: list[Item], now: Route, v: Visit
) -> list[tuple[int, list[Item]]]:
    """Orders with meal ``v`` put in, each with the travel it adds (exact: travel depends on
    the order only), not yet timed: a batch of its own before the drop, or joining a batch
    at its kitchen already in the order."""
    assert v.kitchen is not None
    box = problem.meals.box.get(cg.mode, 0)
    travel = problem.travel[cg.mode]
    at = problem.kitchen(v.kitchen).location
    locs = [cg.start_location, *(_location(problem, it) for it in order), cg.end_location]
    pickup: Item = Pickup(v)
    ends = [
        i + 1
        for i, it in enumerate(order)
        if isinstance(it, Pickup)
        and it.meal.kitchen == v.kitchen
        and not (i + 1 < len(order) and isinstance(order[i + 1], Pickup))
    ]
    out = []
    d = v.location
    for j in _positions(order, now, v):
        a, b = locs[j], locs[j + 1]
        drop = travel[a][d] + travel[d][b] - travel[a][b]
        out.append((travel[a][at] + travel[at][d] + travel[d][b] - travel[a][b], [j, j]))
        for e in ends:
            # A drop far after its batch would only arrive cold.
            if e <= j <= e + 2 * box:
                out.append((drop, [e, j]))
    return [(cost, order[:e] + [pickup] + order[e:j] + [v] + order[j:]) for cost, (e, j) in out]


def _location(problem: Problem, it: Item) -> int:
    if isinstance(it, Pickup):
        return problem.kitchen(it.meal.kitchen or "").location
    return it.location


def _insert_single(
    problem: Problem,
    v: Visit,
    candidates: tuple[int, ...],
    orders: list[list[Item]],
    timed: list[_Timed | None],
    forced: dict[str, int],
) -> bool:
    """Put one-caregiver visit ``v`` where it adds least travel among the feasible places,
    timing the cheaper places first."""
    cgs = problem.caregivers
    options: list[tuple[int, int, int]] = []
    for k in candidates:
        old = timed[k]
        if old is None or (v.pins and cgs[k].id not in v.pins):
            continue
        travel = problem.travel[cgs[k].mode]
        c = cgs[k]
        locs = [c.start_location, *(_location(problem, it) for it in orders[k]), c.end_location]
        for j in _positions(orders[k], old.route, v):
            a, b = locs[j], locs[j + 1]
            added = travel[a][v.location] + travel[v.location][b] - travel[a][b]
            options.append((added + _continuity(v, c), k, j))
    options.sort()
    for _, k, j in options:
        trial = orders[k][:j] + [v] + orders[k][j:]
        t = _time(problem, cgs[k], trial, forced)
        if t is not None:
            orders[k] = trial
            timed[k] = t
            return True
    return False


def _insert_meal(
    problem: Problem,
    v: Visit,
    candidates: tuple[int, ...],
    orders: list[list[Item]],
    timed: list[_Timed | None],
    forced: dict[str, int],
) -> bool:
    """Put meal ``v`` where it adds least travel among the orders that time feasibly; the
    travel an order adds is known before timing it, so cheaper ones are timed first."""
    cgs = problem.caregivers
    options: list[tuple[int, int, int, list[Item]]] = []
    for k in candidates:
        old = timed[k]
        if old is None or (v.pins and cgs[k].id not in v.pins):
            continue
        for n, (cost, trial) in enumerate(_meal_options(problem, cgs[k], orders[k], old.route, v)):
            options.append((cost, k, n, trial))
    options.sort(key=lambda o: (o[0], o[1], o[2]))
    for _, k, _, trial in options:
        t = _time(problem, cgs[k], trial, forced)
        if t is not None:
            orders[k] = trial
            timed[k] = t
            return True
    return False


def solve(problem: Problem, screened: Screened | None = None) -> Plan:
    screened = screened or screen(problem)
    cgs = problem.caregivers
    orders: list[list[Item]] = [[] for _ in cgs]
    forced: dict[str, int] = {}
    timed = [_time(problem, c, [], forced) for c in cgs]
    unassigned = [Unassigned(vid, why) for vid, why in screened.rejected.items()]
    todo = _chained(
        problem,
        sorted(
            (v for v in problem.visits if v.id in screened.candidates),
            # Meals first within a priority: rounds are the tightest work of the day, and
            # other visits fit around them more easily than the other way round.
            key=lambda v: (v.priority, v.kitchen is None, v.windows[-1].end, v.id),
        ),
    )
    built: set[str] = set()
    rounds_for: set[int] = set()
    for v in todo:
        if v.kitchen is not None and v.priority not in rounds_for:
            # A priority's meals go in as whole rounds first; what no round took, one by one.
            rounds_for.add(v.priority)
            same = [m for m in todo if m.kitchen is not None and m.priority == v.priority]
            built |= _build_rounds(problem, same, screened, orders, timed, forced)
        if v.id in built:
            continue
        if v.kitchen is not None:
            insert = _insert_meal
        elif v.caregivers_needed == 1:
            insert = _insert_single
        else:
            insert = _insert_pair
        if not insert(problem, v, screened.candidates[v.id], orders, timed, forced):
            unassigned.append(Unassigned(v.id, REASON_CAPACITY))
    routes = tuple(
        t.route if t is not None else Route(c.id, c.shift_start, (), c.shift_start)
        for c, t in zip(cgs, timed, strict=True)
    )
    return Plan(routes, tuple(unassigned), notes=("greedy insertion",))


def _insert_pair(
    problem: Problem,
    v: Visit,
    candidates: tuple[int, ...],
    orders: list[list[Item]],
    timed: list[_Timed | None],
    forced: dict[str, int],
) -> bool:
    """Put two-caregiver visit ``v`` on the two caregivers whose insertions agree on a start
    and add least travel together."""
    cgs = problem.caregivers
    options = []  # (cost, k, position, start) for one caregiver
    for k in candidates:
        old = timed[k]
        if old is None:
            continue
        for pos in _positions(orders[k], old.route, v):
            trial = orders[k][:pos] + [v] + orders[k][pos:]
            new = _time(problem, cgs[k], trial, forced)
            if new is not None:
                start = next(s.start for s in new.route.stops if s.visit == v.id)
                options.append((new.travel - old.travel, k, pos, start))
    options.sort()
    chosen = _pair(problem, v, options, orders, forced, timed)
    if not chosen or not set(v.pins) <= {cgs[k].id for k, _ in chosen}:
        return False
    forced[v.id] = _common_start(problem, v, chosen, orders, forced)
    for k, pos in chosen:
        orders[k].insert(pos, v)
        timed[k] = _time(problem, cgs[k], orders[k], forced)
    return True


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


# -- Meal rounds built whole ------------------------------------------------------------------


def _round_ride(travel: Matrix, at: int, drops: Sequence[Visit]) -> int:
    """From leaving the kitchen at ``at`` to the start of the last drop, waiting left out."""
    ride, loc = 0, at
    for i, m in enumerate(drops):
        ride += travel[loc][m.location] + (drops[i - 1].service if i else 0)
        loc = m.location
    return ride


def _drop_order(travel: Matrix, at: int, group: Sequence[Visit]) -> list[Visit]:
    """``group`` nearest-first from the kitchen, then from each drop."""
    left = list(group)
    out: list[Visit] = []
    loc = at
    while left:
        nxt = min(left, key=lambda m: (travel[loc][m.location], m.windows[0].start, m.id))
        left.remove(nxt)
        out.append(nxt)
        loc = nxt.location
    return out


def _gather(
    travel: Matrix, at: int, left: Sequence[Visit], size: int, max_ride: int
) -> list[Visit]:
    """A round from ``left``: the meal farthest from the kitchen, then its nearest neighbours
    (travel plus the gap between window openings) while the round stays within ``size`` and,
    without waiting, within ``max_ride``; in the order gathered."""
    seed = max(left, key=lambda m: (travel[at][m.location], m.id))
    group = [seed]
    others = sorted(
        (m for m in left if m is not seed),
        key=lambda m: (
            min(travel[g.location][m.location] for g in group)
            + abs(m.windows[0].start - seed.windows[0].start),
            m.id,
        ),
    )
    for m in others:
        if len(group) >= size:
            break
        trial = _drop_order(travel, at, [*group, m])
        if _round_ride(travel, at, trial) <= max_ride:
            group.append(m)
    return group


def _round_options(
    problem: Problem,
    cand: Sequence[int],
    orders: list[list[Item]],
    timed: list[_Timed | None],
    drops: Sequence[Visit],
) -> list[tuple[int, int, int]]:
    """(travel added plus continuity, caregiver, position) for the round ``drops`` collected
    at once, on every caregiver who can carry it."""
    cgs = problem.caregivers
    rules = problem.meals
    at = problem.kitchen(drops[0].kitchen or "").location
    out: list[tuple[int, int, int]] = []
    for k in cand:
        old = timed[k]
        c = cgs[k]
        if old is None or rules.box.get(c.mode, 0) < len(drops):
            continue
        travel = problem.travel[c.mode]
        if _round_ride(travel, at, drops) > rules.max_ride:
            continue
        inner = travel[at][drops[0].location] + sum(
            travel[a.location][b.location] for a, b in zip(drops, drops[1:], strict=False)
        )
        continuity = sum(_continuity(m, c) for m in drops)
        locs = [c.start_location, *(_location(problem, it) for it in orders[k]), c.end_location]
        for j in _positions(orders[k], old.route, drops[0]):
            a, b = locs[j], locs[j + 1]
            added = travel[a][at] + inner + travel[drops[-1].location][b] - travel[a][b]
            out.append((added + continuity, k, j))
    out.sort()
    return out


def _place_round(
    problem: Problem,
    drops: Sequence[Visit],
    cand: Sequence[int],
    orders: list[list[Item]],
    timed: list[_Timed | None],
    forced: dict[str, int],
) -> bool:
    """Put the round ``drops`` (one collection, then its drops in order) where it adds least
    travel among the places that time feasibly."""
    block: list[Item] = [*(Pickup(m) for m in drops), *drops]
    for _, k, j in _round_options(problem, cand, orders, timed, drops):
        trial = orders[k][:j] + block + orders[k][j:]
        t = _time(problem, problem.caregivers[k], trial, forced)
        if t is not None:
            orders[k] = trial
            timed[k] = t
            return True
    return False


def _build_rounds(
    problem: Problem,
    meals: Sequence[Visit],
    screened: Screened,
    orders: list[list[Item]],
    timed: list[_Timed | None],
    forced: dict[str, int],
) -> set[str]:
    """Batch each kitchen's ``meals`` into rounds and give each round to the caregiver it
    costs least, free at its time; a round nobody can take whole loses its last gathered
    meal until it fits. Returns the meals placed; pinned meals are left to the
    one-by-one insertion."""
    placed: set[str] = set()
    if not meals:
        return placed
    cgs = problem.caregivers
    rules = problem.meals
    biggest = max((rules.box.get(c.mode, 0) for c in cgs), default=0)
    # The mode with the biggest box gathers; each caregiver's own mode is checked on placing.
    gathering = min({c.mode for c in cgs}, key=lambda mode: (-rules.box.get(mode, 0), mode))
    travel = problem.travel[gathering]
    by_kitchen: dict[str, list[Visit]] = {}
    for m in meals:
        if not m.pins:
            by_kitchen.setdefault(m.kitchen or "", []).append(m)
    for kid, left in by_kitchen.items():
        at = problem.kitchen(kid).location
        while left:
            group = _gather(travel, at, left, max(biggest, 1), rules.max_ride)
            while group:
                cand = set(screened.candidates[group[0].id])
                for m in group[1:]:
                    cand &= set(screened.candidates[m.id])
                drops = _drop_order(travel, at, group)
                if _place_round(problem, drops, sorted(cand), orders, timed, forced):
                    placed.update(m.id for m in group)
                    break
                group.pop()
            # The seed goes whether placed or not, so the loop ends.
            seed = max(left, key=lambda m: (travel[at][m.location], m.id))
            left = [m for m in left if m.id not in placed and m is not seed]
    return placed
