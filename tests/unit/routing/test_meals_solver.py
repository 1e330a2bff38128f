"""Meal rounds planned: by the solver, the greedy plan, the screen, parts and re-planning."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carehub.routing import (
    Break,
    Caregiver,
    Kitchen,
    MealRules,
    Plan,
    Problem,
    SolverParams,
    Visit,
    Window,
    solve,
    validate,
)
from carehub.routing.circles import Circles, solve_circles
from carehub.routing.problem import REASON_WINDOW
from carehub.routing.repair.replan import insert
from carehub.routing.rounds import pickup_token, with_pickups
from carehub.routing.screen import screen
from carehub.routing.search import greedy
from carehub.routing.subproblem import subproblem

from .helpers import PLACES, H, caregiver, line, visit
from .meals import READY, meal, meal_problem, timed

FAST = SolverParams(time_limit_s=10, solution_limit=30)


def rides(p: Problem, plan: Plan) -> list[int]:
    """Seconds from leaving the kitchen to each drop's start."""
    out = []
    for r in plan.routes:
        starts = {s.visit: s.start for s in r.stops}
        for c in r.collections:
            out.extend(starts[m] - (c.start + p.meals.load) for m in c.meals)
    return out


def day_of_meals(n: int, caregivers: list[Caregiver], box: dict[str, int]) -> Problem:
    # Meals around the kitchen (place 1): two to five places out, windows 11:00-13:00.
    meals = [meal(f"m{i:02d}", 2 + i % 4, 11 * H, 13 * H) for i in range(n)]
    return meal_problem(meals, caregivers, rules=MealRules(box=box, max_ride=2400, load=120))


def test_thirty_meals_from_one_kitchen_on_two_ebikes() -> None:
    p = day_of_meals(30, [caregiver("A"), caregiver("B")], {"ebike": 12, "walk": 6})
    plan = solve(p, FAST)
    assert validate(p, plan) == []
    assert plan.unassigned == ()
    collections = [c for r in plan.routes for c in r.collections]
    assert len(collections) >= 3
    assert max(len(c.meals) for c in collections) <= 12
    assert max(rides(p, plan)) <= 40 * 60
    assert sorted(m for c in collections for m in c.meals) == sorted(v.id for v in p.visits)


def test_a_walkers_box_of_six_forces_reloads() -> None:
    # Next door to the kitchen or one place on: 15 minutes on foot.
    meals = [meal(f"m{i}", 1 + i % 2, 11 * H, 13 * H) for i in range(10)]
    p = meal_problem(meals, [caregiver("W", mode="walk")], rules=MealRules(box={"walk": 6}))
    plan = solve(p, FAST)
    assert validate(p, plan) == []
    assert plan.unassigned == ()
    (route,) = plan.routes
    assert len(route.collections) >= 2
    assert all(len(c.meals) <= 6 for c in route.collections)


def test_rounds_mix_with_other_visits_and_lunch() -> None:
    lunch = Break(11 * H, 14 * H, 1800)
    others = [visit("v1", 4, 9 * H, 10 * H), visit("v2", 7, 14 * H, 15 * H)]
    p = day_of_meals(8, [caregiver("A", lunch=lunch)], {"ebike": 4, "walk": 2})
    p = replace(p, visits=p.visits + tuple(others))
    plan = solve(p, FAST)
    assert validate(p, plan) == []
    assert plan.unassigned == ()
    (route,) = plan.routes
    assert len(route.collections) >= 2
    assert route.break_start is not None
    start = greedy.solve(p)
    assert validate(p, start) == []
    assert len(start.routes[0].collections) >= 2


def test_greedy_plan_builds_rounds_within_the_box() -> None:
    meals = [meal(f"m{i}", 2 + i % 4, 11 * H, 14 * H) for i in range(9)]
    p = meal_problem(meals, [caregiver("A")])
    plan = greedy.solve(p)
    assert validate(p, plan) == []
    assert plan.unassigned == ()
    assert len(plan.routes[0].collections) >= 3


