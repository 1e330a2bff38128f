"""A district day solved circle by circle, in parallel, then across circles.

Pass 1 solves each station's circle alone: its visits with its caregivers, circles spread
over a process pool. What the circles leave over is then inserted into the district's routes
as they stand, any caregiver able, existing visits only pushed later. Pass 2 goes through the
circles that still left visits over, nearest-first neighbours by station distance: those
visits are offered to the caregivers of the neighbouring circles, whose own visits stay with
them (pinned) and whose routes seed the search. A visit served by a caregiver from another
circle is lent.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace

from carehub.routing.deadline import Deadline
from carehub.routing.params import SolverParams
from carehub.routing.problem import REASON_CAPACITY, Plan, Problem, Route, Unassigned, Visit
from carehub.routing.repair.exchange import exchange
from carehub.routing.repair.replan import insert
from carehub.routing.rounds import route_order
from carehub.routing.screen import screen
from carehub.routing.search import greedy, sisr
from carehub.routing.search.solver import solve
from carehub.routing.subproblem import subproblem
from carehub.routing.validate import validate

WORKERS = 2
PASS1_SHARE = 0.9  # of the time left for solving; lending, when needed, gets the rest
# Forking a process that runs threads (a web server, the job scheduler) can copy a lock held
# by another thread and hang the child; a fork server is forked once, from a clean state.
START_METHOD = "forkserver"
PRELOAD = ["carehub.routing.search.solver"]

Progress = Callable[[int, int], None]  # (parts solved, parts in all)
SETUP_S = 0.3  # per circle solve outside OR-Tools' limit: greedy start, model, extraction
# Inserting what the circles left over, per visit of the day, set aside before pass 1. On
# the understaffed city weekday (9,882 visits, 40 % left over by the circles) insertion ran
# 15-30 s, while the circle solves barely beat their greedy start after 0.2 s; on a district
# day it takes milliseconds and the time goes unused.
INSERT_S_PER_VISIT = 0.0015
LEND_MIN_S = 0.5  # a lending solve shorter than this (plus its setup) is not started
# A part whose share is shorter than this gets its greedy plan without a search: building
# the model alone takes about that long, and on a busy machine a hundred parts at a floor of
# a fraction of a second each ran the city's pass 1 20 s past its deadline.
MIN_SEARCH_S = 0.3
NO_SEARCH = "no time left to search"
# Of the time left after pass 1, what insertion may take before lending gets the rest: an
# understaffed city leaves thousands of visits over, each tried at every position of every
# nearby route.
INSERT_SHARE = 0.8
# What insertion gets even when pass 1 ran to or past the deadline (a busy machine, a short
# limit): a small day's left-overs insert in milliseconds, and leaving them unassigned for
# want of time would report a shortfall the plan does not have.
INSERT_MIN_S = 0.25
# Of the time left after insertion, what the exchanges may take before lending gets the
# rest; on the city weekday they take milliseconds a circle.
EXCHANGE_SHARE = 0.5
# What the exchanges get even when the steps before ran to the deadline, for the same reason
# as insertion's floor: a visit one move away from a place costs milliseconds to place.
EXCHANGE_MIN_S = 0.25


@dataclass(frozen=True)
class Circles:
    visit_circle: Mapping[str, str]  # visit id -> circle (station code)
    caregiver_circle: Mapping[str, str]  # caregiver id -> circle
    neighbours: Mapping[str, Sequence[str]]  # circle -> other circles, nearest first
    lend_to: int = 2  # neighbouring circles asked in pass 2


@dataclass(frozen=True)
class CirclePlan:
    plan: Plan
    lent: frozenset[tuple[str, str]]  # (visit id, caregiver id) served across circles
    seconds: float
    circles: int


@dataclass(frozen=True)
class Part:
    problem: Problem
    params: SolverParams  # its time limit caps the part's
    deadline: float  # wall clock (time.time()), shared by the worker processes
    seed: list[list[str]] | None = None  # routes to start from, one per caregiver
    slots: int = 1  # parts this worker still runs before the deadline, this one included


def _solve_part(part: Part) -> Plan:
    # Each part gets its share of what is left when it starts, not when it was queued: the
    # pool's first start and a busy machine delay parts, and the last ones would be cut short.
    left = (part.deadline - time.time()) / part.slots - SETUP_S
    if left < MIN_SEARCH_S:
        plan = greedy.solve(part.problem)
        return replace(plan, notes=(*plan.notes, NO_SEARCH))
    limit = min(part.params.time_limit_s, left)
    return solve(
        problem=part.problem,
        params=replace(part.params, time_limit_s=limit),
        initial_routes=part.seed,
    )


_pools: dict[tuple[str, int], ProcessPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(workers: int) -> ProcessPoolExecutor:
    """The process's pool of ``workers`` solver processes, started on first use and kept:
    each new process re-imports the main script (Python 3.11's fork server does not preload
    it), seconds on a busy machine, so a long-lived web process pays that once."""
    key = (START_METHOD, workers)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            context = multiprocessing.get_context(START_METHOD)
            if START_METHOD == "forkserver":
                context.set_forkserver_preload(PRELOAD)
            pool = _pools[key] = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        return pool


def _ready(kernel: bool) -> None:
    if kernel:
        sisr.load()


def warm(workers: int = WORKERS, wait_ready: bool = False, kernel: bool = False) -> None:
    """Start the pool's processes now: a caller about to load a day (seconds for a city)
    overlaps their start with it instead of taking it from pass 1. ``wait_ready`` returns
    only once every process has started, for a caller timing the plan that follows.
    ``kernel`` loads the compiled search (`sisr`) in each as well, for a day known to use it:
    otherwise a process loads it at its first polish that does (about 0.6 s), and one whose
    days never do (meal rounds, lunch breaks) never holds its 120 MiB."""
    if workers > 1:
        pool = _pool(workers)
        started = [pool.submit(_ready, kernel) for _ in range(workers)]
        if wait_ready:
            wait(started)


def _drop_pool(pool: Executor) -> None:
    with _pools_lock:
        for key, found in list(_pools.items()):
            if found is pool:
                del _pools[key]
    pool.shutdown(wait=False, cancel_futures=True)


def _solve_parts(
    parts: list[Part],
    workers: int,
    executor: Executor | None,
    tick: Callable[[], None],
) -> list[Plan]:
    """Solve ``parts``, at most ``workers`` at a time, each queued as a worker frees up."""
    if executor is None and (workers <= 1 or len(parts) <= 1):
        plans = []
        for i, part in enumerate(parts):
            plans.append(_solve_part(replace(part, slots=len(parts) - i)))
            tick()
        return plans
    found: list[Plan | None] = [None] * len(parts)
    pool = executor or _pool(workers)
    queue = list(enumerate(parts))
    running: dict[Future[Plan], int] = {}
    # Tasks on a queue (another process, another machine) keep one more waiting than there
    # are workers, so a worker that ends one starts the next without waiting for the round
    # trip through the broker; its share is still worked out when it starts.
    ahead = 1 if executor is not None else 0
    try:
        while queue or running:
            while queue and len(running) < workers + ahead:
                i, part = queue.pop(0)
                slots = -(-(len(queue) + 1) // workers)
                running[pool.submit(_solve_part, replace(part, slots=slots))] = i
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                found[running.pop(future)] = future.result()
                tick()
    except BrokenProcessPool:
        # A worker died (killed, out of memory): the next call starts a fresh pool.
        if executor is None:
            _drop_pool(pool)
        raise
    return [p for p in found if p is not None]


def _home_circle(problem: Problem, circles: Circles, v: Visit) -> str:
    # A visit pinned to a caregiver is solved where that caregiver is.
    if v.pinned_caregiver is not None:
        return circles.caregiver_circle[v.pinned_caregiver]
    return circles.visit_circle[v.id]


def _joined(problem: Problem, circles: Circles) -> Callable[[str], str]:
    """Circles solved as one: a pair pinned to caregivers of two circles joins them."""
    root: dict[str, str] = {}

    def find(n: str) -> str:
        while root.get(n, n) != n:
            n = root[n]
        return n

    for v in problem.visits:
        homes = sorted({find(circles.caregiver_circle[c]) for c in v.pins})
        for other in homes[1:]:
            root[other] = homes[0]
    return find


@dataclass(frozen=True)
class _Grouped:
    """The problem's visits and caregivers by (joined) circle."""

    joined: Callable[[str], str]
    visits_in: dict[str, list[Visit]]
    cgs_in: dict[str, list]
    names: list[str]


