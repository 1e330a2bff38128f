"""Ruin and recreate in compiled code, for the days its arrays can state.

OR-Tools' iterated local search makes about 550 ruins and recreates a second on a
district-day circle (125 visits, eight caregivers): each recreate goes through the routing
model's generic filters. On a day without lunch breaks, meal rounds or loads (windows,
skills, shifts, working time, continuity, priorities; pairs held where guided local search
put them) the same kind of search over plain arrays (`sisr_jit`) makes about 47,000 a
second on such a circle, and at a circle's 3.7 s its plans travelled less than OR-Tools'
at 37 s (docs/benchmarks.md).

Days with what the arrays do not state (lunch breaks, meal rounds from a kitchen, loads)
keep OR-Tools' search: `arrays` returns None for them. The routes found here go back
through the OR-Tools model, which times them and checks them again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from carehub.routing.params import SolverParams
from carehub.routing.problem import IntArray, Plan, Problem, Visit
from carehub.routing.screen import screen

CHUNK_S = 0.02  # between looks at the clock
TEMPERATURES = (1000.0, 10.0)  # simulated annealing, in cost units (seconds of travel)
AVG_REMOVED = 10.0
MAX_STRING = 10
BLINK = 0.01
NEIGHBOURS = 100  # nearest nodes a ruin walks from its seed
_loaded = False  # whether this process has the kernel


State = tuple[IntArray, IntArray, IntArray, IntArray, IntArray, IntArray]


@dataclass
class Arrays:
    """A day as `sisr_jit` reads it; node i is a copy of visit ``ids[i]``."""

    ids: list[str]
    caregivers: list[str]
    nodes: IntArray
    cgs: IntArray
    ws: IntArray
    we: IntArray
    tr: IntArray
    cost: IntArray
    allowed: np.ndarray
    adj: IntArray
    keys: tuple[np.ndarray, np.ndarray]  # window width, travel from the first home
    cpen: int
    vcost: int

    def run(
        self,
        cur: State,
        best: State,
        values: tuple[int, int],
        iterations: int,
        temps: tuple[float, float],
    ) -> tuple[int, int]:
        """``iterations`` ruins and recreates; the values of ``cur`` and ``best`` after."""
        from carehub.routing.search import sisr_jit as jit

        now, low = jit.search(
            self.nodes,
            self.cgs,
            self.ws,
            self.we,
            self.tr,
            self.cost,
            self.allowed,
            self.adj,
            self.keys,
            self.cpen,
            self.vcost,
            cur,
            best,
            values,
            iterations,
            temps,
            (AVG_REMOVED, float(MAX_STRING), BLINK),
        )
        return int(now), int(low)


def suitable(problem: Problem) -> bool:
    """Whether the arrays state everything ``problem`` asks: no lunch breaks, meal rounds
    or loads, and every pair held to its two caregivers (only the OR-Tools model keeps a
    free pair's two copies together)."""
    return not (
        problem.kitchens
        or any(c.lunch is not None or c.capacity is not None for c in problem.caregivers)
        or any(
            v.kitchen or v.demand or (v.caregivers_needed == 2 and v.pinned_partner is None)
            for v in problem.visits
        )
    )


def arrays(problem: Problem, params: SolverParams) -> Arrays | None:
    """The arrays of ``problem``, or None when it is not `suitable` or has no visit anybody
    can serve."""
    if not suitable(problem):
        return None  # before importing numba: a process whose days never suit never holds it
    from carehub.routing.search import sisr_jit as jit

    candidates = screen(problem).candidates
    visits = [v for v in problem.visits if v.id in candidates]
    if not visits:
        return None
    places = sorted(
        {v.location for v in visits}
        | {c.start_location for c in problem.caregivers}
        | {c.end_location for c in problem.caregivers}
    )
    at = {p: i for i, p in enumerate(places)}
    modes = sorted({c.mode for c in problem.caregivers})
    tr = np.stack([np.asarray(problem.travel[m].block(places, places)) for m in modes])
    by_distance = params.arc_cost == "distance"
    cost = np.asarray(problem.distance.block(places, places))[None] if by_distance else tr
    table = _nodes(problem, params, visits, candidates, at)
    cgs = np.asarray(
        [
            [
                c.shift_start,
                c.shift_end,
                jit.NONE if c.max_work is None else c.max_work,
                at[c.start_location],
                at[c.end_location],
                modes.index(c.mode),
                0 if by_distance else modes.index(c.mode),
            ]
            for c in problem.caregivers
        ],
        dtype=np.int64,
    )
    nodes = table.nodes
    near = tr[0][np.ix_(nodes[:, jit.PLACE], nodes[:, jit.PLACE])]
    return Arrays(
        ids=table.ids,
        caregivers=[c.id for c in problem.caregivers],
        nodes=nodes,
        cgs=cgs,
        ws=table.ws,
        we=table.we,
        tr=np.ascontiguousarray(tr, dtype=np.int64),
        cost=np.ascontiguousarray(cost, dtype=np.int64),
        allowed=table.allowed,
        adj=_neighbours(near),
        keys=(
            (table.we - table.ws).sum(axis=1).astype(np.float64),
            tr[0][cgs[0, jit.HOME], nodes[:, jit.PLACE]].astype(np.float64),
        ),
        cpen=params.continuity_penalty,
        vcost=params.vehicle_cost,
    )


@dataclass
class _Table:
    ids: list[str]
    nodes: IntArray
    ws: IntArray
    we: IntArray
    allowed: np.ndarray


def _nodes(
    problem: Problem,
    params: SolverParams,
    visits: list[Visit],
    candidates: dict[str, tuple[int, ...]],
    at: dict[int, int],
) -> _Table:
    """One node per visit copy, as the OR-Tools model has them: a pin takes a copy, a
    pinned time is the one window, the drop penalty by priority; a pair's copies held."""
    from carehub.routing.search import sisr_jit as jit

    index = {c.id: k for k, c in enumerate(problem.caregivers)}
    ids: list[str] = []
    rows: list[list[int]] = []
    wins: list[list[tuple[int, int]]] = []
    allowed: list[list[bool]] = []
    for v in visits:
        pins = [index[c] for c in v.pins]
        pref = index[v.preferred_caregiver] if v.preferred_caregiver else jit.NONE
        if v.pinned_time is not None:
            windows = [(v.pinned_time, v.pinned_time)]
        else:
            windows = [(w.start, w.end) for w in v.windows]
        for copy in range(v.caregivers_needed):
            may = {pins[copy]} if copy < len(pins) else set(candidates[v.id]) - set(pins)
            ids.append(v.id)
            wins.append(windows)
            fixed = int(v.caregivers_needed == 2)
            penalty = params.drop_penalty[v.priority]
            rows.append([at[v.location], v.service, pref, penalty, fixed, len(windows)])
            allowed.append([k in may for k in range(len(problem.caregivers))])
    width = max(len(w) for w in wins)
    ws = np.zeros((len(ids), width), dtype=np.int64)
    we = np.zeros((len(ids), width), dtype=np.int64)
    for i, w in enumerate(wins):
        for j, (a, b) in enumerate(w):
            ws[i, j], we[i, j] = a, b
    return _Table(
        ids, np.asarray(rows, dtype=np.int64), ws, we, np.asarray(allowed, dtype=np.bool_)
    )


def _neighbours(near: IntArray) -> IntArray:
    """Each node's others, nearest first; only the nearest `NEIGHBOURS`, as a ruin reaches
    a handful of routes and a large day's full table would grow with its square."""
    if near.shape[0] > NEIGHBOURS:
        cut = np.argpartition(near, NEIGHBOURS, axis=1)[:, :NEIGHBOURS]
        order = np.take_along_axis(near, cut, axis=1).argsort(axis=1, kind="stable")
        near_first = np.take_along_axis(cut, order, axis=1)
    else:
        near_first = near.argsort(axis=1, kind="stable")
    return np.ascontiguousarray(near_first, dtype=np.int64)


def start_state(a: Arrays, plan: Plan) -> tuple[State, int] | None:
    """``plan``'s routes as a search state and its objective, or None when they do not fit
    the arrays (a visit the arrays do not hold, a caregiver who may not serve it, a route
    they cannot time)."""
    from carehub.routing.search import sisr_jit as jit

    n, k_count = len(a.ids), len(a.caregivers)
    held: dict[tuple[str, int], int] = {}
    free: dict[str, list[int]] = {}
    for i, vid in enumerate(a.ids):
        if a.nodes[i, jit.FIXED]:
            held[(vid, int(np.flatnonzero(a.allowed[i])[0]))] = i
        else:
            free.setdefault(vid, []).append(i)
    route = np.full((k_count, n + 1), jit.NONE, dtype=np.int64)
    rlen = np.zeros(k_count, dtype=np.int64)
    index = {c: k for k, c in enumerate(a.caregivers)}
    for r in plan.routes:
        k = index[r.caregiver]
        for s in r.stops:
            node = held.get((s.visit, k))
            if node is None and free.get(s.visit):
                node = free[s.visit].pop()
            if node is None or not a.allowed[node, k]:
                return None
            route[k, rlen[k]] = node
            rlen[k] += 1
    state = (
        route,
        rlen,
        np.full(n, jit.NONE, dtype=np.int64),  # where
        np.full(n, jit.NONE, dtype=np.int64),  # pos
        np.zeros(n, dtype=np.int64),  # early
        np.zeros(n, dtype=np.int64),  # late
    )
    for k in range(k_count):
        if not jit.retime(a.nodes, a.cgs, a.ws, a.we, a.tr, *state, k):
            return None
    return state, int(jit.objective(a.nodes, a.cgs, a.cost, a.cpen, a.vcost, state))


def _copy(state: State) -> State:
    route, rlen, where, pos, early, late = state
    return (
        route.copy(),
        rlen.copy(),
        where.copy(),
        pos.copy(),
        early.copy(),
        late.copy(),
    )


def improve(problem: Problem, plan: Plan, params: SolverParams) -> list[list[str]] | None:
    """Routes (visit ids per caregiver, in the problem's order) no costlier than ``plan``'s,
    found by ruin and recreate within ``params.time_limit_s``; None when the day is not one
    for the arrays."""
    started = time.monotonic()
    a = arrays(problem, params)
    if a is None:
        return None
    if not _loaded:
        load()  # from the cache in well under a second; counted in this search's time
    start = start_state(a, plan)
    if start is None:
        return None
    cur, value = start
    best = _copy(cur)
    values = (value, value)
    hot, cold = TEMPERATURES
    limit = params.time_limit_s
    iterations = 50
    while (now := time.monotonic() - started) < limit:
        temps = (
            hot * (cold / hot) ** (now / limit),
            hot * (cold / hot) ** min(1.0, (now + CHUNK_S) / limit),
        )
        tick = time.monotonic()
        values = a.run(cur, best, values, iterations, temps)
        took = max(time.monotonic() - tick, 1e-4)
        # About CHUNK_S a call, whatever this machine's speed.
        iterations = max(1, min(iterations * 4, int(iterations * CHUNK_S / took)))
    route, rlen = best[0], best[1]
    return [[a.ids[int(u)] for u in route[k, : rlen[k]]] for k in range(len(a.caregivers))]


def load() -> float:
    """Compile the kernel, or load it from numba's cache beside the module; the seconds it
    took. Compiling takes about 15 s, loading well under one: `make install` and the deploy
    steps run it once (`carehub compile-solver`), so no planning run pays the compile."""
    from carehub.routing.problem import Caregiver, Matrix, Unassigned, Window
    from carehub.routing.search import sisr_jit as jit

    global _loaded
    started = time.monotonic()
    visit = Visit("v", location=1, windows=(Window(0, 3600),), service=60)
    carer = Caregiver("c", start_location=0, end_location=0, shift_start=0, shift_end=7200)
    problem = Problem(
        visits=(visit,),
        caregivers=(carer,),
        travel={"ebike": Matrix([[0, 60], [60, 0]])},
        distance=Matrix([[0, 100], [100, 0]]),
    )
    a = arrays(problem, SolverParams())
    start = start_state(a, Plan((), (Unassigned("v", "capacity"),))) if a else None
    assert a is not None and start is not None
    jit.seed_rng(int(started * 1000) % 2**31)
    cur, value = start
    a.run(cur, _copy(cur), (value, value), 1, (10.0, 1.0))
    _loaded = True
    return time.monotonic() - started
