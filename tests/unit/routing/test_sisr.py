"""The compiled ruin and recreate: which days it takes, that it prices a plan as the OR-Tools
model does, and that every route it returns is one the model accepts as it stands."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from carehub.routing.params import SolverParams
from carehub.routing.problem import Break, Kitchen, Plan, Problem, Unassigned, Window
from carehub.routing.screen import screen
from carehub.routing.search import ruin, sisr, solver
from carehub.routing.validate import validate
from tests.unit.routing.helpers import H, caregiver, problem, visit
from tests.unit.routing.test_property import days

FIRST = SolverParams(time_limit_s=5, solution_limit=20)
SEARCH = SolverParams(time_limit_s=0.2)


@pytest.fixture(scope="module", autouse=True)
def _kernel() -> None:
    sisr.load()  # compiled once, or read from the cache, before any search is timed


def _as_given(p: Problem, routes: list[list[str]]) -> Plan:
    """The OR-Tools model's one solution from exactly these routes."""
    params = SolverParams(time_limit_s=5, solution_limit=1, greedy_start=False, polish_share=0)
    return solver._solve(p, params, routes)


def _orders(plan: Plan) -> list[list[str]]:
    return [[s.visit for s in r.stops] for r in plan.routes]


def _plain() -> Problem:
    return problem([visit("a", 2), visit("b", 5)], [caregiver("x"), caregiver("y")])


def test_a_day_of_windows_skills_and_shifts_is_one_for_the_arrays() -> None:
    assert sisr.arrays(_plain(), SolverParams()) is not None


@pytest.mark.parametrize("what", ["lunch", "load", "meal round", "free pair"])
def test_a_day_with_what_the_arrays_do_not_state_keeps_or_tools_search(what: str) -> None:
    p = _plain()
    if what == "lunch":
        lunch = Break(12 * H, 14 * H, 1800)
        p = replace(p, caregivers=(replace(p.caregivers[0], lunch=lunch), p.caregivers[1]))
    elif what == "load":
        p = replace(p, caregivers=(replace(p.caregivers[0], capacity=3), p.caregivers[1]))
    elif what == "meal round":
        p = replace(
            p,
            kitchens=(Kitchen("k", location=1, ready=10 * H),),
            visits=(replace(p.visits[0], kitchen="k"), p.visits[1]),
        )
    else:
        p = replace(p, visits=(replace(p.visits[0], caregivers_needed=2), p.visits[1]))
    assert sisr.arrays(p, SolverParams()) is None
    assert sisr.improve(p, Plan((), ()), SEARCH) is None


def test_the_arrays_price_a_plan_as_the_or_tools_model_does() -> None:
    # Continuity (b prefers y) and a cost per caregiver used, on e-bike and on foot.
    p = problem(
        [visit("a", 2), visit("b", 5, preferred_caregiver="y"), visit("c", 9)],
        [caregiver("x"), caregiver("y", mode="walk")],
    )
    params = replace(FIRST, vehicle_cost=500)
    plan = solver.solve(p, params)
    a = sisr.arrays(p, params)
    assert a is not None
    start = sisr.start_state(a, plan)
    assert start is not None
    assert start[1] == plan.objective


def _short_day(max_work: int) -> Problem:
    # Two hour-long visits at either end of the line, 45 minutes apart by e-bike.
    return problem(
        [visit("a", 1, service=H), visit("b", 9, service=H)],
        [caregiver("x", max_work=max_work)],
    )


def test_a_route_longer_than_the_working_time_leaves_a_visit_out() -> None:
    p = _short_day(max_work=3 * H)
    routes = sisr.improve(p, Plan((), (Unassigned("a", "x"), Unassigned("b", "x"))), SEARCH)
    assert routes is not None and len(routes[0]) == 1


def test_a_route_within_the_working_time_serves_both() -> None:
    p = _short_day(max_work=4 * H)
    routes = sisr.improve(p, Plan((), (Unassigned("a", "x"), Unassigned("b", "x"))), SEARCH)
    assert routes is not None and sorted(routes[0]) == ["a", "b"]


def _two_windows(second: bool) -> Problem:
    # An urgent visit a is pinned at 08:00 near home; b, at the far end, opens 08:00-08:15
    # and, when ``second``, again 14:00-15:00. Its morning window is out of reach after a,
    # and serving b then makes a late.
    windows = (Window(8 * H, 8 * H + 900),)
    if second:
        windows = (*windows, Window(14 * H, 15 * H))
    b = replace(visit("b", 9), windows=windows)
    a = visit("a", 1, pinned_time=8 * H, pinned_caregiver="x", priority=1)
    return problem([a, b], [caregiver("x", shift_start=7 * H)])