def test_no_meal_before_the_kitchen_is_ready() -> None:
    early = [meal(f"m{i}", 3, 9 * H, 13 * H) for i in range(3)]
    p = meal_problem(early, [caregiver("A")])
    plan = solve(p, FAST)
    assert validate(p, plan) == []
    assert min(c.start for r in plan.routes for c in r.collections) >= READY


def test_screen_a_meal_too_far_from_its_kitchen_for_hot_food() -> None:
    # Place 9 is 8 places (2,400 s by e-bike) from the kitchen at 1: over a 1,800 s ride.
    p = meal_problem([meal("far", 9), meal("near", 3)], [caregiver("A")])
    screened = screen(p)
    assert screened.rejected == {"far": REASON_WINDOW}
    assert "near" in screened.candidates
    plan = solve(p, FAST)
    assert validate(p, plan) == []
    assert [(u.visit, u.reason) for u in plan.unassigned] == [("far", REASON_WINDOW)]


def test_a_mode_without_a_box_carries_no_meals() -> None:
    p = meal_problem(
        [meal("m", 3)],
        [caregiver("W", mode="walk")],
        rules=MealRules(box={"ebike": 12, "walk": 0}),
    )
    plan = solve(p, FAST)
    assert validate(p, plan) == []
    assert [u.visit for u in plan.unassigned] == ["m"]


def test_subproblem_carries_its_kitchens() -> None:
    p = meal_problem([meal("m", 3), visit("v", 6)], [caregiver("A"), caregiver("B")])
    part = subproblem(p, [p.visit("m")], [p.caregiver("A")])
    assert [k.id for k in part.kitchens] == ["K"]
    assert part.meals == p.meals
    plan = solve(part, FAST)
    assert validate(part, plan) == []
    assert plan.routes[0].collections
    none = subproblem(p, [p.visit("v")], [p.caregiver("B")])
    assert none.kitchens == ()


def _two_meals_then(new: Visit, box: int, end: int = 12 * H + 1800) -> tuple[Problem, Plan]:
    """Two meals (windows 11:00 to ``end``) published as one round leaving at 10:47, with
    ``new`` and a late visit to add."""
    p = meal_problem(
        [meal("m1", 3, end=end), meal("m2", 4, end=end), visit("late", 6, 14 * H, 15 * H), new],
        [caregiver("A")],
        rules=MealRules(box={"ebike": box, "walk": 2}, max_ride=1800, load=120),
    )
    first = replace(p, visits=tuple(v for v in p.visits if v.id not in {"late", "new"}))
    published = Plan((timed(first, "A", [("m1", "m2"), "m1", "m2"]),))
    assert validate(first, published) == []
    return p, published


def test_replan_adds_a_new_meal_to_a_round_to_come_when_the_box_has_room() -> None:
    p, published = _two_meals_then(meal("new", 3), box=3)
    again = insert(p, published, 9 * H, ["late", "new"])
    assert sorted(again.inserted) == ["late", "new"]
    assert validate(p, again.plan) == []
    (route,) = again.plan.routes
    assert [sorted(c.meals) for c in route.collections] == [["m1", "m2", "new"]]


def test_replan_adds_a_new_meal_as_a_round_of_its_own_when_the_box_is_full() -> None:
    p, published = _two_meals_then(meal("new", 3), box=2)
    again = insert(p, published, 9 * H, ["late", "new"])
    assert sorted(again.inserted) == ["late", "new"]
    assert validate(p, again.plan) == []
    (route,) = again.plan.routes
    assert sorted(c.meals for c in route.collections) == [("m1", "m2"), ("new",)]


def test_replan_adds_a_new_meal_as_a_round_of_its_own_when_the_round_would_go_cold() -> None:
    # The round's doors close at 11:30; the new meal's opens at 12:15, more than the
    # 30-minute ride after any departure the round's own drops allow.
    p, published = _two_meals_then(meal("new", 3, 12 * H + 900, 13 * H), box=3, end=11 * H + 1800)
    again = insert(p, published, 9 * H, ["late", "new"])
    assert sorted(again.inserted) == ["late", "new"]
    assert validate(p, again.plan) == []
    (route,) = again.plan.routes
    assert [c.meals for c in route.collections] == [("m1", "m2"), ("new",)]


