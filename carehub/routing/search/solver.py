"""The OR-Tools model: one routing node per caregiver place and per visit copy.

A two-caregiver visit becomes two nodes whose start times are equal and whose vehicles differ.
Every visit is optional with a drop penalty by priority, so an overloaded day still yields a
plan; the dropped visits come back with a reason.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from google.protobuf import text_format
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from carehub.routing.lunch import fit_lunch
from carehub.routing.params import SolverParams
from carehub.routing.problem import (
    REASON_CAPACITY,
    Caregiver,
    Collection,
    IntArray,
    Matrix,
    Plan,
    Problem,
    Route,
    Stop,
    Unassigned,
    Visit,
)
from carehub.routing.rounds import meal_of, route_order, with_pickups
from carehub.routing.screen import screen
from carehub.routing.search import descent, greedy, ruin


@dataclass
class _Layout:
    locations: list[int] = field(default_factory=list)  # node -> matrix location
    # node -> visit; None at depots and at pickups
    visit_of: list[Visit | None] = field(default_factory=list)
    nodes_of: dict[str, list[int]] = field(default_factory=dict)  # visit id -> its nodes
    kitchen_at: list[str | None] = field(default_factory=list)  # node -> kitchen of a pickup
    pickup_of: dict[int, Visit] = field(default_factory=dict)  # pickup node -> its meal
    pickup: dict[str, int] = field(default_factory=dict)  # meal id -> its pickup node

    def add(self, location: int, visit: Visit | None) -> int:
        self.locations.append(location)
        self.visit_of.append(visit)
        self.kitchen_at.append(None)
        node = len(self.locations) - 1
        if visit is not None:
            self.nodes_of.setdefault(visit.id, []).append(node)
        return node

    def add_pickup(self, location: int, meal: Visit) -> int:
        assert meal.kitchen is not None
        node = self.add(location, None)
        self.kitchen_at[node] = meal.kitchen
        self.pickup_of[node] = meal
        self.pickup[meal.id] = node
        return node


def _search_parameters(params: SolverParams) -> pywrapcp.DefaultRoutingSearchParameters:
    sp = pywrapcp.DefaultRoutingSearchParameters()
    sp.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, params.first_solution
    )
    sp.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, params.metaheuristic
    )
    sp.time_limit.FromMilliseconds(int(params.time_limit_s * 1000))
    if params.solution_limit is not None:
        sp.solution_limit = params.solution_limit
    sp.log_search = params.log_search
    if params.search_overrides:
        text_format.Merge(params.search_overrides, sp)
    return sp


@dataclass
class _Batch:
    """Consecutive pickups at one kitchen, read back as one collection."""

    kitchen: str
    location: int
    service: int  # the loading time
    meals: list[str]


class _Model:
    def __init__(
        self, problem: Problem, params: SolverParams, screened_ids: dict[str, tuple[int, ...]]
    ):
        self.problem = problem
        self.params = params
        cgs = problem.caregivers
        lay = _Layout()
        depot: dict[int, int] = {}
        for c in cgs:
            for loc in (c.start_location, c.end_location):
                if loc not in depot:
                    depot[loc] = lay.add(loc, None)
        for v in problem.visits:
            if v.id in screened_ids:
                for _ in range(v.caregivers_needed):
                    lay.add(v.location, v)
        # A meal's pickup at its kitchen; its time is when loading of the batch starts.
        kitchens = {k.id: k for k in problem.kitchens}
        for v in problem.visits:
            if v.id in screened_ids and v.kitchen is not None:
                lay.add_pickup(kitchens[v.kitchen].location, v)
        self.layout = lay
        n = len(lay.locations)
        self.manager = pywrapcp.RoutingIndexManager(
            n,
            len(cgs),
            [depot[c.start_location] for c in cgs],
            [depot[c.end_location] for c in cgs],
        )
        self.routing = pywrapcp.RoutingModel(self.manager)
        self._add_time(screened_ids)
        self._add_costs()
        self._add_load()
        self._add_rounds()

    def _node_matrix(self, loc_matrix: Matrix, with_service: bool) -> IntArray:
        """Node-by-node transits from the place matrix, in numpy: OR-Tools copies the rows
        it is given, so only the final lists are Python objects."""
        lay = self.layout
        nodes = loc_matrix.block(lay.locations, lay.locations)
        if with_service:
            service = [v.service if v is not None else 0 for v in lay.visit_of]
            nodes = nodes + np.asarray(service, dtype=np.int64)[:, None]
            if lay.pickup:
                # Loading counts once per batch: on the arc leaving the batch's last pickup,
                # so the pickups of one batch follow each other at no time.
                ids = {k: i for i, k in enumerate(sorted({k for k in lay.kitchen_at if k}))}
                code = np.asarray([ids[k] if k else -1 for k in lay.kitchen_at], dtype=np.int64)
                rows = np.flatnonzero(code >= 0)
                same = code[rows][:, None] == code[None, :]
                nodes[rows] = np.where(same, 0, nodes[rows] + self.problem.meals.load)
        return nodes

    def _add_time(self, candidates: dict[str, tuple[int, ...]]) -> None:
        p, routing = self.problem, self.routing
        evaluator: dict[str, int] = {}
        for mode in sorted({c.mode for c in p.caregivers}):
            evaluator[mode] = routing.RegisterTransitMatrix(
                self._node_matrix(p.travel[mode], with_service=True).tolist()
            )
        horizon = max(c.shift_end for c in p.caregivers)
        routing.AddDimensionWithVehicleTransits(
            [evaluator[c.mode] for c in p.caregivers], horizon, horizon, False, "Time"
        )
        time_dim = routing.GetDimensionOrDie("Time")
        self.time = time_dim
        for k, c in enumerate(p.caregivers):
            time_dim.CumulVar(routing.Start(k)).SetRange(c.shift_start, c.shift_end)
            time_dim.CumulVar(routing.End(k)).SetRange(c.shift_start, c.shift_end)
            if c.max_work is not None:
                time_dim.SetSpanUpperBoundForVehicle(c.max_work, k)
            # Leave as late and come back as early as the visits allow: no idle paid time.
            routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(k)))
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(k)))
        for vid, nodes in self.layout.nodes_of.items():
            self._add_visit(p.visit(vid), nodes, candidates[vid])
        self._add_lunches()

    def _add_visit(self, v: Visit, nodes: list[int], able: tuple[int, ...]) -> None:
        """A visit's copies: its windows or pinned time, who may serve each copy, its drop
        penalty; a pair's two copies together, at one start, by two caregivers."""
        p, routing, time_dim = self.problem, self.routing, self.time
        indices = [self.manager.NodeToIndex(nd) for nd in nodes]
        ids = [c.id for c in p.caregivers]
        pins = [ids.index(c) for c in v.pins]
        for copy, index in enumerate(indices):
            cumul = time_dim.CumulVar(index)
            if v.pinned_time is not None:
                cumul.SetValue(v.pinned_time)
            else:
                cumul.SetRange(v.windows[0].start, v.windows[-1].end)
                for a, b in zip(v.windows, v.windows[1:], strict=False):
                    cumul.RemoveInterval(a.end + 1, b.start - 1)
            # The pinned caregiver takes the first copy; the second goes to the pinned
            # partner, or to anyone else able.
            if copy < len(pins):
                allowed = [pins[copy]]
            elif pins:
                allowed = [k for k in able if k not in pins]
            else:
                allowed = list(able)
            if len(allowed) < len(p.caregivers):
                # SetAllowedVehiclesForIndex rejects Python lists in OR-Tools 9.15 (no
                # absl::Span typemap); restricting the vehicle variable is equivalent.
                allowed_set = set(allowed)
                routing.VehicleVar(index).RemoveValues(
                    [k for k in range(len(p.caregivers)) if k not in allowed_set]
                )
            penalty = self.params.drop_penalty[v.priority]
            if v.kitchen is not None:
                penalty -= penalty // 2  # the other half on its pickup
            routing.AddDisjunction([index], penalty)
            routing.AddToAssignment(time_dim.SlackVar(index))
        if len(indices) == 2:
            solver = routing.solver()
            a, b = indices
            solver.Add(routing.ActiveVar(a) == routing.ActiveVar(b))
            solver.Add(time_dim.CumulVar(a) == time_dim.CumulVar(b))
            solver.Add(
                solver.AllDifferentExcept([routing.VehicleVar(a), routing.VehicleVar(b)], -1)
            )

    def _add_lunches(self) -> None:
        p, routing, manager, time_dim = self.problem, self.routing, self.manager, self.time
        service = [0] * routing.Size()
        for index in range(routing.Size()):
            node = manager.IndexToNode(index)
            v = self.layout.visit_of[node]
            service[index] = v.service if v is not None else 0
            if self.layout.kitchen_at[node] is not None:
                # No break inside [pickup, pickup + load): the batch loads from its last pickup.
                service[index] = p.meals.load
        solver = routing.solver()
        self.breaks: dict[int, object] = {}
        for k, c in enumerate(p.caregivers):
            if c.lunch is None:
                continue
            lunch = c.lunch
            interval = solver.FixedDurationIntervalVar(
                lunch.start, lunch.end - lunch.duration, lunch.duration, False, f"lunch {k}"
            )
            time_dim.SetBreakIntervalsOfVehicle([interval], k, service)
            self.breaks[k] = interval

    def _add_costs(self) -> None:
        p, routing, params = self.problem, self.routing, self.params
        ids = [c.id for c in p.caregivers]
        preferring: dict[int, set[int]] = {k: set() for k in range(len(ids))}
        penalised: set[int] = set()
        for node, v in enumerate(self.layout.visit_of):
            if v is not None and v.preferred_caregiver is not None:
                penalised.add(node)
                preferring[ids.index(v.preferred_caregiver)].add(node)
        base: dict[str, IntArray] = {}
        registered: dict[tuple[str, frozenset[int]], int] = {}
        for k, c in enumerate(p.caregivers):
            key_base = "distance" if params.arc_cost == "distance" else c.mode
            if key_base not in base:
                source = p.distance if params.arc_cost == "distance" else p.travel[c.mode]
                base[key_base] = self._node_matrix(source, with_service=False)
            free = frozenset(preferring[k])
            key = (key_base, free)
            if key not in registered:
                matrix = base[key_base]
                extra = penalised - free
                if extra and params.continuity_penalty:
                    matrix = matrix.copy()
                    matrix[sorted(extra)] += params.continuity_penalty
                registered[key] = routing.RegisterTransitMatrix(matrix.tolist())
            routing.SetArcCostEvaluatorOfVehicle(registered[key], k)
        routing.SetFixedCostOfAllVehicles(params.vehicle_cost)

    def _add_load(self) -> None:
        p, routing = self.problem, self.routing
        if not any(c.capacity is not None for c in p.caregivers):
            return
        demand = [v.demand if v is not None else 0 for v in self.layout.visit_of]
        if not any(demand):
            return
        unary = routing.RegisterUnaryTransitVector(demand)
        caps = [c.capacity if c.capacity is not None else sum(demand) for c in p.caregivers]
        routing.AddDimensionWithVehicleCapacity(unary, 0, caps, True, "Load")

    def _add_rounds(self) -> None:
        """Each meal's pickup and drop: one caregiver, pickup first, not before the kitchen
        is ready, the drop within the hot-food limit of the batch leaving, the box held."""
        p, routing, manager, time_dim = self.problem, self.routing, self.manager, self.time
        lay = self.layout
        if not lay.pickup:
            return
        rules = p.meals
        kitchens = {k.id: k for k in p.kitchens}
        solver = routing.solver()
        horizon = max(c.shift_end for c in p.caregivers)
        change = [0] * len(lay.locations)
        for vid, pnode in lay.pickup.items():
            change[pnode] = 1
            change[lay.nodes_of[vid][0]] = -1
        unary = routing.RegisterUnaryTransitVector(change)
        caps = [rules.box.get(c.mode, 0) for c in p.caregivers]
        routing.AddDimensionWithVehicleCapacity(unary, 0, caps, True, "Meals")
        ride = rules.load + rules.max_ride
        for vid, pnode in lay.pickup.items():
            meal = lay.pickup_of[pnode]
            assert meal.kitchen is not None
            pick = manager.NodeToIndex(pnode)
            drop = manager.NodeToIndex(lay.nodes_of[vid][0])
            routing.AddPickupAndDelivery(pick, drop)
            solver.Add(routing.VehicleVar(pick) == routing.VehicleVar(drop))
            solver.Add(time_dim.CumulVar(pick) <= time_dim.CumulVar(drop))
            # Not before the kitchen is ready, nor so early that the meal would cool on the
            # way; with the drop's time pinned this is the hot-food rule itself, in a form the
            # search's filters see (ruin and recreate relies on it).
            earliest = meal.pinned_time if meal.pinned_time is not None else meal.windows[0].start
            latest = meal.pinned_time if meal.pinned_time is not None else meal.windows[-1].end
            time_dim.CumulVar(pick).SetRange(
                max(kitchens[meal.kitchen].ready, earliest - ride), min(horizon, latest)
            )
            # The batch leaves at its last pickup + load, at or after this one's.
            solver.Add(time_dim.CumulVar(drop) <= time_dim.CumulVar(pick) + ride)
            # Same caregivers as the drop, so the search never tries the others.
            dropped = [
                k for k in range(len(p.caregivers)) if not routing.VehicleVar(drop).Contains(k)
            ]
            if dropped:
                routing.VehicleVar(pick).RemoveValues(dropped)
            # Performed or dropped together (the vehicle variables are equal): the drop's
            # penalty is split between the two disjunctions.
            routing.AddToAssignment(time_dim.SlackVar(pick))
            routing.AddDisjunction([pick], self.params.drop_penalty[meal.priority] // 2)

    def routes_to_indices(self, routes: Sequence[Sequence[str]]) -> list[list[int]]:
        used: dict[str, int] = {}
        out = []
        p = self.problem
        for k, route in enumerate(routes):
            row = []
            if self.layout.pickup and k < len(p.caregivers):
                route = with_pickups(p, route, p.meals.box.get(p.caregivers[k].mode, 0))
            for vid in route:
                meal = meal_of(vid)
                if meal is not None:
                    node = self.layout.pickup.get(meal)
                    if node is not None:
                        row.append(self.manager.NodeToIndex(node))
                    continue
                nodes = self.layout.nodes_of.get(vid)
                if nodes is None:
                    continue
                copy = used.get(vid, 0)
                used[vid] = copy + 1
                row.append(self.manager.NodeToIndex(nodes[copy]))
            out.append(row)
        return out

    def extract(self, solution: pywrapcp.Assignment) -> Plan:
        p = self.problem
        break_start = self._lunch_starts(solution)
        routes = []
        served: set[str] = set()
        for k, c in enumerate(p.caregivers):
            departure, events, arrival_end = self._events(solution, k)
            route = self._route(c, departure, events, arrival_end, break_start.get(k))
            served.update(s.visit for s in route.stops)
            routes.append(route)
        dropped = [
            Unassigned(vid, REASON_CAPACITY) for vid in self.layout.nodes_of if vid not in served
        ]
        return Plan(tuple(routes), tuple(dropped), objective=solution.ObjectiveValue())

    @staticmethod
    def _lunch_starts(solution: pywrapcp.Assignment) -> dict[int, int | tuple[int, int]]:
        """Lunch start per caregiver: a value, or the range it may take when the search left
        it open (iterated local search's solutions do not fix it)."""
        break_start: dict[int, int | tuple[int, int]] = {}
        intervals = solution.IntervalVarContainer()
        for i in range(intervals.Size()):
            element = intervals.Element(i)
            name = element.Var().Name()
            if name.startswith("lunch ") and element.PerformedValue():
                k = int(name.split()[1])
                lo, hi = element.StartMin(), element.StartMax()
                break_start[k] = lo if lo == hi else (lo, hi)
        return break_start

    def _events(
        self, solution: pywrapcp.Assignment, k: int
    ) -> tuple[int, list[tuple[Visit | _Batch, int]], int]:
        """Caregiver ``k``'s departure, visits and batches in route order, each with its
        time (a batch's: its last pickup), and return."""
        routing, manager, time_dim = self.routing, self.manager, self.time
        kitchens = {kit.id: kit for kit in self.problem.kitchens}
        index = routing.Start(k)
        departure = solution.Value(time_dim.CumulVar(index))
        events: list[tuple[Visit | _Batch, int]] = []
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            t = solution.Value(time_dim.CumulVar(index))
            kitchen = self.layout.kitchen_at[node]
            if kitchen is not None:
                meal = self.layout.pickup_of[node].id
                last = events[-1][0] if events else None
                if isinstance(last, _Batch) and last.kitchen == kitchen:
                    last.meals.append(meal)
                    events[-1] = (last, t)
                else:
                    where = kitchens[kitchen].location
                    events.append((_Batch(kitchen, where, self.problem.meals.load, [meal]), t))
            else:
                v = self.layout.visit_of[node]
                assert v is not None
                events.append((v, t))
            index = solution.Value(routing.NextVar(index))
        return departure, events, solution.Value(time_dim.CumulVar(index))

    def _route(
        self,
        c: Caregiver,
        departure: int,
        events: list[tuple[Visit | _Batch, int]],
        arrival_end: int,
        found: int | tuple[int, int] | None,
    ) -> Route:
        """The route read back: arrivals from the travel times, the lunch placed where the
        search left it open, collections with their meals in drop order."""
        travel = self.problem.travel[c.mode]
        b: int | None
        if isinstance(found, tuple):
            fitted = fit_lunch(travel, c, departure, events, arrival_end, found)
            # Nowhere to fit: the range's low end, which validate() then reports.
            b = fitted if fitted is not None else max(found[0], c.shift_start)
        else:
            b = found
        lunch = c.lunch.duration if c.lunch is not None else 0
        loc, ready = c.start_location, departure
        stops: list[Stop] = []
        collections: list[Collection] = []
        for e, start in events:
            arrival = ready + travel[loc][e.location]
            if b is not None and ready <= b and b + lunch <= start:
                arrival += lunch
            if isinstance(e, _Batch):
                collections.append(
                    Collection(e.kitchen, len(stops), min(arrival, start), start, tuple(e.meals))
                )
            else:
                stops.append(Stop(e.id, min(arrival, start), start))
            loc, ready = e.location, start + e.service
        order = {s.visit: i for i, s in enumerate(stops)}
        collections = [
            replace(col, meals=tuple(sorted(col.meals, key=order.__getitem__)))
            for col in collections
        ]
        return Route(
            c.id, departure, tuple(stops), arrival_end, b if stops else None, tuple(collections)
        )


# OR-Tools 9.15's iterated local search never returned on some models with few visit copies:
# one copy, and two copies with three caregivers (found by the ruin property test).
ILS_MIN_COPIES = 6
MIN_POLISH_S = 0.2  # below this, ruin and recreate does not finish its first recreate


def solve(
    problem: Problem,
    params: SolverParams | None = None,
    initial_routes: Sequence[Sequence[str]] | None = None,
) -> Plan:
    """Plan the day. ``initial_routes`` (visit ids per caregiver) seeds the search.

    Guided local search runs first, then ruin and recreate from its plan for
    ``params.polish_share`` of the limit, and a last descent from that (``descent``).
    """
    params = params or SolverParams()
    share = params.polish_share
    # A solution limit asks for a reproducible run; ruin and recreate on a small day runs to
    # its time limit whatever the count, so it is left out of such runs.
    if (
        share == 0
        or params.solution_limit is not None
        or params.metaheuristic != "GUIDED_LOCAL_SEARCH"
    ):
        return _solve(problem, params, initial_routes)
    started = time.monotonic()
    first = replace(params, time_limit_s=params.time_limit_s * (1 - share))
    plan = _solve(problem, first, initial_routes)
    left = params.time_limit_s - (time.monotonic() - started)
    if plan.fallback or left < MIN_POLISH_S:
        return plan
    last = descent.DESCENT_S if left >= MIN_POLISH_S + descent.DESCENT_S else 0.0
    plan = ruin.polish(problem, plan, replace(params, time_limit_s=left - last), _solve)
    left = params.time_limit_s - (time.monotonic() - started)
    if not last or left <= 0:
        return plan
    return descent.descend(problem, plan, replace(params, time_limit_s=left), _solve)


def _solve(
    problem: Problem,
    params: SolverParams,
    initial_routes: Sequence[Sequence[str]] | None = None,
) -> Plan:
    started = time.monotonic()
    screened = screen(problem)
    rejected = tuple(Unassigned(vid, why) for vid, why in screened.rejected.items())
    model = _Model(problem, params, screened.candidates)
    search = _search_parameters(params)
    solution = None
    copies = sum(len(nodes) for nodes in model.layout.nodes_of.values())
    # OR-Tools 9.15's iterated local search never returns, whatever its limit, on a model with
    # fewer visit copies than this; the plain search (the descent) serves such a day.
    ils = search.use_iterated_local_search and copies >= ILS_MIN_COPIES
    hint = None
    start: Plan | None = None
    if initial_routes is None and params.greedy_start:
        start = greedy.solve(problem, screened)
        initial_routes = [route_order(r) for r in start.routes]
    if initial_routes is not None:
        model.routing.CloseModelWithParameters(search)
        hint = model.routing.ReadAssignmentFromRoutes(model.routes_to_indices(initial_routes), True)
        if hint is not None and not ils:
            solution = model.routing.SolveFromAssignmentWithParameters(hint, search)
            if solution is None and start is not None:
                # The plan the fallback would build; a search from nothing in the time left
                # drops most of a circle.
                return replace(_kept(start), fallback=True)
    if solution is None:
        solution = _search(model, params, search, ils, hint, initial_routes)
    if solution is None:
        if not params.fallback:
            raise RuntimeError("the solver returned no plan and the fallback is off")
        plan = greedy.solve(problem, screened)
        return Plan(plan.routes, plan.unassigned, fallback=True, notes=plan.notes)
    return _finished(problem, params, model.extract(solution), start, rejected, started)


def _search(
    model: _Model,
    params: SolverParams,
    search: pywrapcp.DefaultRoutingSearchParameters,
    ils: bool,
    hint: pywrapcp.Assignment | None,
    initial_routes: Sequence[Sequence[str]] | None,
) -> pywrapcp.Assignment | None:
    """The search when no descent from the given routes ran: iterated local search, or the
    plain search from nothing."""
    if not ils:
        return model.routing.SolveWithParameters(search)
    # Iterated local search starts from its own first solution. Locks make that the given
    # routes themselves (local cheapest insertion then only adds the visits they leave out);
    # a hint is merely read by the insertion, which rebuilds the routes (HP01 of the seed-4
    # district day: a 431-minute start became 574).
    if hint is not None and not (
        params.keep_start
        and initial_routes is not None
        and model.routing.ApplyLocksToAllVehicles(model.routes_to_indices(initial_routes), False)
    ):
        model.routing.SetFirstSolutionHint(hint)
    return model.routing.SolveWithIteratedLocalSearch(search)


def _finished(
    problem: Problem,
    params: SolverParams,
    plan: Plan,
    start: Plan | None,
    rejected: tuple[Unassigned, ...],
    started: float,
) -> Plan:
    """The search's plan with the screened-out visits, or the greedy start when that leaves
    less open by the drop penalties."""
    if start is not None and _penalty(params, problem, start.unassigned) < _penalty(
        params, problem, rejected + plan.unassigned
    ):
        return _kept(start)
    seconds = time.monotonic() - started
    return Plan(
        plan.routes,
        rejected + plan.unassigned,
        objective=plan.objective,
        notes=(f"solved in {seconds:.2f}s",),
    )


KEPT_START = "greedy start kept: the search found nothing as good"


def _kept(start: Plan) -> Plan:
    """The greedy start, when OR-Tools' search from it failed or came back worse: OR-Tools
    9.15 now and then fails a search from a hint it has read (on the city weekday, about
    one circle in twenty with meal rounds) and the search from nothing then drops most of a
    circle in the time left."""
    return replace(start, notes=(*start.notes, KEPT_START))


def _penalty(params: SolverParams, problem: Problem, unassigned: Sequence[Unassigned]) -> int:
    """What unassigned visits cost in the model's drop penalties."""
    return sum(params.drop_penalty[problem.visit(u.visit).priority] for u in unassigned)
