"""The last descent after ruin and recreate: it shortens a plan that has a better neighbour,
returns the plan itself when none is better, and never returns a plan that fails the check."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from carehub.routing.params import SolverParams
from carehub.routing.problem import Problem
from carehub.routing.search import descent, solver
from carehub.routing.validate import validate
from tests.unit.routing.helpers import caregiver, problem, visit
from tests.unit.routing.test_property import days
from tests.unit.routing.test_ruin_start import _as_given

DESCENT = SolverParams(time_limit_s=0.3)


def _zigzag() -> Problem:
    # Three visits at places 2, 4 and 8 on the line, one caregiver from place 0 to place 9.
    return problem(
        [visit("a", 2), visit("b", 8), visit("c", 4)],
        [caregiver("A", end_location=9)],
    )


def test_descent_shortens_a_route_that_doubles_back() -> None:
    p = _zigzag()
    start = _as_given(p, [["b", "a", "c"]])  # 0-8-2-4-9: 21 steps of 5 min
    found = descent.descend(p, start, DESCENT, solver._solve)
    assert [s.visit for s in found.routes[0].stops] == ["a", "c", "b"]  # 0-2-4-8-9: 9 steps
    assert found.objective is not None and start.objective is not None
    assert found.objective < start.objective
    assert descent.NOTE in found.notes
    assert validate(p, found) == []


def test_descent_keeps_a_plan_it_cannot_better() -> None:
    p = _zigzag()
    start = _as_given(p, [["a", "c", "b"]])
    assert descent.descend(p, start, DESCENT, solver._solve) is start


@settings(
    max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(days())
def test_every_solve_with_the_descent_is_valid(p: Problem) -> None:
    plan = solver.solve(p, SolverParams(time_limit_s=1.0))
    assert validate(p, plan) == []