@dataclass
class _Found:
    """The plan as it grows: pass 1 merged, then insertion and lending added in place."""

    routes: dict[str, Route]
    unassigned: dict[str, Unassigned]
    objective: int
    fallback: bool


def solve_circles(
    problem: Problem,
    circles: Circles,
    params: SolverParams | None = None,
    workers: int = WORKERS,
    executor: Executor | None = None,
    progress: Progress | None = None,
    deadline: Deadline | None = None,
    reserve_s: float = 0.0,
    spare_s: float = 0.0,
) -> CirclePlan:
    """Solve circle by circle; ``progress`` hears (done, total) after each part, where the
    total grows once pass 1 shows how many circles need lending.

    ``deadline`` (by default the time limit from now) bounds the whole call, and it returns
    ``reserve_s`` before it, for the caller's own work after it (checking and writing).
    ``spare_s`` of that reserve is needed only for a plan that leaves visits open which
    somebody could serve (the shortfall advice); when none is left, the second polish takes it.
    """
    params = params or SolverParams()
    started = time.monotonic()
    if deadline is None:
        deadline = Deadline.after(params.time_limit_s)
    finish = deadline.earlier(reserve_s)
    g = _group(problem, circles)
    staffed = [n for n in g.names if g.cgs_in.get(n)]
    pass1_end = finish.share(PASS1_SHARE, rest_s=INSERT_S_PER_VISIT * len(problem.visits)).end
    parts = [
        Part(subproblem(problem, g.visits_in.get(n, []), g.cgs_in[n]), params, pass1_end)
        for n in staffed
    ]
    count = {"done": 0, "total": len(parts)}

    def tick() -> None:
        count["done"] += 1
        if progress is not None:
            progress(count["done"], count["total"])

    if progress is not None:
        progress(0, count["total"])
    plans = _solve_parts(parts, workers, executor, tick)
    found = _merged(plans, g)
    inserting = finish.share(INSERT_SHARE).at_least(INSERT_MIN_S)
    _insert_left_over(problem, circles, g, found, inserting)
    hopeless = _hopeless(problem, found.unassigned)
    exchanging = finish.share(EXCHANGE_SHARE).at_least(EXCHANGE_MIN_S)
    _exchange_left(problem, circles, g, found, hopeless, exchanging)
    left = [
        n
        for n in g.names
        if any(v.id in found.unassigned and v.id not in hopeless for v in g.visits_in.get(n, []))
    ]
    count["total"] += len(left)
    _lend_left(problem, circles, g, found, left, hopeless, params, finish, tick)
    polishing = finish
    if all(vid in hopeless for vid in found.unassigned):
        polishing = deadline.earlier(reserve_s - spare_s)
    polish_again(problem, g, found, staffed, params, workers, executor, polishing)
    return _circle_plan(problem, circles, found, plans, len(staffed), len(left), started)


