"""Circles: a pair pinned to caregivers of two circles is planned with both of them."""

from __future__ import annotations

from carehub.routing import validate
from carehub.routing.circles import Circles, solve_circles

from .helpers import PARAMS, H, caregiver, problem, served_by, start_of, visit


def test_pair_pinned_across_circles_joins_them() -> None:
    lift = visit(
        "lift", 5, 10 * H, 11 * H, caregivers_needed=2, pinned_caregiver="A", pinned_partner="D"
    )
    p = problem(
        [lift, visit("a1", 1), visit("b1", 8)],
        [
            caregiver("A"),
            caregiver("B", start_location=1),
            caregiver("C", start_location=9),
            caregiver("D", start_location=8),
        ],
    )
    circles = Circles(
        visit_circle={"lift": "west", "a1": "west", "b1": "east"},
        caregiver_circle={"A": "west", "B": "west", "C": "east", "D": "east"},
        neighbours={"west": ["east"], "east": ["west"]},
    )
    result = solve_circles(p, circles, PARAMS, workers=1)
    assert validate(p, result.plan) == []
    assert sorted(served_by(result.plan)["lift"]) == ["A", "D"]
    assert len(set(start_of(result.plan, "lift"))) == 1
    assert not result.plan.unassigned
