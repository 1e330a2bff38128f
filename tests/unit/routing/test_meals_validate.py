"""Meal rounds: each rule of validate() broken once and kept once."""

from __future__ import annotations

from dataclasses import replace

import pytest

from carehub.routing import Collection, Kitchen, MealRules, Plan, Unassigned, validate

from .helpers import H, caregiver, visit
from .meals import KITCHEN, READY, RULES, meal, meal_problem, timed

A = caregiver("A")
M = [meal("m1", 3), meal("m2", 4), meal("m3", 5), meal("m4", 6)]


def kinds(p, plan) -> set[str]:
    return {v.kind for v in validate(p, plan)}


def test_a_round_of_two_is_valid() -> None:
    p = meal_problem(M[:2], [A])
    plan = Plan((timed(p, "A", [("m1", "m2"), "m1", "m2"]),))
    assert validate(p, plan) == []


def test_capacity_box_exceeded_and_kept() -> None:
    p = meal_problem(M, [A])
    over = Plan((timed(p, "A", [("m1", "m2", "m3", "m4"), "m1", "m2", "m3", "m4"]),))
    assert "capacity" in kinds(p, over)
    three = meal_problem(M[:3], [A])
    ok = Plan((timed(three, "A", [("m1", "m2", "m3"), "m1", "m2", "m3"]),))
    assert validate(three, ok) == []


def test_reload_before_exceeding_the_box() -> None:
    p = meal_problem(M, [A], rules=replace(RULES, max_ride=3600))
    reload = Plan((timed(p, "A", [("m1", "m2", "m3"), "m1", "m2", "m3", ("m4",), "m4"]),))
    assert validate(p, reload) == []
    # The second batch loaded before the first is dropped: four on board.
    early = Plan((timed(p, "A", [("m1", "m2", "m3"), ("m4",), "m1", "m2", "m3", "m4"]),))
    assert kinds(p, early) == {"capacity"}


def test_ride_time_hot_food() -> None:
    far = [meal("m1", 3), meal("m2", 9, 11 * H, 13 * H)]
    p = meal_problem(far, [A], rules=replace(RULES, max_ride=1500))
    # m2 lies 8 places (2,400 s) from the kitchen: too far for 1,500 s after m1.
    slow = Plan((timed(p, "A", [("m1", "m2"), "m1", "m2"]),))
    assert kinds(p, slow) == {"ride"}
    p2 = meal_problem(far, [A], rules=replace(RULES, max_ride=3600))
    assert validate(p2, Plan((timed(p2, "A", [("m1", "m2"), "m1", "m2"]),))) == []


def test_drop_inside_the_window() -> None:
    late = [meal("m1", 3, 11 * H, 11 * H + 600)]
    p = meal_problem(late, [A])
    ok = Plan((timed(p, "A", [("m1",), "m1"]),))
    assert validate(p, ok) == []
    hold = Plan((timed(p, "A", [("m1",), "m1"], hold={1: 11 * H + 900}),))
    assert kinds(p, hold) == {"window"}


def test_collection_not_before_the_kitchen_is_ready() -> None:
    p = meal_problem(M[:1], [A])
    ok = timed(p, "A", [("m1",), "m1"])
    assert ok.collections[0].start == READY
    col = replace(ok.collections[0], arrival=READY - 60, start=READY - 60)
    early = replace(ok, departure=ok.departure - 60, collections=(col,))
    assert kinds(p, Plan((early,))) == {"collect"}


def test_timing_through_the_kitchen() -> None:
    p = meal_problem([meal("m1", 3, 10 * H + 1800)], [A])
    ok = timed(p, "A", [("m1",), "m1"])
    assert ok.stops[0].start == READY + 120 + 600
    # Leaving the kitchen at READY + load, m1 two places on cannot start a second sooner.
    rushed = replace(ok, stops=(replace(ok.stops[0], start=READY + 719, arrival=READY + 719),))
    assert kinds(p, Plan((rushed,))) == {"timing"}
    assert validate(p, Plan((ok,))) == []


def test_every_drop_collected_exactly_once_on_its_route() -> None:
    p = meal_problem(M[:2], [A])
    ok = timed(p, "A", [("m1", "m2"), "m1", "m2"])
    missing = replace(ok, collections=(replace(ok.collections[0], meals=("m1",)),))
    assert kinds(p, Plan((missing,))) == {"collect"}
    twice = replace(ok, collections=(*ok.collections, Collection("K", 1, READY, READY, ("m2",))))
    assert "collect" in kinds(p, Plan((twice,)))
    after = replace(ok, collections=(replace(ok.collections[0], before=1),))
    assert "collect" in kinds(p, Plan((after,)))


def test_a_collection_at_another_kitchen_is_not_a_collection() -> None:
    other = Kitchen("L", 1, READY)
    p = meal_problem(M[:1], [A], kitchens=(KITCHEN, other))
    ok = timed(p, "A", [("m1",), "m1"])
    wrong = replace(ok, collections=(replace(ok.collections[0], kitchen="L"),))
    assert kinds(p, Plan((wrong,))) == {"collect"}


def test_rounds_mix_with_other_visits_and_reloads() -> None:
    p = meal_problem([*M[:2], visit("v", 2, 8 * H, 17 * H, service=1800)], [A])
    plan = Plan((timed(p, "A", [("m1",), "m1", "v", ("m2",), "m2"]),))
    assert validate(p, plan) == []


def test_unassigned_meal_is_covered() -> None:
    p = meal_problem(M[:1], [A])
    assert validate(p, Plan((timed(p, "A", []),), (Unassigned("m1", "capacity"),))) == []


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: meal_problem([meal("m1", 3)], [A], kitchens=()), "kitchen 'K'"),
        (lambda: meal_problem([meal("m1", 3)], [A], rules=MealRules(box={"walk": 6})), "meals.box"),
        (lambda: meal_problem([], [A], kitchens=(KITCHEN, KITCHEN)), "kitchens"),
        (lambda: meal_problem([], [A], kitchens=(Kitchen("K", 99, READY),)), "kitchen 'K'"),
        (lambda: MealRules(box={"ebike": -1}), "meals.box"),
        (lambda: MealRules(box={"ebike": 1}, max_ride=-1), "meals.max_ride"),
        (lambda: Kitchen("K", 1, -5), "kitchen 'K'"),
        (lambda: meal("m1", 3, caregivers_needed=2), "one caregiver"),
        (lambda: Collection("K", 0, 10, 5, ("m1",)), "start before arrival"),
        (lambda: Collection("K", 0, 10, 10, ()), "meals"),
    ],
)
def test_constructors_name_the_field(build, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        build()


def test_a_problem_without_meals_needs_no_box_for_its_modes() -> None:
    p = meal_problem([visit("v", 2)], [caregiver("A", mode="ebike")], rules=MealRules(box={}))
    assert p.meals.box == {}