def _group(problem: Problem, circles: Circles) -> _Grouped:
    joined = _joined(problem, circles)
    visits_in: dict[str, list[Visit]] = {}
    for v in problem.visits:
        visits_in.setdefault(joined(_home_circle(problem, circles, v)), []).append(v)
    cgs_in: dict[str, list] = {}
    for c in problem.caregivers:
        cgs_in.setdefault(joined(circles.caregiver_circle[c.id]), []).append(c)
    return _Grouped(joined, visits_in, cgs_in, sorted(set(visits_in) | set(cgs_in)))


def _merged(plans: Sequence[Plan], g: _Grouped) -> _Found:
    """Pass 1's plans as one; a circle with no caregiver leaves its visits unassigned."""
    found = _Found({}, {}, 0, False)
    for plan in plans:
        found.routes.update({r.caregiver: r for r in plan.routes})
        found.unassigned.update({u.visit: u for u in plan.unassigned})
        found.objective += plan.objective or 0
        found.fallback = found.fallback or plan.fallback
    for n in g.names:
        if not g.cgs_in.get(n):
            for v in g.visits_in.get(n, []):
                found.unassigned[v.id] = Unassigned(v.id, "no caregiver in the circle")
    return found


def _near_part(
    problem: Problem,
    circles: Circles,
    g: _Grouped,
    routes: dict[str, Route],
    name: str,
    over: list[str],
) -> tuple[list, Problem] | None:
    """The caregivers of a circle and the neighbours it may borrow from, with the part of
    the day their routes and the circle's left-over visits make; None when nobody is near."""
    cgs = _near_caregivers(problem, circles, g.joined, g.cgs_in, routes, name)
    if not cgs:
        return None
    held = sorted({s.visit for c in cgs for s in routes[c.id].stops})
    return cgs, subproblem(problem, [problem.visit(v) for v in held + over], cgs)


