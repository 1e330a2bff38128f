"""The greedy start builds meal rounds whole: each kitchen's meals batched into rounds
within the box and the hot-food ride, each round given to a caregiver free at its time."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carehub.routing import (
    Caregiver,
    Kitchen,
    MealRules,
    Problem,
    SolverParams,
    Visit,
    Window,
    validate,
)
from carehub.routing.circles import _gains
from carehub.routing.problem import Plan, Route, Stop
from carehub.routing.search import greedy
from carehub.routing.search.greedy import _gather, _round_ride

from .helpers import H, caregiver, problem, visit
from .meals import meal, meal_problem

READY = 10 * H + 45 * 60


def grid_day(seed: int, meals: int = 48, caregivers: int = 5) -> Problem:
    """Two kitchens on a grid, each with its meals within four blocks of it (a minute a block
    by e-bike, three on foot), doors open 11:00 or 11:30 to 12:30; two walkers (box 6) and
    the rest on e-bikes (box 12)."""
    rnd = random.Random(seed)
    points = [(0, 0)] + [(rnd.randint(-10, 10), rnd.randint(-10, 10)) for _ in range(2)]
    visits = []
    for i in range(meals):
        kx, ky = points[1 + i % 2]
        points.append((kx + rnd.randint(-4, 4), ky + rnd.randint(-4, 4)))
        opens = rnd.choice([11 * H, 11 * H, 11 * H + 1800])
        visits.append(
            Visit(
                f"m{i:03d}",
                len(points) - 1,
                (Window(opens, 12 * H + 1800),),
                180,
                priority=2,
                kitchen=f"K{i % 2}",
            )
        )

    def grid(per_block: int) -> tuple[tuple[int, ...], ...]:
        return tuple(
            tuple(per_block * (abs(a[0] - b[0]) + abs(a[1] - b[1])) for b in points) for a in points
        )

    cgs = [
        Caregiver(f"c{j}", 0, 0, 8 * H, 17 * H, mode="walk" if j < 2 else "ebike")
        for j in range(caregivers)
    ]
    return Problem(
        tuple(visits),
        tuple(cgs),
        {"ebike": grid(60), "walk": grid(180)},
        grid(200),
        kitchens=(Kitchen("K0", 1, READY), Kitchen("K1", 2, READY)),
        meals=MealRules(box={"ebike": 12, "walk": 6}, max_ride=2400, load=120),
    )


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_greedy_start_alone_places_every_meal_in_several_rounds_per_kitchen(
    seed: int,
) -> None:
    # Cheapest insertion meal by meal left 7-20 of these 48 meals open.
    p = grid_day(seed)
    plan = greedy.solve(p)
    assert validate(p, plan) == []
    assert plan.unassigned == ()
    rounds: dict[str, int] = {}
    for r in plan.routes:
        for c in r.collections:
            rounds[c.kitchen] = rounds.get(c.kitchen, 0) + 1
    assert min(rounds.values()) >= 2


def test_a_round_fits_the_box_in_one_collection() -> None:
    meals = [meal(f"m{i}", 2, 11 * H, 13 * H) for i in range(3)]
    p = meal_problem(meals, [caregiver("A")])
    (route,) = greedy.solve(p).routes
    assert [len(c.meals) for c in route.collections] == [3]


def test_a_round_over_the_box_is_split() -> None:
    meals = [meal(f"m{i}", 2, 11 * H, 13 * H) for i in range(4)]
    p = meal_problem(meals, [caregiver("A")])
    plan = greedy.solve(p)
    assert validate(p, plan) == []
    assert sorted(len(c.meals) for c in plan.routes[0].collections) == [1, 3]


def test_a_round_too_long_for_the_ride_is_split() -> None:
    # Kitchen at 1; drops at 2..5 on an e-bike (5 min a step, 3-min drops): the last of four
    # starts 29 min after leaving, over a 25-minute ride.
    meals = [meal(f"m{i}", 2 + i, 11 * H, 13 * H) for i in range(4)]
    short = MealRules(box={"ebike": 6, "walk": 2}, max_ride=1500, load=120)
    p = meal_problem(meals, [caregiver("A")], rules=short)
    plan = greedy.solve(p)
    assert validate(p, plan) == []
    assert plan.unassigned == ()
    assert len(plan.routes[0].collections) >= 2


def test_a_round_within_the_ride_stays_whole() -> None:
    meals = [meal(f"m{i}", 2 + i, 11 * H, 13 * H) for i in range(4)]
    long = MealRules(box={"ebike": 6, "walk": 2}, max_ride=1800, load=120)
    p = meal_problem(meals, [caregiver("A")], rules=long)
    plan = greedy.solve(p)
    assert validate(p, plan) == []
    assert [len(c.meals) for c in plan.routes[0].collections] == [4]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 9), min_size=1, max_size=14),
    st.integers(1, 12),
    st.integers(0, 3600),
)
def test_a_gathered_round_holds_the_box_and_the_ride(
    places: list[int], size: int, max_ride: int
) -> None:
    p = meal_problem([meal(f"m{i}", x) for i, x in enumerate(places)], [caregiver("A")])
    travel = p.travel["ebike"]
    group = _gather(travel, 1, list(p.visits), size, max_ride)
    assert 1 <= len(group) <= size
    assert len({m.id for m in group}) == len(group)
    if len(group) > 1:
        drops = greedy._drop_order(travel, 1, group)
        assert _round_ride(travel, 1, drops) <= max_ride


def _route(cid: str, visits: list[str]) -> Route:
    return Route(cid, 8 * H, tuple(Stop(v, 9 * H, 9 * H) for v in visits), 10 * H)


def _lending(priorities: dict[str, int], held: list[str], after: list[str]) -> bool:
    p = problem([visit(v, 2, priority=pr) for v, pr in priorities.items()], [caregiver("A")])
    plan = Plan((_route("A", after),))
    return _gains(p, SolverParams(), plan, {"A": _route("A", held)}, set(after))


def test_a_lending_plan_that_drops_a_held_visit_for_nothing_more_is_not_taken() -> None:
    assert not _lending({"a1": 3, "a2": 3, "x": 3}, ["a1", "a2"], ["a1"])


def test_a_lending_plan_that_drops_a_health_visit_for_a_cleaning_is_not_taken() -> None:
    assert not _lending({"a1": 3, "a2": 2, "x": 4}, ["a1", "a2"], ["a1", "x"])


def test_a_lending_plan_that_keeps_every_held_visit_is_taken() -> None:
    assert _lending({"a1": 3, "a2": 3, "x": 3}, ["a1", "a2"], ["a2", "x", "a1"])


def test_a_lending_plan_that_places_more_than_it_drops_is_taken() -> None:
    assert _lending({"a1": 4, "a2": 4, "x": 4, "y": 4}, ["a1", "a2"], ["a1", "x", "y"])
