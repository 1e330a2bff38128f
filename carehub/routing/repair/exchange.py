"""Exchange: a left-over visit placed by moving a visit of a full route to another caregiver.

Insertion puts a left-over visit only where a route has room for it as it stands. When every
caregiver who may serve it (a male bather, say) is full at its time, it stays open even if
one of their visits could go to somebody else (a female caregiver with time then). An
exchange is that ejection chain: visit ``v`` goes into caregiver A's route in place of one
of A's visits ``u``, and ``u`` goes into caregiver B's route as it stands (depth 1) or in
place of one of B's visits, which goes to a third caregiver C (depth 2). It is taken only
when every visit of the chain is placed: nothing is dropped.

A left-over two-caregiver visit (a bath for two) is placed the same way on two caregivers
at once: each takes it into their route as it stands or in place of one of their visits,
the two agree on a start, and each visit given up goes elsewhere by a chain one shorter. The
two caregivers' ways are tried by the travel they add together, least first.
Insertion places a pair only where both routes already have room at one time; with two
bathers in a circle, the long searches that make routes tight left such baths open.

Routes are timed as insertion times them (``replan``): windows, shift, maximum working
time, lunch, a pair's agreed start, each meal round's box and hot-food rule. Visits that
move are single-caregiver visits that are neither meals nor pinned; meals, pairs and pins
stay where they are. The caller checks the result with ``validate()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations

from carehub.routing.deadline import Deadline
from carehub.routing.problem import Caregiver, Plan, Problem, Route, Visit
from carehub.routing.repair.replan import (
    _cannot_fit,
    _free_from,
    _retime,
    _Tail,
    _tail,
    _with_rounds,
)
from carehub.routing.rounds import meal_of

DEPTH = 2


@dataclass(frozen=True)
class Exchanged:
    plan: Plan
    placed: tuple[str, ...]  # left-over visits the exchanges placed
    moved: tuple[str, ...] = ()  # visits that changed caregiver to make room


# One caregiver's new order and its timed route.
_Change = tuple[list[Visit], Route]


@dataclass
class _State:
    problem: Problem
    tails: dict[str, _Tail]
    orders: dict[str, list[Visit]]
    forced: dict[str, int]
    deadline: Deadline
    holder: dict[str, str] = field(default_factory=dict)  # visit id -> caregiver
    # For a visit, its direct placements on every caregiver able (cheapest first), until the
    # routes change.
    direct: dict[str, list[tuple[int, str, _Change]]] = field(default_factory=dict)

    def expired(self) -> bool:
        return self.deadline.left() == 0


def exchange(
    problem: Problem,
    plan: Plan,
    left: Sequence[str],
    deadline: Deadline | None = None,
    depth: int = DEPTH,
) -> Exchanged:
    """Place the visits ``left`` (ids, unassigned in ``plan``) by ejection chains of at most
    ``depth`` moved visits, until ``deadline``. Visits not placed stay unassigned with
    their reasons."""
    deadline = deadline or Deadline.after(float("inf"))
    routes = {r.caregiver: r for r in plan.routes}
    for c in problem.caregivers:
        routes.setdefault(c.id, Route(c.id, c.shift_start, (), c.shift_start))
    tails = {cid: _tail(problem, r, 0, frozenset(), None) for cid, r in routes.items()}
    orders = {cid: list(t.pending) for cid, t in tails.items()}
    # A pair keeps its start: moving one of its copies would break it.
    forced = {
        v.id: t.wish[v.id] for t in tails.values() for v in t.pending if v.caregivers_needed == 2
    }
    loose = {cid: _loose(t) for cid, t in tails.items()}
    st = _State(problem, loose, orders, forced, deadline)
    st.holder = {v.id: cid for cid, order in orders.items() for v in order}
    before = dict(st.holder)
    placed: list[str] = []
    for vid in left:
        if st.expired():
            break
        v = problem.visit(vid)
        chain: dict[str, _Change] | None = None
        if _pair(v):
            found = _pair_chain(st, v, depth)
            if found is not None:
                st.forced[v.id], chain = found
        elif _movable(v, allow_pin=True):
            chain = _chain(st, v, depth, frozenset())
        if chain is None:
            continue
        for cid, (order, route) in chain.items():
            st.orders[cid] = order
            routes[cid] = _with_rounds(problem, route)
            for u in order:
                st.holder[u.id] = cid
        st.direct.clear()
        placed.append(vid)
    done = set(placed)
    moved = tuple(sorted(u for u, cid in before.items() if st.holder.get(u) != cid))
    final = Plan(
        tuple(routes[c.id] for c in problem.caregivers),
        tuple(u for u in plan.unassigned if u.visit not in done),
        fallback=plan.fallback,
        objective=plan.objective,
        notes=plan.notes,
    )
    return Exchanged(final, tuple(placed), moved)


def _loose(t: _Tail) -> _Tail:
    """A tail whose visits may start as early as their windows allow: a route that gives up
    a visit lets the rest move earlier. A round's collection keeps its start as a floor, so
    leaving the kitchen earlier does not let its meals go cold."""
    return replace(t, wish={k: w for k, w in t.wish.items() if meal_of(k) is not None})


def _movable(v: Visit, allow_pin: bool = False) -> bool:
    """A visit an exchange may place or move: one caregiver, not a meal, not pinned (a
    left-over visit pinned to a caregiver may still be placed, on that caregiver)."""
    if v.caregivers_needed != 1 or v.kitchen is not None or meal_of(v.id) is not None:
        return False
    if v.pinned_time is not None:
        return False
    return allow_pin or v.pinned_caregiver is None


def _able(st: _State, v: Visit, busy: frozenset[str]) -> list[str]:
    return [
        c.id
        for c in st.problem.caregivers
        if c.id not in busy
        and c.can_serve(v)
        and (v.pinned_caregiver is None or c.id == v.pinned_caregiver)
    ]


def _places(st: _State, cid: str, order: list[Visit], v: Visit) -> list[tuple[int, _Change]]:
    """Every feasible place for ``v`` in ``order``, in route order, each with the travel of
    the route it makes."""
    problem, t = st.problem, st.tails[cid]
    free = _free_from(problem, t, order, st.forced)
    found: list[tuple[int, _Change]] = []
    for pos in range(len(order) + 1):
        if _cannot_fit(problem, t, order, free, pos, v, st.forced):
            continue
        trial = [*order[:pos], v, *order[pos:]]
        route = _retime(problem, t, trial, st.forced)
        if route is not None:
            found.append((_travel(problem, t, route), (trial, route)))
    return found


def _best_position(
    st: _State, cid: str, order: list[Visit], v: Visit
) -> tuple[int, _Change] | None:
    """The cheapest feasible place for ``v`` in ``order`` (by the route's travel)."""
    return min(_places(st, cid, order, v), key=lambda p: p[0], default=None)


def _near(order: Sequence[Visit], v: Visit) -> list[int]:
    """Positions of the visits of ``order`` an exchange may move, nearest ``v``'s time first:
    the ones whose leaving most likely makes room for it."""
    return sorted(
        (i for i, u in enumerate(order) if _movable(u)),
        key=lambda i: abs(order[i].windows[0].start - v.windows[0].start),
    )


def _travel(problem: Problem, t: _Tail, route: Route) -> int:
    travel = problem.travel[t.caregiver.mode]
    locs = [t.location]
    for s in route.stops:
        meals = meal_of(s.visit)
        if meals is None:
            locs.append(problem.visit(s.visit).location)
        else:
            first = problem.visit(meals.split("\x00")[0])
            locs.append(problem.kitchen(first.kitchen or "").location)
    locs.append(t.caregiver.end_location)
    return sum(travel[a][b] for a, b in zip(locs, locs[1:], strict=False))


def _direct(st: _State, v: Visit) -> list[tuple[int, str, _Change]]:
    """Every caregiver able to take ``v`` into their route as it stands, cheapest first
    (its present holder left out)."""
    found = st.direct.get(v.id)
    if found is None:
        found = []
        for cid in _able(st, v, frozenset({st.holder.get(v.id, "")})):
            best = _best_position(st, cid, st.orders[cid], v)
            if best is not None:
                found.append((best[0], cid, best[1]))
        found.sort(key=lambda f: (f[0], f[1]))
        st.direct[v.id] = found
    return found


def _chain(st: _State, v: Visit, depth: int, busy: frozenset[str]) -> dict[str, _Change] | None:
    """Changes to at most ``depth`` + 1 routes (none of ``busy``) that place ``v`` and keep
    every visit they held, or None."""
    for _cost, cid, change in _direct(st, v):
        if cid not in busy:
            return {cid: change}
    if depth == 0:
        return None
    for a in _able(st, v, busy):
        order = st.orders[a]
        for i in _near(order, v):
            if st.expired():
                return None
            rest = order[:i] + order[i + 1 :]
            into = _best_position(st, a, rest, v)
            if into is None:
                continue
            sub = _chain(st, order[i], depth - 1, busy | {a})
            if sub is not None:
                return {a: into[1], **sub}
    return None


# For each caregiver of a pair: the visits near its time they may give up, nearest first, and
# the cheapest places for it in each route so made, the route as it stands included.
PAIR_GIVE_UP = 6
PAIR_PLACES = 2


def _pair(v: Visit) -> bool:
    """A two-caregiver visit an exchange may place: neither a meal nor pinned."""
    return v.caregivers_needed == 2 and v.kitchen is None and not v.pins and v.pinned_time is None


# One caregiver's way of taking a pair: the travel it adds, its earliest start there, the new
# order, and the visit given up (None when the route takes it as it stands).
_Way = tuple[int, int, list[Visit], Visit | None]


def _pair_ways(st: _State, cid: str, v: Visit) -> list[_Way]:
    """Caregiver ``cid``'s ways of taking ``v``: the route as it stands, then giving up one
    of the visits nearest ``v``'s time; at most ``PAIR_PLACES`` cheapest places each."""
    problem, t, order = st.problem, st.tails[cid], st.orders[cid]
    now = _retime(problem, t, order, st.forced)
    before = _travel(problem, t, now) if now is not None else 0
    ways: list[_Way] = []
    for gone in [None, *_near(order, v)[:PAIR_GIVE_UP]]:
        rest = order if gone is None else order[:gone] + order[gone + 1 :]
        places = [
            (cost - before, next(s.start for s in route.stops if s.visit == v.id), trial)
            for cost, (trial, route) in _places(st, cid, rest, v)
        ]
        places.sort(key=lambda p: (p[0], p[1]))
        given = None if gone is None else order[gone]
        ways += [(added, start, trial, given) for added, start, trial in places[:PAIR_PLACES]]
    return ways


def _pair_chain(st: _State, v: Visit, depth: int) -> tuple[int, dict[str, _Change]] | None:
    """A start for pair ``v`` and the changes that place it on two caregivers, each giving
    up at most one visit that a chain of ``depth`` - 1 places elsewhere; None if none does.
    The two caregivers' ways are tried by the travel they add together, least first."""
    able = [c.id for c in st.problem.caregivers if c.can_serve(v)]
    ways = {cid: [w for w in _pair_ways(st, cid, v) if depth > 0 or w[3] is None] for cid in able}
    tries = sorted(
        (way_a[0] + way_b[0], n, a, b, way_a, way_b)
        for n, (a, b, way_a, way_b) in enumerate(
            (a, b, way_a, way_b)
            for a, b in combinations(able, 2)
            for way_a in ways[a]
            for way_b in ways[b]
        )
    )
    for _added, _n, a, b, (_, start_a, order_a, gone_a), (_, start_b, order_b, gone_b) in tries:
        if st.expired():
            return None
        start = max(start_a, start_b)
        together = {**st.forced, v.id: start}
        route_a = _retime(st.problem, st.tails[a], order_a, together)
        if route_a is None:
            continue
        route_b = _retime(st.problem, st.tails[b], order_b, together)
        if route_b is None:
            continue
        changes = {a: (order_a, route_a), b: (order_b, route_b)}
        for gone in (gone_a, gone_b):
            sub = None if gone is None else _chain(st, gone, depth - 1, frozenset(changes))
            if gone is not None and sub is None:
                break
            changes.update(sub or {})
        else:
            return start, changes
    return None


@dataclass(frozen=True)
class Open:
    """Why a visit is still open, as far as the routes of ``problem``'s caregivers show."""

    visit: str
    able: tuple[str, ...]  # caregivers who may serve it (skill, gender, pin, "do not send")
    # Of those, the ones whose route leaves a gap as long as its service starting inside its
    # window and shift, travel left out (so a caregiver not listed surely cannot take it as
    # the routes stand).
    free: tuple[str, ...]

    @property
    def why(self) -> str:
        if not self.able:
            return "nobody in reach may serve it"
        if not self.free:
            return f"all {len(self.able)} in reach who may serve it are busy throughout its window"
        return f"{len(self.free)} of {len(self.able)} in reach who may serve it have a gap in its window"


def why_open(problem: Problem, plan: Plan, vid: str) -> Open:
    """Whether anybody in ``problem`` could still take visit ``vid`` into their route as
    it stands, by a bound that leaves travel out: when nobody is ``free``, only moving
    visits (an exchange, a new search) could place it."""
    v = problem.visit(vid)
    routes = {r.caregiver: r for r in plan.routes}
    able = tuple(_able_ids(problem, v))
    free = tuple(cid for cid in able if _gap(problem, problem.caregiver(cid), routes.get(cid), v))
    return Open(vid, able, free)


def _able_ids(problem: Problem, v: Visit) -> list[str]:
    return [c.id for c in problem.caregivers if c.can_serve(v) and (not v.pins or c.id in v.pins)]


def _gap(problem: Problem, cg: Caregiver, route: Route | None, v: Visit) -> bool:
    """A start inside ``v``'s windows and ``cg``'s shift whose service overlaps none of
    the route's stops, collections or lunch."""
    busy: list[tuple[int, int]] = []
    if route is not None:
        for s in route.stops:
            busy.append((s.start, s.start + problem.visit(s.visit).service))
        for c in route.collections:
            busy.append((c.start, c.start + problem.meals.load))
        if route.break_start is not None and cg.lunch is not None:
            busy.append((route.break_start, route.break_start + cg.lunch.duration))
    busy.sort()
    for w in v.windows:
        lo, hi = max(w.start, cg.shift_start), min(w.end, cg.shift_end - v.service)
        if lo > hi:
            continue
        # The earliest start at or after lo clear of every busy interval.
        t = lo
        for a, b in busy:
            if b <= t:
                continue
            if a >= t + v.service:
                break
            t = b
        if t <= hi:
            return True
    return False