def _insert_left_over(
    problem: Problem, circles: Circles, g: _Grouped, found: _Found, inserting: Deadline
) -> None:
    routes, unassigned = found.routes, found.unassigned
    for n in g.names:
        if inserting.left() == 0:
            break  # the rest is offered to the lenders, if time is left, or stays unassigned
        # Most visits a circle leaves over fit into the routes as they stand (a pair with one
        # caregiver of its circle and one of the next): exact insertion, in milliseconds,
        # before any lending solve; offered to the circle and the neighbours it may borrow
        # from, as lending is, so nobody is sent across the district.
        over = sorted(v.id for v in g.visits_in.get(n, []) if v.id in unassigned)
        if not over:
            continue
        near = _near_part(problem, circles, g, routes, n, over)
        if near is None:
            continue
        cgs, part = near
        # Pass 1's times are not told to anyone yet: the cheapest detour wins, however
        # many visits it shifts.
        start = Plan(tuple(routes[c.id] for c in cgs), ())
        placed = insert(part, start, 0, over, promised=False)
        routes.update({r.caregiver: r for r in placed.plan.routes})
        for vid in placed.inserted:
            unassigned.pop(vid)


def _exchange_left(
    problem: Problem,
    circles: Circles,
    g: _Grouped,
    found: _Found,
    hopeless: set[str],
    exchanging: Deadline,
) -> None:
    """What insertion left over, placed by moving a visit of a full route to another
    caregiver of the circle or its lending neighbours (``exchange``). A circle's exchanges
    are taken only if its part of the plan passes ``validate()``."""
    routes, unassigned = found.routes, found.unassigned
    for n in g.names:
        if exchanging.left() == 0:
            break
        # Most urgent first, then by closing window, as insertion goes.
        over = [
            v.id
            for v in sorted(g.visits_in.get(n, []), key=lambda v: (v.priority, v.windows[-1].end))
            if v.id in unassigned and v.id not in hopeless
        ]
        if not over:
            continue
        near = _near_part(problem, circles, g, routes, n, over)
        if near is None:
            continue
        cgs, part = near
        before = Plan(tuple(routes[c.id] for c in cgs), tuple(unassigned[v] for v in over))
        done = exchange(part, before, over, exchanging)
        if not done.placed or validate(part, done.plan):
            continue
        routes.update({r.caregiver: r for r in done.plan.routes})
        for vid in done.placed:
            unassigned.pop(vid)


def _lend_left(
    problem: Problem,
    circles: Circles,
    g: _Grouped,
    found: _Found,
    left: list[str],
    hopeless: set[str],
    params: SolverParams,
    finish: Deadline,
    tick: Callable[[], None],
) -> None:
    """Pass 2: the circles in ``left`` borrow caregivers from their neighbours."""
    routes, unassigned = found.routes, found.unassigned
    for i, n in enumerate(left):
        # Share what is left of the limit among the circles still to lend to and the
        # polish after them: guided local search places what it can within a second or so
        # and then barely shortens the routes, which ruin and recreate does better. Once
        # too little is left for a solve, the rest keep what they have.
        share = finish.left() / (len(left) - i + 1)
        if finish.left() < LEND_MIN_S + SETUP_S:
            tick()
            continue
        # Lending is there to place what is left, not to shorten routes whose visits stay
        # pinned: guided local search gets the whole share, and can place pairs, which ruin
        # and recreate leaves where they were.
        pass2 = replace(params, time_limit_s=max(0.2, share), polish_share=0.0)
        lenders = _lenders(circles, g.joined, g.cgs_in, n)
        wanted = [
            v
            for v in g.visits_in[n]
            if v.id in unassigned and v.id not in hopeless and v.pinned_caregiver is None
        ]
        if not lenders or not wanted:
            tick()
            continue
        plan = _lend(problem, wanted, [c for m in lenders for c in g.cgs_in[m]], routes, pass2)
        tick()
        served = {s.visit for r in plan.routes for s in r.stops}
        if not _gains(problem, params, plan, routes, served):
            continue
        found.fallback = found.fallback or plan.fallback
        for r in plan.routes:
            routes[r.caregiver] = r
        for vid in served:
            unassigned.pop(vid, None)
        for u in plan.unassigned:
            if u.visit in {v.id for v in wanted} or u.visit not in served:
                unassigned[u.visit] = u


