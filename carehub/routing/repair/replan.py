"""Re-planning during the day: put new requests or an emergency into published routes.

What has happened stays: visits completed or in progress (``fixed``) and every visit whose
start is already past. Each caregiver continues from where they are. A new visit goes where
it disturbs the published routes least: existing visits keep their caregiver and their
order and are only ever pushed later, as far as the insertion needs; a two-caregiver visit
already published keeps its start, since moving it would move a second route too. The
result counts the visits that moved and by how much.

A round under way (collected or being loaded) keeps its drops as published. A round to come
is a stop of its own (the collection, at its kitchen, for the loading time) that may be
pushed later like any visit, as long as each of its drops stays within the hot-food limit of
it. A new meal joins a round to come of its kitchen where the box, the hot-food limit and its
window allow, and otherwise goes in as a round of its own: a collection at its kitchen
(waiting there when leaving at once would let it go cold) and its drop, where that costs
least.

What a place costs is the travel it adds to the route, home included, and, for routes whose
times were told (``promised``), the visits it moves and the seconds it shifts them.

Insertion is exact over every caregiver and position, so an emergency in a circle's day of
sixty visits is answered in milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from carehub.routing.problem import (
    REASON_CAPACITY,
    Break,
    Caregiver,
    Collection,
    Plan,
    Problem,
    Route,
    Stop,
    Unassigned,
    Visit,
    Window,
)
from carehub.routing.rounds import meal_of, pickup_token
from carehub.routing.screen import screen

MOVE_COST = 600  # one moved visit weighs as much as ten minutes of shifting or travel
PAIR_SHORTLIST = 40  # cheapest single insertions tried in pairs for a two-caregiver visit


@dataclass(frozen=True)
class Position:
    """Where a caregiver is, and from when they can leave it."""

    location: int
    free_at: int


@dataclass(frozen=True)
class Move:
    visit: str
    caregiver: str
    old_start: int
    new_start: int


@dataclass(frozen=True)
class Replan:
    plan: Plan
    inserted: tuple[str, ...]
    moves: tuple[Move, ...] = field(default=())

    @property
    def moved(self) -> int:
        return len({m.visit for m in self.moves})

    @property
    def shift_seconds(self) -> int:
        return sum(m.new_start - m.old_start for m in self.moves)

    @property
    def max_shift_seconds(self) -> int:
        return max((m.new_start - m.old_start for m in self.moves), default=0)


@dataclass(frozen=True)
class _Tail:
    """The part of a route still open to change, and where it starts from."""

    caregiver: Caregiver
    head: tuple[Stop, ...]  # done or under way: kept as published
    pending: tuple[Visit, ...]
    # Published start of each pending visit (a round to come that grows takes its stop's).
    wish: dict[str, int]
    location: int
    ready: int
    departure: int
    break_start: int | None  # a break already begun or taken, else None
    break_done: bool
    collections: tuple[Collection, ...] = ()  # the head's meal rounds
    # The pending visits' starts were told to elders and caregivers: moving one costs.
    promised: bool = True


def _tail(
    problem: Problem,
    route: Route,
    now: int,
    fixed: frozenset[str],
    position: Position | None,
) -> _Tail:
    cg = problem.caregiver(route.caregiver)
    cut, started = _cut(route, now, fixed)
    head = tuple(route.stops[:cut])
    ahead = [c for c in route.collections if c not in started]
    pending, wish = _pending(problem, route.stops[cut:], cut, ahead)
    location, ready, departure = _resume(problem, cg, route, head, now, position)
    b = route.break_start
    lunch = cg.lunch
    taken = b is not None and lunch is not None and b < max(now, ready)
    if taken and lunch is not None and b is not None:
        ready = max(ready, b + lunch.duration)
    return _Tail(
        cg,
        head,
        tuple(pending),
        wish,
        location,
        ready,
        departure,
        b if taken else None,
        taken,
        tuple(started),
    )


def _cut(route: Route, now: int, fixed: frozenset[str]) -> tuple[int, list[Collection]]:
    """How many of the route's stops are done or under way, and its rounds begun."""
    cut = 0
    for i, s in enumerate(route.stops):
        if s.visit in fixed or s.start < now:
            cut = i + 1
    # A round under way (collected, or being loaded) keeps its drops as published: they are
    # timed from a collection that cannot move any more.
    where = {s.visit: i for i, s in enumerate(route.stops)}
    while True:
        started = [c for c in route.collections if c.before < cut or c.start < now]
        through = max((where[m] + 1 for c in started for m in c.meals if m in where), default=cut)
        if through <= cut:
            return cut, started
        cut = through


