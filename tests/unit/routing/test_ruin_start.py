"""Ruin and recreate starts from the plan it is given, returns nothing worse, and keeps the
meals that plan delivers."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings

from carehub.routing.params import SolverParams
from carehub.routing.problem import Plan, Problem
from carehub.routing.rounds import route_order
from carehub.routing.search import ruin, solver
from carehub.routing.validate import validate
from tests.unit.routing.helpers import H, caregiver, problem, served_by, visit
from tests.unit.routing.meals import meal, meal_problem
from tests.unit.routing.test_property import days

# The first search of a solve, reproducible: a solution limit turns the polish off.
FIRST = SolverParams(time_limit_s=5, solution_limit=20)
POLISH = SolverParams(time_limit_s=0.3)


@settings(
    max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(days())
def test_polish_from_a_start_is_never_worse_and_valid(p: Problem) -> None:
    start = solver.solve(p, FIRST)
    if start.fallback or start.objective is None:
        return
    polished = ruin.polish(p, start, POLISH, solver._solve)
    assert validate(p, polished) == []
    assert polished.objective is not None and polished.objective <= start.objective


def _as_given(p: Problem, routes: list[list[str]]) -> Plan:
    """One solution: the given routes as they are."""
    params = SolverParams(time_limit_s=5, solution_limit=1, greedy_start=False, polish_share=0)
    return solver._solve(p, params, routes)


def _lunch_rush(rounds: bool = True) -> Problem:
    # One caregiver. Two meals near the kitchen (place 1) at 11:00-11:30, and four visits
    # of a higher priority at the far end of the line, each starting 11:00-12:00: with the
    # meals on the route two of the four fit, without them all four. By drop penalty alone
    # (meals priority 4, the others 3) leaving both meals out is the better plan. Meals of a
    # round (collected at the kitchen) or delivered as visits of their own (skill "meal").
    far = [visit(f"o{i}", 9, 11 * H, 12 * H, service=900, priority=3) for i in range(4)]
    if rounds:
        meals = [meal(f"m{i}", 2 + i, 11 * H, 11 * H + 1800, priority=4) for i in range(2)]
        return meal_problem([*meals, *far], [caregiver("A")])
    meals = [
        visit(f"m{i}", 2 + i, 11 * H, 11 * H + 1800, service=180, skill="meal", priority=4)
        for i in range(2)
    ]
    return problem([*meals, *far], [caregiver("A", skills=frozenset({"meal"}))])


BOTH = pytest.mark.parametrize("rounds", [True, False], ids=["rounds", "visits"])


def _search(**kw) -> SolverParams:
    """The search `ruin.polish` runs."""
    return replace(
        POLISH,
        first_solution=ruin.FIRST_SOLUTION,
        metaheuristic=ruin.METAHEURISTIC,
        search_overrides=ruin.POLISH.overrides(),
        fallback=False,
        keep_start=True,
        **kw,
    )


@BOTH
def test_ruin_and_recreate_free_to_trade_leaves_the_meals_out_for_other_visits(
    rounds: bool,
) -> None:
    # Violated: the same search on the day as it is (meals at their own priority, not held)
    # trades both meals for the two far visits.
    p = _lunch_rush(rounds)
    start = _as_given(p, [["m0", "m1", "o0", "o1"]])
    assert {"m0", "m1"} <= set(served_by(start))
    traded = solver._solve(p, _search(time_limit_s=1), [route_order(r) for r in start.routes])
    assert validate(p, traded) == []
    assert {u.visit for u in traded.unassigned} == {"m0", "m1"}
    assert traded.objective is not None and start.objective is not None
    assert traded.objective < start.objective


@BOTH
def test_ruin_and_recreate_keeps_the_meals_its_start_delivers(rounds: bool) -> None:
    # Satisfied: ruin and recreate from the plan with meals keeps every one of them.
    p = _lunch_rush(rounds)
    start = _as_given(p, [["m0", "m1", "o0", "o1"]])
    polished = ruin.polish(p, start, replace(POLISH, time_limit_s=1), solver._solve)
    assert validate(p, polished) == []
    assert {"m0", "m1"} <= set(served_by(polished))
    held, _ = ruin.hold_pairs(p, start)
    assert {v.priority for v in held.visits if ruin.is_meal(v)} == {ruin.HELD_MEAL_PRIORITY}


@BOTH
def test_a_found_plan_that_drops_a_delivered_meal_is_refused(rounds: bool) -> None:
    p = _lunch_rush(rounds)
    start = _as_given(p, [["m0", "m1", "o0", "o1"]])
    traded = _as_given(p, [["o0", "o1", "o2", "o3"]])
    assert start.objective is not None and traded.objective is not None
    cheaper = replace(traded, objective=start.objective - 1)
    assert ruin.polish(p, start, POLISH, lambda *a: cheaper) is start
    kept = _as_given(p, [["m0", "m1", "o0", "o1"]])
    assert ruin.polish(p, start, POLISH, lambda *a: replace(kept, objective=0)) is not start


def test_the_search_starts_from_the_given_routes_with_keep_start() -> None:
    # From the start locked as its first solution, the held search keeps the start's
    # visits and comes back no worse.
    p = _lunch_rush()
    start = _as_given(p, [["m0", "m1", "o0", "o1"]])
    held, _ = ruin.hold_pairs(p, start)
    found = solver._solve(held, _search(), [route_order(r) for r in start.routes])
    assert found.objective is not None and start.objective is not None
    assert found.objective <= start.objective
    assert {"m0", "m1", "o0", "o1"} <= set(served_by(found))