def _gains(
    problem: Problem,
    params: SolverParams,
    plan: Plan,
    routes: Mapping[str, Route],
    served: set[str],
) -> bool:
    """Whether a lending plan serves, by drop penalty, at least what its caregivers held
    before. A short lending solve can miss its seed and return a plan that drops hundreds of
    them (on the city weekday, four solves of half a second dropped 207-243 each); such a
    plan is not taken."""
    held = {s.visit for r in plan.routes for s in routes[r.caregiver].stops}

    def worth(ids: set[str]) -> int:
        return sum(params.drop_penalty[problem.visit(v).priority] for v in ids)

    return worth(served - held) >= worth(held - served)


def _circle_plan(
    problem: Problem,
    circles: Circles,
    found: _Found,
    plans: Sequence[Plan],
    staffed: int,
    lending: int,
    started: float,
) -> CirclePlan:
    routes, unassigned = found.routes, found.unassigned
    lent = frozenset(
        (s.visit, r.caregiver)
        for r in routes.values()
        for s in r.stops
        if circles.caregiver_circle[r.caregiver]
        != _home_circle(problem, circles, problem.visit(s.visit))
    )
    ordered = tuple(routes[c.id] for c in problem.caregivers)
    notes: tuple[str, ...] = (f"{staffed} circles, {lending} lending",)
    greedy_only = sum(1 for plan in plans if NO_SEARCH in plan.notes)
    if greedy_only:
        notes += (f"{greedy_only} circles planned greedily: {NO_SEARCH}",)
    final = Plan(
        ordered,
        tuple(unassigned[v.id] for v in problem.visits if v.id in unassigned),
        fallback=found.fallback,
        objective=found.objective,
        notes=notes,
    )
    return CirclePlan(final, lent, time.monotonic() - started, staffed)


def _hopeless(problem: Problem, unassigned: Mapping[str, Unassigned]) -> set[str]:
    """Visits nobody in the district can serve; lending them would only spend time.

    A visit its circle left for capacity passed its circle's screen, and more caregivers
    only pass more, so only the others are screened against the whole district.
    """
    doubtful = [problem.visit(v) for v, u in unassigned.items() if u.reason != REASON_CAPACITY]
    if not doubtful:
        return set()
    rest = replace(problem, visits=tuple(doubtful))
    return set(screen(rest).rejected)


def _near_caregivers(
    problem: Problem,
    circles: Circles,
    joined: Callable[[str], str],
    cgs_in: Mapping[str, list],
    routes: Mapping[str, Route],
    n: str,
) -> list:
    """Caregivers of circle ``n`` and of the neighbours it may borrow from, with any other
    caregiver sharing a visit with them, so a pair's two routes stay together."""
    lenders = _lenders(circles, joined, cgs_in, n)
    ids = _with_partners({c.id for m in (n, *lenders) for c in cgs_in.get(m, [])}, routes)
    return [c for c in problem.caregivers if c.id in ids]


def _lenders(
    circles: Circles, joined: Callable[[str], str], cgs_in: Mapping[str, list], n: str
) -> list[str]:
    """The staffed circles nearest ``n`` that may lend it caregivers."""
    near = dict.fromkeys(joined(m) for m in circles.neighbours.get(n, ()))
    return [m for m in near if m != n and cgs_in.get(m)][: circles.lend_to]


def _with_partners(ids: set[str], routes: Mapping[str, Route]) -> set[str]:
    """``ids`` and every caregiver sharing a visit with them, transitively: a part must hold
    both caregivers of each pair it plans."""
    ids = set(ids)
    while True:
        held = {s.visit for cid in ids for s in routes[cid].stops}
        more = {r.caregiver for r in routes.values() for s in r.stops if s.visit in held} - ids
        if not more:
            break
        ids |= more
    return ids