def _pending(
    problem: Problem, rest: Sequence[Stop], cut: int, ahead: Sequence[Collection]
) -> tuple[list[Visit], dict[str, int]]:
    """The visits after the head in order, with the published start of each.

    Rounds to come are stops of the pending order, one per collection, timed and checked
    with their drops like any other.
    """
    pending: list[Visit] = []
    wish: dict[str, int] = {}
    for i, s in enumerate(rest, start=cut):
        for c in ahead:
            if c.before == i:
                stop = _collection_stop(problem, c.kitchen, c.meals)
                pending.append(stop)
                wish[stop.id] = c.start
        pending.append(problem.visit(s.visit))
        wish[s.visit] = s.start
    return pending, wish


def _resume(
    problem: Problem,
    cg: Caregiver,
    route: Route,
    head: Sequence[Stop],
    now: int,
    position: Position | None,
) -> tuple[int, int, int]:
    """Where and from when the caregiver goes on after the head, and the route's departure
    (-1 while they have not left)."""
    if head:
        last = problem.visit(head[-1].visit)
        location, ready, departure = last.location, head[-1].start + last.service, route.departure
    elif route.stops and route.departure <= now:
        # On the way to the first visit: from home at the time they left.
        location, ready, departure = cg.start_location, route.departure, route.departure
    else:
        location, ready, departure = cg.start_location, max(now, cg.shift_start), -1
    if position is not None:
        location, ready = position.location, max(ready, position.free_at)
    ready = max(ready, now) if departure >= 0 else ready
    return location, ready, departure


def _retime(
    problem: Problem,
    t: _Tail,
    order: Sequence[Visit],
    forced: Mapping[str, int],
    ride: bool = True,
) -> Route | None:
    """Time ``order`` after the head: published starts where possible, later where needed.

    A lunch break not yet taken goes into the first gap where everything still fits.
    """
    if t.caregiver.lunch is None or t.break_done or not (t.head or order):
        return _timed(problem, t, order, forced, None, ride)
    for gap in range(len(order) + 1):
        route = _timed(problem, t, order, forced, gap, ride)
        if route is not None:
            return route
    return None


def _timed(
    problem: Problem,
    t: _Tail,
    order: Sequence[Visit],
    forced: Mapping[str, int],
    gap: int | None,
    ride: bool = True,
) -> Route | None:
    """``order`` timed with the break (if any) taken before stop ``gap`` (or at the end)."""
    cg, travel, lunch = t.caregiver, problem.travel[t.caregiver.mode], t.caregiver.lunch
    loc, ready = t.location, t.ready
    b = t.break_start
    stops: list[Stop] = []
    for i, v in enumerate(order):
        if lunch is not None and gap == i:
            b = max(ready, lunch.start)
            if b + lunch.duration > lunch.end:
                return None
            ready = b + lunch.duration
        arrival = ready + travel[loc][v.location]
        want = forced.get(v.id)
        if want is not None:
            if want < arrival or not v.allows(want):
                return None
            start: int | None = want
        else:
            start = v.earliest_start(max(arrival, t.wish.get(v.id, arrival)))
        if start is None:
            return None
        stops.append(Stop(v.id, arrival, start))
        loc, ready = v.location, start + v.service
    arrival_end = ready + travel[loc][cg.end_location]
    if lunch is not None and gap == len(order):
        last = _lunch_last(cg, lunch, ready, travel[loc][cg.end_location])
        if last is None:
            return None
        b, arrival_end = last
    departure = t.departure
    if departure < 0:
        if stops and (b is None or b >= stops[0].start):
            # Not yet left and no break first: leave just in time for the first visit.
            departure = stops[0].start - travel[cg.start_location][order[0].location]
            stops[0] = Stop(stops[0].visit, stops[0].start, stops[0].start)
        else:
            departure = t.ready
    if arrival_end > cg.shift_end or departure < cg.shift_start:
        return None
    if cg.max_work is not None and arrival_end - departure > cg.max_work:
        return None
    if ride and not _hot(problem, order, stops):
        return None
    has_work = bool(t.head or stops)
    return Route(
        cg.id,
        departure,
        t.head + tuple(stops),
        arrival_end,
        b if has_work else None,
        t.collections,
    )