@pytest.mark.parametrize("second", [False, True])
def test_a_visit_takes_a_later_window_when_the_first_is_out_of_reach(second: bool) -> None:
    p = _two_windows(second)
    routes = sisr.improve(p, Plan((), (Unassigned("a", "x"), Unassigned("b", "x"))), SEARCH)
    assert routes is not None
    assert routes[0] == (["a", "b"] if second else ["a"])
    plan = _as_given(p, routes)
    assert _orders(plan) == routes and validate(p, plan) == []


@settings(
    max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(days())
def test_its_routes_are_accepted_as_they_stand_and_cost_no_more(day: Problem) -> None:
    # The arrays do not state lunch breaks; pairs are held as the polish holds them.
    day = replace(day, caregivers=tuple(replace(c, lunch=None) for c in day.caregivers))
    start = solver.solve(day, FIRST)
    if start.fallback or start.objective is None:
        return
    held, left = ruin.hold_pairs(day, start)
    routes = sisr.improve(held, start, SEARCH)
    if routes is None:
        assert not screen(held).candidates  # nobody can serve anything: nothing to search
        return
    plan = _as_given(held, routes)
    assert _orders(plan) == routes
    assert validate(held, plan) == []
    left_out = ruin._penalty(day, FIRST, left, screen(day).rejected)
    assert plan.objective is not None
    assert plan.objective + left_out <= start.objective


def _fresh(a: sisr.Arrays, state: sisr.State) -> sisr.State:
    """``state``'s routes timed from scratch."""
    from carehub.routing.search import sisr_jit as jit

    again = sisr._copy(state)
    again[2][:] = jit.NONE
    again[3][:] = jit.NONE
    for k in range(len(a.caregivers)):
        assert jit.retime(a.nodes, a.cgs, a.ws, a.we, a.tr, *again, k)
    return again


@settings(
    max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(days())
def test_the_search_keeps_its_states_and_their_values_exact(day: Problem) -> None:
    # Each iteration copies back and prices only the routes it changed; after many, the
    # current and best states are what timing and pricing them from scratch gives.
    from carehub.routing.search import sisr_jit as jit

    day = replace(day, caregivers=tuple(replace(c, lunch=None) for c in day.caregivers))
    start = solver.solve(day, FIRST)
    if start.fallback:
        return
    held, _ = ruin.hold_pairs(day, start)
    a = sisr.arrays(held, FIRST)
    begun = sisr.start_state(a, start) if a is not None else None
    if a is None or begun is None:
        return
    cur, value = begun
    best = sisr._copy(cur)
    now, low = a.run(cur, best, (value, value), 300, (1000.0, 10.0))
    assert low <= now and low <= value
    for state, worth in ((cur, now), (best, low)):
        assert jit.objective(a.nodes, a.cgs, a.cost, a.cpen, a.vcost, state) == worth
        fresh = _fresh(a, state)
        served = state[2] != jit.NONE
        for i in (2, 3, 4, 5):
            assert (fresh[i][served] == state[i][served]).all()
        assert (fresh[2] == state[2]).all()


def _same(one: sisr.State, other: sisr.State) -> bool:
    route, rlen = one[0], one[1]
    rows = all((route[k, : rlen[k]] == other[0][k, : rlen[k]]).all() for k in range(len(rlen)))
    served = one[2] != -1
    timed = all((one[i][served] == other[i][served]).all() for i in (4, 5))
    return rows and timed and all((one[i] == other[i]).all() for i in (1, 2, 3))


@pytest.mark.parametrize("back", [True, False])
def test_a_trial_is_copied_back_by_the_routes_it_changed(back: bool) -> None:
    # b is left out of the current state and the trial puts it on a route: a rejected trial
    # goes back to b left out, an accepted one brings b onto the current route.
    from carehub.routing.search import sisr_jit as jit

    p = _plain()
    a = sisr.arrays(p, FIRST)
    assert a is not None
    plan = _as_given(p, [["a"], []])
    begun = sisr.start_state(a, Plan(plan.routes, (Unassigned("b", "x"),)))
    assert begun is not None
    cur = begun[0]
    trial = sisr._copy(cur)
    b = a.ids.index("b")
    k = jit._insert(a.nodes, a.cgs, a.ws, a.we, a.tr, a.cost, a.allowed, 0, 0, trial, b, 0.0)
    assert k != jit.NONE and cur[2][b] == jit.NONE
    touched = np.zeros(len(a.caregivers), dtype=np.bool_)
    touched[k] = True
    dst, src = (trial, cur) if back else (cur, trial)
    want = sisr._copy(src)
    jit._restore(dst, src, touched)
    assert _same(dst, want)