def _lend(
    problem: Problem,
    wanted: list[Visit],
    lenders: list,
    routes: dict[str, Route],
    params: SolverParams,
) -> Plan:
    """Offer ``wanted`` to ``lenders``; each lender keeps the visits it already has."""
    ids = _with_partners({c.id for c in lenders}, routes)
    cgs = [c for c in problem.caregivers if c.id in ids]
    held = _holders({c.id: routes[c.id] for c in cgs})
    kept = [
        _pinned_where_served(problem.visit(vid), [cid for cid, _ in held[vid]])
        for vid in sorted(held)
    ]
    part = subproblem(problem, kept + wanted, cgs)
    seed = [route_order(routes[c.id]) for c in cgs]
    return solve(part, params, initial_routes=seed)


AGAIN_MIN_S = 1.0  # time left after lending below which no circle is polished again
AGAIN_CIRCLES = 4  # at most this many, those travelling most per visit served
AGAIN_GROUP_VISITS = 500  # circles joined by lending are one part up to this many visits


def polish_again(
    problem: Problem,
    g: _Grouped,
    found: _Found,
    staffed: Sequence[str],
    params: SolverParams,
    workers: int,
    executor: Executor | None,
    finish: Deadline,
) -> int:
    """Give the time insertion and lending left to solving parts of the day again from
    their routes as they stand (ruin and recreate starts from them): first the circles
    joined by lending, each group as one part, then the circles travelling most per visit
    served. A part's routes are replaced only when the new ones serve every visit the old
    did and travel less. On a district day insertion takes milliseconds and lending little,
    so pass 1 leaves a tenth of the limit to this. Returns the parts improved.

    Insertion puts a visit its circle could not fit into a neighbour's route at the
    cheapest detour as the route stands, on the district day about 25 minutes' travel each;
    solved with the circle that lent, the visit and its route are arranged anew. A visit
    served across circles moves among the group's caregivers, every other visit stays with
    its own circle's (see `_again_visits`)."""
    if finish.left() < AGAIN_MIN_S:
        return 0
    groups = _lending_groups(g, found, staffed)
    joined = {n for group in groups for n in group}
    weights: list[tuple[float, str]] = []
    for n in staffed:
        routes = [found.routes[c.id] for c in g.cgs_in[n]]
        on = [s.visit for r in routes for s in r.stops]
        if on and n not in joined:
            weights.append((_travel(problem, routes) / len(on), n))
    chosen = (groups + [[n] for _, n in sorted(weights, reverse=True)])[:AGAIN_CIRCLES]
    held = _holders(found.routes)
    parts = [
        Part(
            subproblem(
                problem,
                _again_visits(problem, g, found, held, names),
                [c for n in names for c in g.cgs_in[n]],
            ),
            params,
            finish.end,
            [route_order(found.routes[c.id]) for n in names for c in g.cgs_in[n]],
        )
        for names in chosen
    ]
    plans = _solve_parts(parts, workers, executor, lambda: None)
    return sum(
        _take_better(problem, g, found, names, plan)
        for names, plan in zip(chosen, plans, strict=True)
    )


def _take_better(
    problem: Problem, g: _Grouped, found: _Found, names: Sequence[str], plan: Plan
) -> bool:
    """Replace the routes of circles ``names`` with ``plan``'s when it serves every visit
    they did and travels less."""
    old = [found.routes[c.id] for n in names for c in g.cgs_in[n]]
    served = {s.visit for r in old for s in r.stops}
    now = {s.visit for r in plan.routes for s in r.stops}
    if not now >= served or _travel(problem, list(plan.routes)) >= _travel(problem, old):
        return False
    found.routes.update({r.caregiver: r for r in plan.routes})
    for vid in now - served:
        found.unassigned.pop(vid, None)
    return True


