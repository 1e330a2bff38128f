"""The solver on small hand-built days; every plan also passes the independent checker."""

from __future__ import annotations

import pytest
from ortools.constraint_solver import pywrapcp

from carehub.routing import Break, SolverParams, Visit, Window, solve, validate
from carehub.routing.problem import REASON_CAPACITY, REASON_NO_CAREGIVER, REASON_WINDOW
from carehub.routing.search import greedy

from .helpers import PARAMS, H, caregiver, problem, served_by, solve_valid, start_of, visit


def test_skill_goes_to_the_caregiver_who_has_it() -> None:
    p = problem(
        [visit("wound", 3, skill="nursing")],
        [caregiver("A"), caregiver("B", skills={"nursing"})],
    )
    assert served_by(solve_valid(p)) == {"wound": ["B"]}


def test_gender_is_hard() -> None:
    p = problem(
        [visit("bath", 3, gender="F")],
        [caregiver("M1", gender="M"), caregiver("F1", gender="F", start_location=9)],
    )
    assert served_by(solve_valid(p)) == {"bath": ["F1"]}


def test_windows_order_the_route() -> None:
    p = problem(
        [visit("late", 1, 14 * H, 15 * H), visit("early", 2, 9 * H, 10 * H)], [caregiver("A")]
    )
    plan = solve_valid(p)
    assert [s.visit for s in plan.routes[0].stops] == ["early", "late"]


def test_second_window_used_when_first_closes_before_the_shift() -> None:
    v = Visit("v", 2, (Window(7 * H, 7 * H + 600), Window(15 * H, 16 * H)), 1800)
    plan = solve_valid(problem([v], [caregiver("A")]))
    assert 15 * H <= start_of(plan, "v")[0] <= 16 * H


def test_visit_after_the_shift_is_unreachable() -> None:
    p = problem([visit("night", 2, 19 * H, 20 * H)], [caregiver("A")])
    plan = solve_valid(p)
    assert [(u.visit, u.reason) for u in plan.unassigned] == [("night", REASON_WINDOW)]


def test_missing_skill_is_the_reason() -> None:
    p = problem([visit("wound", 3, skill="nursing")], [caregiver("A")])
    plan = solve_valid(p)
    assert [(u.visit, u.reason) for u in plan.unassigned] == [("wound", REASON_NO_CAREGIVER)]


def test_shift_end_is_respected() -> None:
    p = problem(
        [visit(f"v{i}", 9, service=3 * H) for i in range(3)], [caregiver("A", shift_end=16 * H)]
    )
    plan = solve_valid(p)
    assert len(plan.routes[0].stops) == 2
    assert plan.routes[0].arrival <= 16 * H


def test_lunch_break_taken_inside_its_window() -> None:
    lunch = Break(11 * H + 1800, 13 * H + 1800, 1800)
    visits = [
        visit(f"v{i}", 1 + i, 8 * H + i * 3600, 8 * H + i * 3600 + 1800, service=2400)
        for i in range(8)
    ]
    p = problem(visits, [caregiver("A", lunch=lunch)])
    plan = solve_valid(p)
    route = plan.routes[0]
    assert route.break_start is not None
    assert lunch.start <= route.break_start <= lunch.end - lunch.duration


def test_two_caregiver_visit_starts_together() -> None:
    p = problem(
        [visit("lift", 4, 10 * H, 11 * H, caregivers_needed=2), visit("other", 2)],
        [caregiver("A"), caregiver("B", start_location=8)],
    )
    plan = solve_valid(p)
    assert sorted(served_by(plan)["lift"]) == ["A", "B"]
    assert len(set(start_of(plan, "lift"))) == 1


def test_pinned_caregiver_and_time() -> None:
    p = problem(
        [visit("v", 5, pinned_caregiver="B", pinned_time=13 * H)],
        [caregiver("A", start_location=5), caregiver("B")],
    )
    plan = solve_valid(p)
    assert served_by(plan) == {"v": ["B"]}
    assert start_of(plan, "v") == [13 * H]


def test_pinned_pair_keeps_both_caregivers() -> None:
    # B lives at the elder's door, but the pair was confirmed as A and C.
    lift = visit(
        "lift", 5, 10 * H, 11 * H, caregivers_needed=2, pinned_caregiver="A", pinned_partner="C"
    )
    p = problem(
        [lift, visit("near", 5, 10 * H, 12 * H)],
        [caregiver("A"), caregiver("B", start_location=5), caregiver("C", start_location=9)],
    )
    plan = solve_valid(p)
    assert sorted(served_by(plan)["lift"]) == ["A", "C"]
    assert len(set(start_of(plan, "lift"))) == 1
    fallback = greedy.solve(p)
    assert validate(p, fallback) == []
    assert sorted(served_by(fallback)["lift"]) == ["A", "C"]