def test_replan_holds_a_new_round_at_the_kitchen_until_the_meal_stays_hot() -> None:
    # Ready at 10:45, the door opens at 12:00: leaving at once would arrive cold.
    p = meal_problem([meal("late", 3, 12 * H, 12 * H + 1800)], [caregiver("A")])
    empty = Plan((timed(p, "A", []),))
    again = insert(p, empty, 9 * H, ["late"])
    assert again.inserted == ("late",)
    assert validate(p, again.plan) == []
    (col,) = again.plan.routes[0].collections
    assert col.start >= 12 * H - p.meals.max_ride - p.meals.load


def test_replan_leaves_out_a_new_meal_nobody_can_carry() -> None:
    p = meal_problem(
        [meal("m", 3)], [caregiver("W", mode="walk")], rules=MealRules(box={"walk": 0})
    )
    again = insert(p, Plan((timed(p, "W", []),)), 9 * H, ["m"])
    assert again.inserted == ()
    assert [u.visit for u in again.plan.unassigned] == ["m"]


@st.composite
def meal_days(draw: st.DrawFn) -> Problem:
    kitchens = tuple(
        Kitchen(f"K{i}", draw(st.integers(0, PLACES - 1)), draw(st.integers(40, 46)) * 900)
        for i in range(draw(st.integers(1, 2)))
    )
    caregivers = []
    for k in range(draw(st.integers(1, 3))):
        start = draw(st.integers(7, 10)) * H
        end = start + draw(st.integers(5, 9)) * H
        lunch = Break(11 * H, 14 * H, 1800) if start <= 11 * H <= 14 * H <= end else None
        caregivers.append(
            Caregiver(
                f"c{k}",
                draw(st.integers(0, PLACES - 1)),
                draw(st.integers(0, PLACES - 1)),
                start,
                end,
                lunch=lunch,
                mode=draw(st.sampled_from(("ebike", "walk"))),
                max_work=draw(st.sampled_from((None, 6 * H))),
            )
        )
    visits = []
    for i in range(draw(st.integers(1, 8))):
        opens = draw(st.integers(42, 50)) * 900
        visits.append(
            Visit(
                f"m{i}",
                draw(st.integers(0, PLACES - 1)),
                (Window(opens, opens + draw(st.integers(1, 8)) * 900),),
                180,
                priority=draw(st.integers(1, 4)),
                pinned_caregiver=draw(st.sampled_from((None, None, None, "c0"))),
                kitchen=draw(st.sampled_from([k.id for k in kitchens])),
            )
        )
    for i in range(draw(st.integers(0, 4))):
        opens = draw(st.integers(8 * 4, 16 * 4)) * 900
        visits.append(
            Visit(
                f"v{i}",
                draw(st.integers(0, PLACES - 1)),
                (Window(opens, opens + draw(st.integers(0, 8)) * 900),),
                draw(st.sampled_from((900, 1800))),
                caregivers_needed=draw(st.sampled_from((1, 1, 2))),
            )
        )
    rules = MealRules(
        box={"ebike": draw(st.integers(1, 4)), "walk": draw(st.integers(1, 3))},
        max_ride=draw(st.sampled_from((1200, 2400))),
        load=draw(st.sampled_from((0, 120, 300))),
    )
    return Problem(
        tuple(visits),
        tuple(caregivers),
        {"ebike": line(300), "walk": line(900)},
        line(1000),
        kitchens=kitchens,
        meals=rules,
    )