def _lunch_last(cg: Caregiver, lunch: Break, ready: int, home: int) -> tuple[int, int] | None:
    """The break after the last visit, at its place or at home, whichever the window
    allows: (its start, the arrival home), or None when it fits nowhere."""
    arrival_end = ready + home
    b = max(ready, lunch.start)
    if b + lunch.duration > min(lunch.end, cg.shift_end):
        return None
    if b + lunch.duration > arrival_end - home:
        b = max(arrival_end, lunch.start)
        if b + lunch.duration > min(lunch.end, cg.shift_end):
            b = max(ready, lunch.start)
            arrival_end = b + lunch.duration + home
    return b, arrival_end


SEP = "\x00"  # between the meals of one collection stop's id


def _meals_of(vid: str) -> tuple[str, ...] | None:
    """The meals a collection stop collects, or None for a visit."""
    meals = meal_of(vid)
    return tuple(meals.split(SEP)) if meals is not None else None


def _collection_stop(problem: Problem, kitchen: str, meals: Sequence[str]) -> Visit:
    """A collection as a stop of the pending order: at its kitchen, from when the meals are
    ready, for the loading time."""
    k = problem.kitchen(kitchen)
    horizon = max(k.ready, *(c.shift_end for c in problem.caregivers))
    token = pickup_token(SEP.join(meals))
    return Visit(token, k.location, (Window(k.ready, horizon),), problem.meals.load)


def _hot(problem: Problem, order: Sequence[Visit], stops: Sequence[Stop]) -> bool:
    """Every drop of a round to come starts within the hot-food limit of its collection."""
    rules = problem.meals
    starts = {s.visit: s.start for s in stops}
    for v in order:
        for meal in _meals_of(v.id) or ():
            drop = starts.get(meal)
            if drop is None or drop > starts[v.id] + rules.load + rules.max_ride:
                return False
    return True


def _with_rounds(problem: Problem, route: Route) -> Route:
    """``route`` with each collection stop turned back into a `Collection`."""
    stops: list[Stop] = []
    collections = list(route.collections)
    for s in route.stops:
        meals = _meals_of(s.visit)
        if meals is None:
            stops.append(s)
            continue
        kitchen = problem.visit(meals[0]).kitchen or ""
        collections.append(Collection(kitchen, len(stops), s.arrival, s.start, meals))
    return replace(route, stops=tuple(stops), collections=tuple(collections))


def _location(problem: Problem, vid: str) -> int:
    meals = _meals_of(vid)
    if meals is not None:
        return problem.kitchen(problem.visit(meals[0]).kitchen or "").location
    return problem.visit(vid).location


