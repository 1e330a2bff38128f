"""Solver settings, kept apart from the problem so one problem can be solved several ways."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# A dropped visit must always cost more than any detour that could serve it (a day holds
# 86,400 s), and a more urgent visit more than a less urgent one.
DEFAULT_DROP_PENALTY = {1: 100_000_000, 2: 10_000_000, 3: 2_000_000, 4: 1_000_000}


@dataclass(frozen=True)
class SolverParams:
    time_limit_s: float = 10.0
    # A solution limit makes a run reproducible; a time limit depends on the machine's load.
    solution_limit: int | None = None
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    arc_cost: Literal["time", "distance"] = "time"
    vehicle_cost: int = 0  # fixed cost per caregiver given at least one visit
    continuity_penalty: int = 1_800  # cost of a visit served by a non-preferred caregiver
    drop_penalty: dict[int, int] = field(default_factory=lambda: dict(DEFAULT_DROP_PENALTY))
    fallback: bool = True  # greedy plan when the solver returns nothing
    # Start the search from the greedy plan when no routes are given. On a circle of 120
    # visits with pairs the insertion starts can run past a 3 s limit, and OR-Tools then
    # returns the plan that drops everything.
    greedy_start: bool = True
    # Share of the time limit spent on ruin and recreate after guided local search
    # (carehub.routing.search.ruin); 0 runs the first search alone. Ruin and recreate starts
    # from the guided plan, but gains more per second once guided local search has found its
    # first local optimum: on the district day's circles (3.7 s each) 0.85 travelled about
    # 2 % less than 0.5 (docs/benchmarks.md).
    polish_share: float = 0.85
    # Iterated local search starts from ``initial_routes`` exactly (locked as its first
    # solution, the unserved visits inserted around them) instead of reading them as a hint
    # for local cheapest insertion, which rebuilds the routes (carehub.routing.search.ruin).
    keep_start: bool = False
    log_search: bool = False
    # RoutingSearchParameters in protobuf text format, merged over the settings above, e.g.
    # "guided_local_search_lambda_coefficient: 0.2" or "use_iterated_local_search: true".
    search_overrides: str = ""

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise ValueError("time_limit_s: must be > 0")
        if self.solution_limit is not None and self.solution_limit <= 0:
            raise ValueError("solution_limit: must be > 0")
        if not 0 <= self.polish_share < 1:
            raise ValueError("polish_share: must be in [0, 1)")
        if set(self.drop_penalty) != {1, 2, 3, 4}:
            raise ValueError("drop_penalty: needs a penalty for each priority 1-4")
        if self.vehicle_cost < 0 or self.continuity_penalty < 0:
            raise ValueError("vehicle_cost/continuity_penalty: must be >= 0")