@settings(
    max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(meal_days())
def test_plans_with_meal_rounds_are_valid(p: Problem) -> None:
    for plan in (solve(p, FAST), greedy.solve(p)):
        assert validate(p, plan) == []
        assert all(u.reason for u in plan.unassigned)


# With the default settings (no solution limit) a solve runs to its time limit: a few only.
@settings(
    max_examples=5, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(meal_days())
def test_default_plans_with_meal_rounds_are_valid(p: Problem) -> None:
    plan = solve(p, SolverParams(time_limit_s=1.0))
    assert validate(p, plan) == []


def test_a_neighbouring_circle_lends_a_caregiver_for_meals() -> None:
    # West's only caregiver walks with a box of one; its three meals are due by 11:20, so
    # east's e-bike collects those it cannot carry at west's kitchen.
    due = [meal(f"m{i}", 2 + i // 2, 11 * H, 11 * H + 1200) for i in range(3)]
    p = meal_problem(
        [*due, visit("b1", 8, 14 * H, 15 * H)],
        [caregiver("W", mode="walk", start_location=1), caregiver("E", start_location=8)],
        rules=MealRules(box={"ebike": 12, "walk": 1}, max_ride=1800),
    )
    circles = Circles(
        visit_circle={"m0": "west", "m1": "west", "m2": "west", "b1": "east"},
        caregiver_circle={"W": "west", "E": "east"},
        neighbours={"west": ["east"], "east": ["west"]},
    )
    result = solve_circles(p, circles, FAST, workers=1)
    assert validate(p, result.plan) == []
    assert result.plan.unassigned == ()
    east = next(r for r in result.plan.routes if r.caregiver == "E")
    # Placed by the insertion after the circles, each as a round of its own.
    assert {c.kitchen for c in east.collections} == {"K"}
    assert {(m, "E") for c in east.collections for m in c.meals} <= result.lent


def test_a_seed_of_drops_alone_gets_its_collections() -> None:
    # Routes given as visit ids only (no pickup tokens): each run of drops from one kitchen
    # is collected in batches of at most a box before its first drop.
    p = meal_problem([meal(f"m{i}", 3 + i % 2) for i in range(5)], [caregiver("A")])
    seed = [[f"m{i}" for i in range(5)]]
    assert with_pickups(p, seed[0], 3) == [
        *(pickup_token(f"m{i}") for i in range(3)),
        "m0",
        "m1",
        "m2",
        pickup_token("m3"),
        pickup_token("m4"),
        "m3",
        "m4",
    ]
    plan = solve(p, FAST, initial_routes=seed)
    assert validate(p, plan) == []
    assert plan.unassigned == ()


def test_replan_puts_an_urgent_visit_before_a_round_to_come_and_keeps_it_hot() -> None:
    p = meal_problem(
        [meal("m1", 3), meal("m2", 4), visit("sos", 2, 10 * H, 11 * H, service=1800, priority=1)],
        [caregiver("A")],
    )
    first = replace(p, visits=p.visits[:2])
    published = solve(first, FAST)
    (before,) = published.routes
    again = insert(p, published, 9 * H, ["sos"])
    assert again.inserted == ("sos",)
    assert validate(p, again.plan) == []
    (route,) = again.plan.routes
    assert route.stops[0].visit == "sos"
    assert [c.meals for c in route.collections] == [c.meals for c in before.collections]
    assert all(m.visit in {"m1", "m2"} for m in again.moves)


def test_replan_keeps_a_round_under_way_as_published() -> None:
    p = meal_problem(
        [meal("m1", 3), meal("m2", 4), visit("new", 2, 8 * H, 17 * H, service=600)],
        [caregiver("A")],
    )
    first = replace(p, visits=p.visits[:2])
    published = solve(first, FAST)
    (before,) = published.routes
    # Loading has begun: the drops keep their published starts, the new visit comes after.
    now = before.collections[0].start + 1
    again = insert(p, published, now, ["new"])
    assert validate(p, again.plan) == []
    (route,) = again.plan.routes
    assert route.stops[: len(before.stops)] == before.stops
    assert route.collections == before.collections


@settings(
    max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(meal_days(), st.integers(0, 3), st.integers(7 * 4, 14 * 4))
def test_replanned_days_with_meal_rounds_are_valid(p: Problem, new: int, quarter: int) -> None:
    # The last ``new`` visits arrive after the plan is published, at ``quarter`` * 15 min.
    cut = max(1, len(p.visits) - new)
    first = replace(p, visits=p.visits[:cut])
    published = solve(first, FAST)
    again = insert(p, published, quarter * 900, [v.id for v in p.visits[cut:]])
    assert validate(p, again.plan) == []
