"""The time pass 1 and insertion leave goes to circles solved again from their routes."""

from __future__ import annotations

from dataclasses import replace

from carehub.routing import Plan, Problem, validate
from carehub.routing import circles as circles_module
from carehub.routing.circles import Circles
from carehub.routing.deadline import Deadline
from carehub.routing.params import SolverParams
from carehub.routing.search import solver

from .helpers import PARAMS, caregiver, problem, visit

AS_GIVEN = SolverParams(time_limit_s=5, solution_limit=1, greedy_start=False, polish_share=0)


def _district() -> tuple[Problem, Circles]:
    # West: A at place 0, B at 1, six visits along the line; east: D at 8 with one visit.
    west = [visit(f"w{i}", loc, service=900) for i, loc in enumerate((1, 2, 3, 5, 6, 7))]
    p = problem(
        [*west, visit("e1", 8, service=900)],
        [
            caregiver("A"),
            caregiver("B", start_location=1, end_location=1),
            caregiver("D", start_location=8, end_location=8),
        ],
    )
    circles = Circles(
        visit_circle={**{v.id: "west" for v in west}, "e1": "east"},
        caregiver_circle={"A": "west", "B": "west", "D": "east"},
        neighbours={"west": ["east"], "east": ["west"]},
    )
    return p, circles


def _found(p: Problem, circles: Circles, routes: list[list[str]]):
    plan = solver._solve(p, AS_GIVEN, routes)
    assert not plan.unassigned
    g = circles_module._group(p, circles)
    found = circles_module._Found({r.caregiver: r for r in plan.routes}, {}, 0, False)
    return g, found


def _again(p: Problem, g, found) -> int:
    staffed = [n for n in g.names if g.cgs_in.get(n)]
    params = replace(PARAMS, time_limit_s=2)
    return circles_module.polish_again(p, g, found, staffed, params, 1, None, Deadline.after(10))


def test_a_circle_with_a_poor_plan_is_solved_again_and_travels_less() -> None:
    p, circles = _district()
    # Both west caregivers cross the line back and forth.
    g, found = _found(p, circles, [["w5", "w0", "w4"], ["w1", "w3", "w2"], ["e1"]])
    before = circles_module._travel(p, list(found.routes.values()))
    assert _again(p, g, found) >= 1
    after = circles_module._travel(p, list(found.routes.values()))
    assert after < before
    plan = Plan(tuple(found.routes[c.id] for c in p.caregivers), ())
    assert validate(p, plan) == []


def _stops(found, cid: str) -> dict[str, int]:
    return {s.visit: s.start for s in found.routes[cid].stops}


def test_a_visit_served_across_circles_stays_where_it_is_while_both_are_solved_again() -> None:
    p, circles = _district()
    # D (east) serves the west visit w2, and the west caregivers cross the line back and
    # forth: the west is solved again around w2, which stays with D at its start.
    g, found = _found(p, circles, [["w5", "w0", "w4"], ["w1", "w3"], ["w2", "e1"]])
    west = [found.routes["A"], found.routes["B"]]
    before = circles_module._travel(p, west)
    lent = _stops(found, "D")["w2"]
    assert _again(p, g, found) >= 1
    assert circles_module._travel(p, [found.routes["A"], found.routes["B"]]) < before
    assert _stops(found, "D")["w2"] == lent
    assert "w2" not in _stops(found, "A") and "w2" not in _stops(found, "B")
    plan = Plan(tuple(found.routes[c.id] for c in p.caregivers), ())
    assert validate(p, plan) == []


def test_a_pair_served_half_in_each_circle_keeps_its_caregivers_and_start() -> None:
    base, circles = _district()
    pair = visit("pw", 4, service=900, caregivers_needed=2)
    p = replace(base, visits=(*base.visits, pair))
    circles = replace(circles, visit_circle={**circles.visit_circle, "pw": "west"})
    g, found = _found(p, circles, [["w5", "pw", "w0", "w4"], ["w1", "w3", "w2"], ["pw", "e1"]])
    start = _stops(found, "A")["pw"]
    assert _again(p, g, found) >= 1
    assert _stops(found, "A")["pw"] == start == _stops(found, "D")["pw"]
    assert "pw" not in _stops(found, "B")
    plan = Plan(tuple(found.routes[c.id] for c in p.caregivers), ())
    assert validate(p, plan) == []


def test_a_visit_kept_where_it_is_served_is_pinned_to_each_caregiver_serving_it() -> None:
    pin = circles_module._pinned_where_served
    single, pair = visit("s", 1), visit("p", 2, caregivers_needed=2)
    assert (pin(single, ["A"]).pinned_caregiver, pin(single, ["A"]).pinned_partner) == ("A", None)
    both = pin(pair, ["A", "B"])
    assert (both.pinned_caregiver, both.pinned_partner) == ("A", "B")
    # Already pinned: the caregiver stays, only the missing partner is added.
    held = pin(replace(pair, pinned_caregiver="B"), ["A", "B"])
    assert (held.pinned_caregiver, held.pinned_partner) == ("B", "A")
    done = replace(pair, pinned_caregiver="B", pinned_partner="A")
    assert pin(done, ["A", "B"]) is done
