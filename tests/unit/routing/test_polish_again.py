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


def _circle_of(found, circles: Circles, vid: str) -> list[str]:
    return [
        circles.caregiver_circle[cid]
        for cid, r in found.routes.items()
        for s in r.stops
        if s.visit == vid
    ]


def test_a_visit_served_across_circles_is_solved_again_with_the_circle_that_lent() -> None:
    p, circles = _district()
    # D (east) serves the west visit w2, and the west caregivers cross the line back and
    # forth: west and east are solved again as one part, where w2 may go to any of the three.
    g, found = _found(p, circles, [["w5", "w0", "w4"], ["w1", "w3"], ["w2", "e1"]])
    before = circles_module._travel(p, list(found.routes.values()))
    assert _again(p, g, found) == 1
    assert circles_module._travel(p, list(found.routes.values())) < before
    # w2 goes home, where the west routes pass it anyway.
    assert _circle_of(found, circles, "w2") == ["west"]
    # w5 (place 7) lies next to D's home (place 8), but was never lent: it stays west.
    for vid in ("w0", "w1", "w3", "w4", "w5"):
        assert _circle_of(found, circles, vid) == ["west"]
    assert _circle_of(found, circles, "e1") == ["east"]
    plan = Plan(tuple(found.routes[c.id] for c in p.caregivers), ())
    assert validate(p, plan) == []


def test_a_pair_served_half_in_each_circle_is_solved_again_with_both_circles() -> None:
    base, circles = _district()
    pair = visit("pw", 4, service=900, caregivers_needed=2)
    p = replace(base, visits=(*base.visits, pair))
    circles = replace(circles, visit_circle={**circles.visit_circle, "pw": "west"})
    g, found = _found(p, circles, [["w5", "pw", "w0", "w4"], ["w1", "w3", "w2"], ["pw", "e1"]])
    before = circles_module._travel(p, list(found.routes.values()))
    assert _again(p, g, found) == 1
    assert circles_module._travel(p, list(found.routes.values())) < before
    starts = {cid: s.start for cid, r in found.routes.items() for s in r.stops if s.visit == "pw"}
    assert len(starts) == 2 and len(set(starts.values())) == 1
    plan = Plan(tuple(found.routes[c.id] for c in p.caregivers), ())
    assert validate(p, plan) == []


def _three_circles():
    base, _ = _district()
    p = replace(
        base,
        caregivers=(
            *base.caregivers,
            caregiver("N", start_location=9, end_location=9),
            caregiver("S", start_location=5, end_location=5),
        ),
    )
    circles = Circles(
        visit_circle={
            **{v.id: "west" for v in p.visits if v.id.startswith("w")},
            "e1": "east",
        },
        caregiver_circle={"A": "west", "B": "west", "D": "east", "N": "north", "S": "south"},
        neighbours={},
    )
    # D serves a west visit and N the east one; nobody serves south or is served by it.
    g, found = _found(p, circles, [["w0", "w1", "w3"], ["w4", "w5"], ["w2"], ["e1"], []])
    return g, found, [n for n in g.names if g.cgs_in.get(n)]


def test_circles_are_grouped_where_one_serves_anothers_visit() -> None:
    g, found, staffed = _three_circles()
    groups = circles_module._lending_groups(g, found, staffed)
    assert [sorted(group) for group in groups] == [["east", "north", "west"]]


def test_a_group_does_not_grow_past_its_visits(monkeypatch) -> None:
    # West holds six visits, east one: joined they would hold seven.
    monkeypatch.setattr(circles_module, "AGAIN_GROUP_VISITS", 6)
    g, found, staffed = _three_circles()
    groups = circles_module._lending_groups(g, found, staffed)
    assert [sorted(group) for group in groups] == [["east", "north"]]


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
