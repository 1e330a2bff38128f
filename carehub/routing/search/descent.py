"""A last descent after ruin and recreate: OR-Tools' local search operators from its plan.

Ruin and recreate only removes visits and inserts them again at their cheapest place, and
it holds every pair where guided local search put it. A descent from its best plan, with the
full model (pairs free, every operator: two-opt, or-opt, exchanges and relocations across
routes), finds what those moves cannot, and reaches its local optimum in a fraction of a
second on a circle's day. On the district day's 48 circles at a circle's 3.7 s, it took at
most 0.18 s and the circles travelled 0.7 % less (docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import replace

from carehub.routing.params import SolverParams
from carehub.routing.problem import Plan, Problem
from carehub.routing.rounds import route_order
from carehub.routing.search import Solve
from carehub.routing.validate import validate

DESCENT_S = 0.3  # at most, kept from ruin and recreate's share of the limit
METAHEURISTIC = "GREEDY_DESCENT"
NOTE = "descent"


def descend(problem: Problem, plan: Plan, params: SolverParams, solve: Solve) -> Plan:
    """The local optimum below ``plan`` within ``params.time_limit_s``, or ``plan`` when the
    descent finds nothing better by objective, serves fewer visits or fails ``validate()``."""
    if plan.objective is None:
        return plan
    search = replace(params, metaheuristic=METAHEURISTIC, polish_share=0.0, fallback=False)
    try:
        found = solve(problem, search, [route_order(r) for r in plan.routes])
    except RuntimeError:
        return plan
    if found.objective is None or found.objective >= plan.objective:
        return plan
    if len(found.unassigned) > len(plan.unassigned) or validate(problem, found):
        return plan
    return replace(found, notes=(*plan.notes, NOTE))