def _free_from(
    problem: Problem, t: _Tail, order: Sequence[Visit], forced: Mapping[str, int]
) -> list[tuple[int, int]]:
    """For each insertion position of ``order``, a lower bound on when and where the
    caregiver is free: the order timed as ``_timed`` does but without the lunch break, which
    only ever makes things later. Shorter than ``len(order) + 1`` where the order already
    fails without a break, so every position from there on fails too."""
    travel = problem.travel[t.caregiver.mode]
    loc, ready = t.location, t.ready
    free = [(ready, loc)]
    for u in order:
        arrival = ready + travel[loc][u.location]
        want = forced.get(u.id)
        if want is not None:
            if want < arrival or not u.allows(want):
                break
            start: int | None = want
        else:
            start = u.earliest_start(max(arrival, t.wish.get(u.id, arrival)))
        if start is None:
            break
        loc, ready = u.location, start + u.service
        free.append((ready, loc))
    return free


def _cannot_fit(
    problem: Problem,
    t: _Tail,
    order: Sequence[Visit],
    free: Sequence[tuple[int, int]],
    pos: int,
    v: Visit,
    forced: Mapping[str, int],
) -> bool:
    """True when ``v`` at ``pos`` surely fails ``_retime``: it cannot start in time from the
    earliest the caregiver is free there, or the next visit then cannot."""
    if pos >= len(free):
        return True
    travel = problem.travel[t.caregiver.mode]
    ready, loc = free[pos]
    start = v.earliest_start(ready + travel[loc][v.location])
    if start is None:
        return True
    if pos == len(order):
        return False
    u = order[pos]
    arrival = start + v.service + travel[v.location][u.location]
    want = forced.get(u.id)
    if want is not None:
        return want < arrival
    return u.earliest_start(max(arrival, t.wish.get(u.id, arrival))) is None


def _order_km(problem: Problem, t: _Tail, order: Sequence[Visit]) -> int:
    """Travel from where the tail starts through ``order`` and home."""
    travel = problem.travel[t.caregiver.mode]
    locs = [t.location, *(v.location for v in order), t.caregiver.end_location]
    return sum(travel[a][b] for a, b in zip(locs, locs[1:], strict=False))


def _score(
    t: _Tail, route: Route, problem: Problem, v: Visit, before: int
) -> tuple[int, int, list[Move]]:
    """What putting ``v`` in costs: moved visits, seconds shifted, the travel it adds to the
    route (``before`` is the route's travel without it) and, for an emergency, its wait."""
    moves = [
        Move(s.visit, t.caregiver.id, t.wish[s.visit], s.start)
        for s in route.stops
        if s.visit in t.wish and s.start != t.wish[s.visit] and meal_of(s.visit) is None
    ]
    travel = problem.travel[t.caregiver.mode]
    locs = [t.location] + [_location(problem, s.visit) for s in route.stops[len(t.head) :]]
    locs.append(t.caregiver.end_location)
    # The travel added, not the route's whole travel: otherwise an idle caregiver, whose
    # route is short, wins a visit a busy one beside it would serve with a small detour.
    km = sum(travel[a][b] for a, b in zip(locs, locs[1:], strict=False)) - before
    start = next(s.start for s in route.stops if s.visit == v.id)
    # An emergency also pays for every second it waits; other requests only for disruption.
    urgency = start - v.windows[0].start if v.priority == 1 else 0
    cost = km + urgency
    if t.promised:
        cost += MOVE_COST * len(moves) + sum(m.new_start - m.old_start for m in moves)
    return cost, start, moves


