"""Solomon VRPTW instances: reading, solving under the hierarchical objective, checking.

Coordinates become a distance matrix scaled by 1,000 (rounded) for costs and a travel matrix
scaled by 1,000 and rounded up for time, so a schedule feasible in integers is feasible in
full precision. Reported distances are recomputed in full precision from the routes.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from carehub.routing.params import SolverParams
from carehub.routing.problem import Caregiver, Matrix, Plan, Problem, Visit, Window
from carehub.routing.search import ruin
from carehub.routing.search.solver import solve
from carehub_bench import eject

SCALE = 1000
# Larger than any total scaled distance, so one vehicle fewer always wins.
VEHICLE_COST = 10_000_000
DROP_PENALTY = {p: 1_000_000_000 for p in (1, 2, 3, 4)}
EPS = 1e-6


@dataclass(frozen=True)
class Instance:
    name: str
    vehicles: int
    capacity: int
    x: tuple[float, ...]  # index 0 is the depot
    y: tuple[float, ...]
    demand: tuple[int, ...]
    ready: tuple[int, ...]
    due: tuple[int, ...]
    service: tuple[int, ...]

    @property
    def customers(self) -> int:
        return len(self.x) - 1

    def dist(self, i: int, j: int) -> float:
        return math.hypot(self.x[i] - self.x[j], self.y[i] - self.y[j])


@dataclass(frozen=True)
class Result:
    name: str
    routes: tuple[tuple[int, ...], ...]  # customer numbers in visiting order
    distance: float
    seconds: float
    fallback: bool = False

    @property
    def vehicles(self) -> int:
        return len(self.routes)


def read(path: str | Path) -> Instance:
    path = Path(path)
    lines = [ln.split() for ln in path.read_text().splitlines()]
    name = lines[0][0] if lines and lines[0] else path.stem
    rows = [ln for ln in lines if ln and all(_is_number(t) for t in ln)]
    if not rows or len(rows[0]) != 2:
        raise ValueError(f"{path}: VEHICLE block not found")
    vehicles, capacity = (int(t) for t in rows[0])
    table = [r for r in rows[1:] if len(r) == 7]
    if not table or int(table[0][0]) != 0:
        raise ValueError(f"{path}: CUSTOMER table must start with the depot (0)")
    cols = list(zip(*[[float(t) for t in r] for r in table], strict=True))
    return Instance(
        name=name,
        vehicles=vehicles,
        capacity=capacity,
        x=tuple(cols[1]),
        y=tuple(cols[2]),
        demand=tuple(int(t) for t in cols[3]),
        ready=tuple(int(t) for t in cols[4]),
        due=tuple(int(t) for t in cols[5]),
        service=tuple(int(t) for t in cols[6]),
    )


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def to_problem(inst: Instance, vehicles: int | None = None) -> Problem:
    n = len(inst.x)
    exact = [[inst.dist(i, j) * SCALE for j in range(n)] for i in range(n)]
    travel = tuple(tuple(math.ceil(d - EPS) for d in row) for row in exact)
    distance = tuple(tuple(round(d) for d in row) for row in exact)
    visits = tuple(
        Visit(
            id=str(i),
            location=i,
            windows=(Window(inst.ready[i] * SCALE, inst.due[i] * SCALE),),
            service=inst.service[i] * SCALE,
            demand=inst.demand[i],
        )
        for i in range(1, n)
    )
    horizon = inst.due[0] * SCALE
    fleet = tuple(
        Caregiver(
            id=f"v{k + 1}",
            start_location=0,
            end_location=0,
            shift_start=inst.ready[0] * SCALE,
            shift_end=horizon,
            capacity=inst.capacity,
            mode="solomon",
        )
        for k in range(vehicles if vehicles is not None else inst.vehicles)
    )
    return Problem(visits, fleet, {"solomon": Matrix(travel)}, Matrix(distance))


def eject_data(inst: Instance) -> tuple[eject.Data, tuple[tuple[int, ...], ...]]:
    """The instance in the routing model's integer units, for route elimination; and costs."""
    problem = to_problem(inst, 1)
    # Plain tuples: route elimination reads them millions of times in pure Python.
    data = eject.Data(
        travel=tuple(map(tuple, problem.travel["solomon"])),
        ready=tuple(t * SCALE for t in inst.ready),
        due=tuple(t * SCALE for t in inst.due),
        service=tuple(t * SCALE for t in inst.service),
        demand=inst.demand,
        capacity=inst.capacity,
    )
    return data, tuple(map(tuple, problem.distance))


def plan_routes(plan: Plan) -> list[tuple[int, ...]]:
    return [tuple(int(s.visit) for s in r.stops) for r in plan.used_routes()]


def distance(inst: Instance, routes: Sequence[Sequence[int]]) -> float:
    total = 0.0
    for route in routes:
        path = [0, *route, 0]
        total += sum(inst.dist(a, b) for a, b in zip(path, path[1:], strict=False))
    return total


