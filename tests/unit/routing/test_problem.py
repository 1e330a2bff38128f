"""Inputs are checked on construction, with the offending field named."""

from __future__ import annotations

import pytest

from carehub.routing import Break, SolverParams, Visit, Window

from .helpers import H, caregiver, problem, visit


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Visit("v", 1, (), 60), "windows"),
        (lambda: visit("v", 1, caregivers_needed=3), "caregivers_needed"),
        (lambda: visit("v", 1, priority=5), "priority"),
        (lambda: visit("v", 1, service=-1), "service"),
        (lambda: visit("v", 1, 9 * H, 10 * H, pinned_time=11 * H), "pinned_time"),
        (lambda: Visit("v", 1, (Window(9 * H, 10 * H), Window(10 * H, 11 * H)), 60), "windows"),
        (lambda: Window(10, 5), "window"),
        (lambda: caregiver("A", shift_start=10 * H, shift_end=9 * H), "shift"),
        (lambda: caregiver("A", lunch=Break(7 * H, 8 * H + 1800, 1800)), "lunch"),
        (lambda: problem([visit("v", 99)], [caregiver("A")]), "location"),
        (lambda: problem([visit("v", 1)], [caregiver("A", mode="car")]), "mode"),
        (
            lambda: problem([visit("v", 1, preferred_caregiver="Z")], [caregiver("A")]),
            "preferred_caregiver",
        ),
        (lambda: problem([visit("v", 1), visit("v", 2)], [caregiver("A")]), "visits"),
        (lambda: problem([], []), "caregivers"),
        (lambda: SolverParams(drop_penalty={1: 5}), "drop_penalty"),
    ],
)
def test_bad_input_names_the_field(build, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        build()