def insert(
    problem: Problem,
    published: Plan,
    now: int,
    new: Sequence[str],
    fixed: frozenset[str] = frozenset(),
    positions: Mapping[str, Position] | None = None,
    promised: bool = True,
) -> Replan:
    """Insert the visits ``new`` (ids of ``problem`` visits not yet in ``published``).

    Most urgent first; each goes to the caregiver and position of least cost (moved visits,
    seconds shifted, travel added, and for an emergency its wait). A visit that fits nowhere
    comes back unassigned with a reason. With ``promised`` false (a plan still being made,
    whose times nobody has been told) moving and shifting visits cost nothing.
    """
    routes, tails = _open_routes(problem, published, now, fixed, positions or {}, promised)
    orders = {cid: list(t.pending) for cid, t in tails.items()}
    # Published two-caregiver visits keep their start: moving one copy would break the pair.
    forced = {
        v.id: t.wish[v.id] for t in tails.values() for v in t.pending if v.caregivers_needed == 2
    }
    screened = screen(problem)
    unassigned = [u for u in published.unassigned if u.visit not in new]
    inserted: list[str] = []
    moves: dict[tuple[str, str], Move] = {}
    todo = sorted(
        (problem.visit(vid) for vid in new), key=lambda v: (v.priority, v.windows[-1].end)
    )
    for v in todo:
        if v.id in screened.rejected:
            unassigned.append(Unassigned(v.id, screened.rejected[v.id]))
        elif _place(problem, v, screened.candidates[v.id], routes, tails, orders, forced, moves):
            inserted.append(v.id)
        else:
            unassigned.append(Unassigned(v.id, REASON_CAPACITY))
    plan = Plan(
        tuple(routes[c.id] for c in problem.caregivers),
        tuple(unassigned),
        fallback=published.fallback,
        notes=published.notes + (f"replanned at {now}",),
    )
    return Replan(plan, tuple(inserted), tuple(moves.values()))


def _open_routes(
    problem: Problem,
    published: Plan,
    now: int,
    fixed: frozenset[str],
    positions: Mapping[str, Position],
    promised: bool,
) -> tuple[dict[str, Route], dict[str, _Tail]]:
    """Every caregiver's published route (an empty one for those without) and its part
    still open to change."""
    routes = {r.caregiver: r for r in published.routes}
    for c in problem.caregivers:
        routes.setdefault(c.id, Route(c.id, c.shift_start, (), c.shift_start))
    tails = {
        cid: replace(_tail(problem, r, now, fixed, positions.get(cid)), promised=promised)
        for cid, r in routes.items()
    }
    return routes, tails


def _place(
    problem: Problem,
    v: Visit,
    candidates: tuple[int, ...],
    routes: dict[str, Route],
    tails: Mapping[str, _Tail],
    orders: dict[str, list[Visit]],
    forced: dict[str, int],
    moves: dict[tuple[str, str], Move],
) -> bool:
    """Put ``v`` where it costs least, updating the routes, orders, held starts and moves;
    False when it fits nowhere."""
    if v.kitchen is not None:
        placed = _insert_meal(problem, v, candidates, tails, orders, forced)
        if placed is None:
            return False
        cid, placed_route = placed
        routes[cid] = _with_rounds(problem, placed_route)
        _note_moves(moves, tails[cid], cid, placed_route)
        return True
    options = _options(problem, v, candidates, tails, orders, forced)
    chosen = _choose(problem, v, options, tails, orders, forced)
    if chosen is None:
        return False
    start, picks = chosen
    if v.caregivers_needed == 2:
        forced[v.id] = start
    for cid, pos in picks:
        orders[cid].insert(pos, v)
        route = _retime(problem, tails[cid], orders[cid], forced)
        assert route is not None
        routes[cid] = _with_rounds(problem, route)
        _note_moves(moves, tails[cid], cid, route)
    return True


def _options(
    problem: Problem,
    v: Visit,
    candidates: tuple[int, ...],
    tails: Mapping[str, _Tail],
    orders: Mapping[str, list[Visit]],
    forced: Mapping[str, int],
) -> list[tuple[int, int, str, int, list[Move]]]:
    """Every feasible (cost, start, caregiver, position, moves) for visit ``v``, cheapest
    first."""
    options = []
    for k in candidates:
        cid = problem.caregivers[k].id
        t = tails[cid]
        # Timing every position of every route is what a busy day's insertion spends its
        # time on; positions that surely fail are skipped (the same options either way).
        free = _free_from(problem, t, orders[cid], forced)
        before = _order_km(problem, t, orders[cid])
        for pos in range(len(orders[cid]) + 1):
            if _cannot_fit(problem, t, orders[cid], free, pos, v, forced):
                continue
            trial = orders[cid][:pos] + [v] + orders[cid][pos:]
            route = _retime(problem, t, trial, forced)
            if route is not None:
                cost, start, mv = _score(t, route, problem, v, before)
                options.append((cost, start, cid, pos, mv))
    options.sort(key=lambda o: (o[0], o[1], o[2], o[3]))
    return options