def check(inst: Instance, routes: Sequence[Sequence[int]]) -> list[str]:
    """Solomon's rules in full precision: windows, capacity, horizon, every customer once."""
    errors = []
    seen: list[int] = [c for r in routes for c in r]
    if sorted(seen) != list(range(1, len(inst.x))):
        missing = set(range(1, len(inst.x))) - set(seen)
        errors.append(f"customers not served exactly once (missing {sorted(missing)[:5]})")
    for k, route in enumerate(routes):
        if sum(inst.demand[c] for c in route) > inst.capacity:
            errors.append(f"route {k} over capacity")
        t, here = float(inst.ready[0]), 0
        for c in route:
            t = max(t + inst.dist(here, c), inst.ready[c])
            if t > inst.due[c] + EPS:
                errors.append(f"route {k} reaches {c} at {t:.3f}, due {inst.due[c]}")
            t += inst.service[c]
            here = c
        if t + inst.dist(here, 0) > inst.due[0] + EPS:
            errors.append(f"route {k} returns after the horizon")
    return errors


def params(time_limit_s: float, **overrides: object) -> SolverParams:
    settings: dict = {
        "time_limit_s": time_limit_s,
        "arc_cost": "distance",
        "vehicle_cost": VEHICLE_COST,
        "drop_penalty": dict(DROP_PENALTY),
        # The strategies choose their own starts (see Strategy.first_solution).
        "greedy_start": False,
        # The strategies below spend the budget themselves, ruin and recreate included.
        "polish_share": 0.0,
        **overrides,
    }
    return SolverParams(**settings)


@dataclass(frozen=True)
class Strategy:
    """How solve_instance spends its budget; docs/routing.md says what was measured."""

    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    # Iterated local search (ruin and recreate) instead of the metaheuristic, for the cold
    # full-fleet solve and for the warm-started phases (tries, polish) respectively.
    ils: bool = False
    warm_ils: bool = False
    ils_seq: int = 10  # SISR: longest removed string
    ils_avg: int = 10  # SISR: mean number of removed customers
    # Simulated annealing's initial and final temperature in scaled cost units (1,000 per
    # distance unit); None lets OR-Tools derive them from sampled arc costs, which the fixed
    # vehicle cost inflates.
    ils_temps: tuple[float, float] | None = None
    # Local search after each recreate (slower iterations; SISR itself does without).
    improve: bool = True
    overrides: str = ""  # extra RoutingSearchParameters text for every phase
    full_share: float = 0.4  # of the budget for the full-fleet solve
    try_share: float = 0.2  # at most, for each try with one vehicle fewer
    # Of the budget for route elimination (eject.py) in place of the tries; 0 keeps the tries.
    eject_share: float = 0.0
    # Elimination stops once this share of the budget passes without a route removed.
    eject_patience: float = 0.15
    # Customers taken from the ejection pool, in place of the share and the patience: the
    # same routes on any machine, for runs that must repeat.
    eject_steps: int | None = None
    reduce: bool = True

    def search(self, warm: bool) -> tuple[str, str]:
        """The metaheuristic and search overrides for a cold or a warm-started phase."""
        if not (self.warm_ils if warm else self.ils):
            return self.metaheuristic, self.overrides
        text = ruin.Settings(self.ils_seq, self.ils_avg, self.improve, self.ils_temps).overrides()
        return ruin.METAHEURISTIC, self.overrides + text


# The solver before iterated local search: parallel cheapest insertion and guided local search.
BASELINE = Strategy()
# Distance: ruin and recreate on the full fleet for the whole budget.
DISTANCE = Strategy(ils=True, reduce=False, ils_temps=(1e5, 1e3), improve=False)
# Fleet before route elimination: the same start on 30 % of the budget, tries with one vehicle
# fewer (25 % each), then a polish of what is left; warm phases seeded by a hint.
TRIES = dataclasses.replace(DISTANCE, reduce=True, warm_ils=True, full_share=0.3, try_share=0.25)
# Fleet: the same start, route elimination for at most 40 % of the budget, then the polish
# (guided local search from the plan when elimination removed a route).
FLEET = dataclasses.replace(TRIES, eject_share=0.4)
DEFAULT = FLEET
# Run side by side by solve_portfolio, one process each: the budget is wall time.
PORTFOLIO = (DISTANCE, FLEET)
STARTUP_MARGIN_S = 0.3


def _phase(
    inst: Instance,
    vehicles: int,
    budget: float,
    strategy: Strategy,
    initial: list[tuple[int, ...]] | None = None,
) -> Plan:
    warm = initial is not None
    mh, text = strategy.search(warm)
    first = strategy.first_solution
    if warm and strategy.warm_ils:
        # Only local cheapest insertion reads the first-solution hint that carries the routes.
        first = ruin.FIRST_SOLUTION
    return solve(
        to_problem(inst, vehicles),
        params(
            budget,
            first_solution=first,
            metaheuristic=mh,
            search_overrides=text,
        ),
        initial_routes=None if initial is None else [[str(c) for c in r] for r in initial],
    )


