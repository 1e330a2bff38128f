"""An elder's "do not send" caregivers are hard: no plan of any kind serves the visit by them."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carehub.routing import Plan, Problem, Route, SolverParams, Stop, solve, validate
from carehub.routing.circles import Circles, solve_circles
from carehub.routing.repair.replan import insert
from carehub.routing.search import greedy

from .helpers import PLACES, H, caregiver, problem, visit

IDS = ("a", "b", "c")
FAST = SolverParams(time_limit_s=2, solution_limit=100)


def _pairs(p: Problem, plan: Plan) -> set[tuple[str, str]]:
    return {(s.visit, r.caregiver) for r in plan.routes for s in r.stops}


def _forbidden(p: Problem) -> set[tuple[str, str]]:
    return {(v.id, c) for v in p.visits for c in v.excluded}


def test_validate_names_a_visit_served_by_an_excluded_caregiver() -> None:
    p = problem([visit("v", 2, excluded=frozenset({"a"}))], [caregiver("a"), caregiver("b")])
    bad = Plan(
        (
            Route("a", 8 * H, (Stop("v", 8 * H + 600, 8 * H + 600),), 10 * H),
            Route("b", 8 * H, (), 8 * H),
        )
    )
    assert [v.kind for v in validate(p, bad)] == ["excluded"]
    good = Plan(
        (
            Route("a", 8 * H, (), 8 * H),
            Route("b", 8 * H, (Stop("v", 8 * H + 600, 8 * H + 600),), 10 * H),
        )
    )
    assert validate(p, good) == []


def test_only_caregiver_excluded_leaves_the_visit_open_with_a_reason() -> None:
    p = problem([visit("v", 2, excluded=frozenset({"a"}))], [caregiver("a")])
    for plan in (solve(p, FAST), greedy.solve(p)):
        assert _pairs(p, plan) == set()
        assert [u.visit for u in plan.unassigned] == ["v"]
        assert validate(p, plan) == []
    allowed = problem([visit("v", 2)], [caregiver("a")])
    assert _pairs(allowed, solve(allowed, FAST)) == {("v", "a")}


@st.composite
def days(draw: st.DrawFn) -> Problem:
    cgs = [
        caregiver(c, start_location=draw(st.integers(0, PLACES - 1)), end_location=0)
        for c in IDS[: draw(st.integers(1, 3))]
    ]
    visits = []
    for k in range(draw(st.integers(1, 7))):
        start = draw(st.integers(8, 15)) * H
        visits.append(
            visit(
                f"v{k}",
                draw(st.integers(0, PLACES - 1)),
                start,
                start + draw(st.integers(1, 3)) * H,
                draw(st.sampled_from((600, 1800, 3600))),
                caregivers_needed=draw(st.sampled_from((1, 1, 2))),
                excluded=frozenset(draw(st.sets(st.sampled_from(IDS), max_size=2))),
            )
        )
    return problem(visits, cgs)


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(days())
def test_no_plan_ever_pairs_a_visit_with_an_excluded_caregiver(p: Problem) -> None:
    plans = [solve(p, FAST), greedy.solve(p)]
    half = Problem(
        tuple(v for v in p.visits if int(v.id[1:]) % 2 == 0),
        p.caregivers,
        p.travel,
        p.distance,
    )
    # Re-planning during the day: the other half inserted into the first half's plan.
    published = greedy.solve(half)
    new = [v.id for v in p.visits if int(v.id[1:]) % 2 == 1]
    plans.append(insert(p, published, 10 * H, new).plan)
    circles = Circles(
        visit_circle={v.id: "w" if v.location < 5 else "e" for v in p.visits},
        caregiver_circle={c.id: "w" if c.start_location < 5 else "e" for c in p.caregivers},
        neighbours={"w": ["e"], "e": ["w"]},
    )
    plans.append(solve_circles(p, circles, FAST, workers=1).plan)
    for plan in plans:
        assert not _pairs(p, plan) & _forbidden(p)
        assert [v for v in validate(p, plan) if v.kind == "excluded"] == []