def _note_moves(moves: dict[tuple[str, str], Move], t: _Tail, cid: str, route: Route) -> None:
    for s in route.stops:
        wish = t.wish.get(s.visit)
        if wish is not None and meal_of(s.visit) is None:
            key = (s.visit, cid)
            if s.start != wish:
                moves[key] = Move(s.visit, cid, wish, s.start)
            else:
                moves.pop(key, None)


def _insert_meal(
    problem: Problem,
    v: Visit,
    candidates: tuple[int, ...],
    tails: Mapping[str, _Tail],
    orders: dict[str, list[Visit]],
    forced: dict[str, int],
) -> tuple[str, Route] | None:
    """A new meal into a round to come from its kitchen where the box, the hot-food limit
    and the windows allow, where that costs least; else as a round of its own (collect it,
    drop it). A collection waits at the kitchen when leaving at once would let a meal go
    cold."""
    cgs = [
        problem.caregivers[k]
        for k in candidates
        if (not v.pins or problem.caregivers[k].id in v.pins)
        and problem.meals.box.get(problem.caregivers[k].mode, 0) >= 1
    ]
    for joining in (True, False):
        best = _best_meal_trial(problem, v, cgs, tails, orders, forced, joining)
        if best is not None:
            break
    else:
        return None
    cid, trial = best
    orders[cid][:] = trial.order
    if trial.replaces is not None:
        forced.pop(trial.replaces, None)
    if trial.hold is not None:
        forced[trial.pickup.id] = trial.hold
    assert trial.route is not None
    return cid, trial.route


def _best_meal_trial(
    problem: Problem,
    v: Visit,
    cgs: Sequence[Caregiver],
    tails: Mapping[str, _Tail],
    orders: Mapping[str, list[Visit]],
    forced: Mapping[str, int],
    joining: bool,
) -> tuple[str, _MealTrial] | None:
    """The cheapest feasible place for meal ``v`` joining a round (or as its own round)."""
    best: tuple[tuple[int, int, str, int], _MealTrial] | None = None
    for c in cgs:
        t = tails[c.id]
        for n, trial in enumerate(_meal_trials(problem, v, orders[c.id], joining)):
            if not _boxed(problem, c, trial.order):
                continue
            if trial.replaces in t.wish:
                # A round that grows keeps its published start as the one it replaces.
                t.wish.setdefault(trial.pickup.id, t.wish[trial.replaces])
            timed = _hot_timing(problem, t, trial, forced)
            if timed is None:
                continue
            before = _order_km(problem, t, orders[c.id])
            cost, start, _ = _score(t, timed[0], problem, v, before)
            key = (cost, start, c.id, n)
            if best is None or key < best[0]:
                best = (key, replace(trial, route=timed[0], hold=timed[1]))
    return (best[0][2], best[1]) if best is not None else None


@dataclass(frozen=True)
class _MealTrial:
    """An order with a new meal in it: its collection stop (new, or one to come grown by
    the meal, replacing the stop of id ``replaces``)."""

    order: list[Visit]
    pickup: Visit
    replaces: str | None = None
    route: Route | None = None
    hold: int | None = None