def _eliminate(
    inst: Instance,
    best: list[tuple[int, ...]],
    st: Strategy,
    time_limit_s: float,
    deadline: float,
) -> list[tuple[int, ...]]:
    data, cost = eject_data(inst)
    left = deadline - time.monotonic() - 0.5
    if st.eject_steps is not None:
        routes = eject.eliminate(data, best, left, cost, steps=st.eject_steps)
    else:
        seconds = min(st.eject_share * time_limit_s, left)
        patience = st.eject_patience * time_limit_s
        routes = eject.eliminate(data, best, seconds, cost, patience=patience)
    return [tuple(r) for r in routes]


def _tries(
    inst: Instance,
    best: list[tuple[int, ...]],
    st: Strategy,
    time_limit_s: float,
    deadline: float,
) -> list[tuple[int, ...]]:
    """Solves with one vehicle fewer, the shortest route's customers left out for the search
    to reinsert, each with a bounded share of the budget, until one leaves a customer out."""
    while len(best) > 1 and deadline - time.monotonic() > 0.5:
        budget = min(deadline - time.monotonic(), st.try_share * time_limit_s)
        trial = _phase(inst, len(best) - 1, budget, st, sorted(best, key=len)[1:])
        if trial.unassigned:
            break
        best = plan_routes(trial)
    return best


def solve_instance(
    inst: Instance,
    time_limit_s: float = 10.0,
    reduce: bool = True,
    strategy: Strategy | None = None,
) -> Result:
    """Best plan within the budget under the hierarchical objective.

    A full-fleet solve; then fewer vehicles, by route elimination (`eject_share`) or by tries
    with one vehicle fewer; whatever time is left polishes the distance of the best plan found.
    """
    st = strategy or DEFAULT
    reduce = reduce and st.reduce
    started = time.monotonic()
    deadline = started + time_limit_s
    plan = _phase(inst, inst.vehicles, time_limit_s * (st.full_share if reduce else 1.0), st)
    best = plan_routes(plan)
    fallback = plan.fallback or bool(plan.unassigned)
    polishes: tuple[Strategy, ...] = (st,)
    if reduce and st.eject_share > 0:
        fewer = best if fallback else _eliminate(inst, best, st, time_limit_s, deadline)
        if len(fewer) < len(best):
            # Local cheapest insertion rarely completes a hint this tightly packed, and
            # an incomplete start leaves ruin and recreate short of customers; guided local
            # search starts from the plan itself, and ruin and recreate gets a second half
            # from its result (long routes gain most from it).
            polishes = (BASELINE, st)
        best = fewer
    elif reduce:
        best = _tries(inst, best, st, time_limit_s, deadline)
    for k, polish in enumerate(polishes):
        left = deadline - time.monotonic()
        if left <= 0.5:
            break
        polished = _phase(inst, len(best), left / (len(polishes) - k), polish, best)
        routes = plan_routes(polished)
        if (
            not polished.unassigned
            and len(routes) <= len(best)
            and (distance(inst, routes) < distance(inst, best))
        ):
            best = routes
    return Result(
        inst.name, tuple(best), distance(inst, best), time.monotonic() - started, fallback
    )


def _better(a: Result, b: Result) -> bool:
    """Whether a beats b under the hierarchical objective (complete plans first)."""
    return (a.fallback, a.vehicles, a.distance) < (b.fallback, b.vehicles, b.distance)


def solve_portfolio(
    inst: Instance, time_limit_s: float = 10.0, strategies: Sequence[Strategy] = ()
) -> Result:
    """Several strategies at once, one process each, the best result kept.

    The budget is wall time, so a second core works for free; each process gets the whole
    budget less a margin for starting it.
    """
    strategies = tuple(strategies) or PORTFOLIO
    started = time.monotonic()
    if len(strategies) == 1:
        return solve_instance(inst, time_limit_s, strategy=strategies[0])
    budget = max(time_limit_s - STARTUP_MARGIN_S, 0.5 * time_limit_s)
    with ProcessPoolExecutor(max_workers=len(strategies)) as pool:
        futures = [pool.submit(solve_instance, inst, budget, True, st) for st in strategies]
        results = [f.result() for f in futures]
    best = results[0]
    for r in results[1:]:
        if _better(r, best):
            best = r
    return dataclasses.replace(best, seconds=time.monotonic() - started)


def best_known(path: str | Path) -> dict[str, tuple[int, float]]:
    with open(path, newline="") as fh:
        return {
            r["instance"]: (int(r["vehicles"]), float(r["distance"])) for r in csv.DictReader(fh)
        }