def test_pinned_partner_needs_a_pinned_pair() -> None:
    with pytest.raises(ValueError, match="pinned_partner"):
        visit("v", 2, pinned_partner="B")
    with pytest.raises(ValueError, match="pinned_partner"):
        visit("v", 2, caregivers_needed=2, pinned_caregiver="B", pinned_partner="B")


def test_pinned_partner_without_the_skill_is_rejected() -> None:
    p = problem(
        [
            visit(
                "lift",
                5,
                skill="bathing",
                caregivers_needed=2,
                pinned_caregiver="A",
                pinned_partner="C",
            )
        ],
        [caregiver(c, skills={"bathing"} if c != "C" else set()) for c in "ABC"],
    )
    plan = solve_valid(p)
    assert [(u.visit, u.reason) for u in plan.unassigned] == [("lift", REASON_NO_CAREGIVER)]


def test_preferred_caregiver_honoured_when_free() -> None:
    # A lives next door; B is one step further but is the elder's regular caregiver.
    p = problem(
        [visit("v", 3, preferred_caregiver="B")],
        [
            caregiver("A", start_location=3, end_location=3),
            caregiver("B", start_location=4, end_location=4),
        ],
    )
    assert served_by(solve_valid(p)) == {"v": ["B"]}


def test_overloaded_day_keeps_urgent_visits_and_explains_the_rest() -> None:
    visits = [visit(f"clean{i}", 2, service=H, priority=4) for i in range(6)]
    visits += [visit("emergency", 3, service=H, priority=1)]
    p = problem(visits, [caregiver("A", shift_end=12 * H)])
    plan = solve_valid(p)
    assert "emergency" in served_by(plan)
    assert plan.unassigned
    assert {u.reason for u in plan.unassigned} == {REASON_CAPACITY}


def test_same_input_and_solution_limit_give_the_same_plan() -> None:
    visits = [
        visit(f"v{i}", i % 9 + 1, 8 * H + (i % 4) * H, 12 * H + (i % 4) * H) for i in range(12)
    ]
    p = problem(
        visits, [caregiver("A"), caregiver("B", start_location=9), caregiver("C", mode="walk")]
    )
    params = SolverParams(time_limit_s=30, solution_limit=50)
    assert solve(p, params).routes == solve(p, params).routes


def test_fallback_plan_when_the_solver_returns_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pywrapcp.RoutingModel, "SolveWithParameters", lambda self, params: None)
    monkeypatch.setattr(
        pywrapcp.RoutingModel, "SolveFromAssignmentWithParameters", lambda self, a, params: None
    )
    p = problem(
        [visit("a", 2), visit("b", 5, caregivers_needed=2), visit("c", 7, 9 * H, 10 * H)],
        [caregiver("A", lunch=Break(12 * H, 14 * H, 1800)), caregiver("B")],
    )
    plan = solve(p, PARAMS)
    assert plan.fallback
    assert validate(p, plan) == []
    assert set(served_by(plan)) == {"a", "b", "c"}


def test_search_starts_from_the_greedy_plan() -> None:
    # Insertion starts can run out of time on a large circle and OR-Tools then returns the
    # plan that drops everything; started from the greedy plan, the search only improves it.
    visits = [
        visit(f"v{i}", i % 9 + 1, 8 * H + (i % 5) * H, 10 * H + (i % 5) * H) for i in range(12)
    ]
    p = problem(visits, [caregiver("A"), caregiver("B", start_location=9)])
    starved = SolverParams(time_limit_s=5, solution_limit=1, first_solution="PATH_CHEAPEST_ARC")
    greedy_served = len(served_by(greedy.solve(p)))
    plan = solve(p, starved)
    assert validate(p, plan) == []
    assert len(served_by(plan)) >= greedy_served


def test_greedy_plan_is_valid_on_a_busy_day() -> None:
    visits = [
        visit(f"v{i}", i % 9 + 1, 8 * H + (i % 5) * H, 10 * H + (i % 5) * H, priority=1 + i % 4)
        for i in range(20)
    ]
    visits.append(visit("pair", 4, 13 * H, 14 * H, caregivers_needed=2))
    p = problem(
        visits, [caregiver("A", lunch=Break(12 * H, 14 * H, 1800)), caregiver("B", max_work=6 * H)]
    )
    plan = greedy.solve(p)
    assert validate(p, plan) == []


def test_search_overrides_are_merged_and_checked() -> None:
    from carehub.routing.search.solver import _search_parameters

    sp = _search_parameters(
        SolverParams(search_overrides="guided_local_search_lambda_coefficient: 0.3")
    )
    assert sp.guided_local_search_lambda_coefficient == pytest.approx(0.3)
    with pytest.raises(Exception, match="no_such_field"):
        _search_parameters(SolverParams(search_overrides="no_such_field: 1"))