def _lending_groups(g: _Grouped, found: _Found, staffed: Sequence[str]) -> list[list[str]]:
    """Staffed circles joined where one's caregiver serves another's visit, in groups of
    two or more, largest first. The circles that share most such visits join first, and a
    join that would take a group past `AGAIN_GROUP_VISITS` is not made: a city lends
    across most of its circles, and one part for all of them would grow with the city."""
    circle_of = {c.id: n for n in staffed for c in g.cgs_in[n]}
    home = {v.id: n for n in staffed for v in g.visits_in.get(n, [])}
    links: dict[tuple[str, str], int] = {}
    for cid, r in found.routes.items():
        for s in r.stops:
            a, b = home.get(s.visit), circle_of.get(cid)
            if a is not None and b is not None and a != b:
                key = (min(a, b), max(a, b))
                links[key] = links.get(key, 0) + 1
    parent = {n: n for n in staffed}
    size = {n: len(g.visits_in.get(n, [])) for n in staffed}

    def root(n: str) -> str:
        while parent[n] != n:
            n = parent[n]
        return n

    for (a, b), _ in sorted(links.items(), key=lambda link: (-link[1], link[0])):
        ra, rb = root(a), root(b)
        if ra != rb and size[ra] + size[rb] <= AGAIN_GROUP_VISITS:
            parent[ra] = rb
            size[rb] += size[ra]
    members: dict[str, list[str]] = {}
    for n in staffed:
        members.setdefault(root(n), []).append(n)
    return sorted((m for m in members.values() if len(m) > 1), key=len, reverse=True)


def _holders(routes: Mapping[str, Route]) -> dict[str, list[tuple[str, int]]]:
    """Visit id -> (caregiver, start) of each of its copies on ``routes``."""
    held: dict[str, list[tuple[str, int]]] = {}
    for cid, r in routes.items():
        for s in r.stops:
            held.setdefault(s.visit, []).append((cid, s.start))
    return held


def _again_visits(
    problem: Problem,
    g: _Grouped,
    found: _Found,
    held: Mapping[str, list[tuple[str, int]]],
    names: Sequence[str],
) -> list[Visit]:
    """The visits of circles ``names`` for solving them again. A visit of theirs that
    another circle's caregiver serves stays out, where it is. A visit one of their
    caregivers serves for another circle comes in, pinned to that caregiver; a pair served
    half here and half there keeps its start too, so the two halves still meet. A visit
    served within the group by another circle of it than its own (lent) may go to any of
    the group's caregivers; every other visit only to its own circle's."""
    circle_of = {c.id: n for n in names for c in g.cgs_in[n]}
    home = {v.id: n for n in names for v in g.visits_in.get(n, [])}
    ids = set(home) | {s.visit for cid in circle_of for s in found.routes[cid].stops}
    visits: list[Visit] = []
    for vid in sorted(ids):
        v = problem.visit(vid)
        copies = held.get(vid, [])
        here = [(cid, start) for cid, start in copies if cid in circle_of]
        if not copies or (len(here) == len(copies) and vid in home):
            if copies and all(circle_of[cid] == home[vid] for cid, _ in copies):
                others = {cid for cid, n in circle_of.items() if n != home[vid]}
                v = replace(v, excluded=v.excluded | others)
            visits.append(v)  # unserved, or served in the group alone: free to move
        elif len(here) == len(copies):
            visits.append(_pinned_where_served(v, [cid for cid, _ in here]))
        elif here:
            cid, start = here[0]
            visits.append(
                replace(
                    v,
                    caregivers_needed=1,
                    pinned_caregiver=cid,
                    pinned_partner=None,
                    pinned_time=start,
                )
            )
    return visits


def _pinned_where_served(v: Visit, holders: Sequence[str]) -> Visit:
    """``v`` pinned to the caregivers ``holders`` whose routes serve it: a pair to both of
    them, and a visit already pinned keeps its caregiver and gains only a missing partner."""
    if v.pinned_caregiver is None:
        partner = holders[1] if len(holders) > 1 else None
        return replace(v, pinned_caregiver=holders[0], pinned_partner=partner)
    if v.pinned_partner is None and len(holders) > 1:
        partner = next(h for h in holders if h != v.pinned_caregiver)
        return replace(v, pinned_partner=partner)
    return v


def _travel(problem: Problem, routes: Sequence[Route]) -> int:
    """Seconds travelled between the routes' places (kitchens included)."""
    total = 0
    for r in routes:
        c = problem.caregiver(r.caregiver)
        matrix = problem.travel[c.mode]
        places = [c.start_location]
        stops = [problem.visit(s.visit).location for s in r.stops]
        kitchens = {k.id: k.location for k in problem.kitchens}
        at = {col.before: kitchens[col.kitchen] for col in r.collections}
        for i, loc in enumerate(stops):
            if i in at:
                places.append(at[i])
            places.append(loc)
        places.append(c.end_location)
        total += sum(matrix[a][b] for a, b in zip(places, places[1:], strict=False))
    return total
