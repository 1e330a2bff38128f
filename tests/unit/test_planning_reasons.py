"""A planning run names a missing skill as such, not as a lack of room."""

from __future__ import annotations

from carehub.dispatch.planning.services import _reason
from carehub.routing import Unassigned
from carehub.routing.problem import REASON_CAPACITY, REASON_NO_CAREGIVER
from tests.unit.routing.helpers import caregiver, problem, visit


def test_capacity_for_a_visit_nobody_has_the_skill_for_becomes_no_caregiver() -> None:
    day = problem([visit("v1", 1, skill="bathing")], [caregiver("c1", skills=frozenset({"meal"}))])
    assert _reason(day, Unassigned("v1", REASON_CAPACITY)) == REASON_NO_CAREGIVER


def test_capacity_stays_when_someone_could_take_it() -> None:
    day = problem(
        [visit("v1", 1, skill="bathing")], [caregiver("c1", skills=frozenset({"bathing"}))]
    )
    assert _reason(day, Unassigned("v1", REASON_CAPACITY)) == REASON_CAPACITY