def _meal_trials(problem: Problem, v: Visit, order: list[Visit], joining: bool) -> list[_MealTrial]:
    """Every place for meal ``v`` in ``order``: joining each round to come from its kitchen
    (the drop anywhere after that round's collection, up to just after its last drop), or
    as a round of its own anywhere."""
    kitchen = v.kitchen or ""
    out: list[_MealTrial] = []
    if not joining:
        own = _collection_stop(problem, kitchen, [v.id])
        return [_MealTrial([*order[:j], own, v, *order[j:]], own) for j in range(len(order) + 1)]
    for i, stop in enumerate(order):
        meals = _meals_of(stop.id)
        if meals is None or problem.visit(meals[0]).kitchen != kitchen:
            continue
        grown = _collection_stop(problem, kitchen, [*meals, v.id])
        joined = [*order[:i], grown, *order[i + 1 :]]
        last = max(j for j, u in enumerate(order) if u.id in meals)
        for j in range(i + 1, last + 2):
            out.append(_MealTrial([*joined[:j], v, *joined[j:]], grown, stop.id))
    return out


def _boxed(problem: Problem, c: Caregiver, order: Sequence[Visit]) -> bool:
    """Whether the meals on board never exceed the caregiver's box along ``order`` (meals
    of a round under way are on board from the start)."""
    collected = {m for u in order for m in _meals_of(u.id) or ()}
    on_board = sum(1 for u in order if u.kitchen is not None and u.id not in collected)
    box = problem.meals.box.get(c.mode, 0)
    for u in order:
        meals = _meals_of(u.id)
        if meals is not None:
            on_board += len(meals)
            if on_board > box:
                return False
        elif u.kitchen is not None:
            on_board -= 1
    return True


def _hot_timing(
    problem: Problem, t: _Tail, trial: _MealTrial, forced: Mapping[str, int]
) -> tuple[Route, int | None] | None:
    """``trial`` timed, with its collection held back (the start returned) when leaving at
    once would let its last meal go cold."""
    rules = problem.meals
    forced = {k: w for k, w in forced.items() if k != trial.replaces}
    timed = _retime(problem, t, trial.order, forced)
    if timed is not None:
        return timed, None
    cold = _retime(problem, t, trial.order, forced, ride=False)
    if cold is None:
        return None
    starts = {s.visit: s.start for s in cold.stops}
    meals = _meals_of(trial.pickup.id) or ()
    hold = max(starts[m] for m in meals) - rules.max_ride - rules.load
    timed = _retime(problem, t, trial.order, {**forced, trial.pickup.id: hold})
    return (timed, hold) if timed is not None else None


def _choose(
    problem: Problem,
    v: Visit,
    options: list[tuple[int, int, str, int, list[Move]]],
    tails: Mapping[str, _Tail],
    orders: Mapping[str, list[Visit]],
    forced: Mapping[str, int],
) -> tuple[int, list[tuple[str, int]]] | None:
    """The cheapest option; for a pair, the cheapest two caregivers agreeing on a start."""
    pin = v.pinned_caregiver
    if v.caregivers_needed == 1:
        for _cost, start, cid, pos, _ in options:
            if pin is None or cid == pin:
                return start, [(cid, pos)]
        return None
    best: tuple[int, int, list[tuple[str, int]]] | None = None
    shortlist = options[:PAIR_SHORTLIST]
    before = {cid: _order_km(problem, tails[cid], orders[cid]) for _, _, cid, _, _ in shortlist}
    for i, (_, sa, ca, pa, _) in enumerate(shortlist):
        for _, sb, cb, pb, _ in shortlist[i + 1 :]:
            if ca == cb or not set(v.pins) <= {ca, cb}:
                continue
            together = {**forced, v.id: max(sa, sb)}
            total = 0
            for cid, pos in ((ca, pa), (cb, pb)):
                trial = orders[cid][:pos] + [v] + orders[cid][pos:]
                route = _retime(problem, tails[cid], trial, together)
                if route is None:
                    break
                total += _score(tails[cid], route, problem, v, before[cid])[0]
            else:
                if best is None or total < best[0]:
                    best = (total, max(sa, sb), [(ca, pa), (cb, pb)])
    return (best[1], best[2]) if best is not None else None
