"""Shortfall advice: open visits grouped by station, skill, gender and band, and each
suggestion proven by planning its extra shifts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from carehub.routing import Kitchen, MealRules, Plan, Unassigned, validate
from carehub.routing.circles import Circles, solve_circles
from carehub.routing.repair.shortfall import (
    AdviceParams,
    Depot,
    Group,
    advise,
    band_of,
    extra_caregivers,
    group_open,
    open_visits,
    prove,
    shift_of,
)

from .helpers import PARAMS, H, caregiver, line, problem, visit

TRAVEL = {"ebike": line(300), "walk": line(900)}
DISTANCE = line(1000)
DEPOT = Depot("HP03", 0, "ebike")
# Proof solves stopped by a solution count, so the tests do not hang on the machine's load.
ADVICE = AdviceParams(budget_s=60, solve_cap_s=3, solution_limit=100)


def _tight(vid: str, loc: int, service: int = H, **kw) -> object:
    """A visit that must start by 09:30 (so one caregiver serves one, from up to six places out)."""
    return visit(vid, loc, 9 * H, 9 * H + 1800, service, **kw)


def test_band_is_the_three_hours_its_first_window_opens_in() -> None:
    assert band_of(visit("a", 1, 9 * H + 1800, 16 * H)) == (9 * H, 12 * H)
    assert band_of(visit("b", 1, 12 * H, 13 * H)) == (12 * H, 15 * H)
    assert band_of(visit("c", 1, 12 * H - 1, 13 * H)) == (9 * H, 12 * H)
    assert band_of(visit("d", 1, 7 * H, 8 * H), band_s=2 * H) == (6 * H, 8 * H)


def test_open_visits_are_capacity_and_empty_circles_not_impossible_ones() -> None:
    plan = Plan(
        (),
        (
            Unassigned("a", "capacity"),
            Unassigned("b", "window unreachable"),
            Unassigned("c", "no caregiver in the circle"),
            Unassigned("d", "no caregiver with the skill/gender"),
        ),
    )
    assert open_visits(plan) == ["a", "c"]


def test_a_visit_the_whole_days_staff_could_serve_is_open_whatever_its_label() -> None:
    # A lending solve screens against the lenders only: its "no caregiver with the skill" on a
    # bath the home circle's bather could give is capacity in substance.
    bath = visit("bath", 1, 9 * H, 10 * H, skill="bathing")
    nursing = visit("nurse", 2, 9 * H, 10 * H, skill="nursing")
    dawn = visit("dawn", 2, 5 * H, 5 * H + 600)
    day = problem(
        [bath, nursing, dawn], [caregiver("A", skills=frozenset({"bathing"})), caregiver("B")]
    )
    plan = Plan(
        (),
        (
            Unassigned("bath", "no caregiver with the skill/gender"),
            Unassigned("nurse", "no caregiver with the skill/gender"),
            Unassigned("dawn", "window unreachable"),
        ),
    )
    assert open_visits(plan, day) == ["bath"]
    assert open_visits(plan) == []


def test_groups_split_by_station_skill_and_band_largest_first() -> None:
    visits = [
        visit("b1", 1, 9 * H, 10 * H, skill="bathing"),
        visit("b2", 2, 10 * H, 11 * H, skill="bathing"),
        visit("b4", 4, 13 * H, 14 * H, skill="bathing"),
        visit("m1", 5, 9 * H, 10 * H),
        visit("x1", 6, 9 * H, 10 * H, skill="bathing"),
        visit("p1", 7, 9 * H, 10 * H, skill="bathing", pinned_caregiver="A"),
    ]
    home = {v.id: "HP03" for v in visits} | {"x1": "HP04"}
    groups = group_open(visits, home)
    assert groups[0] == Group("HP03", "bathing", None, 9 * H, 12 * H, ("b1", "b2"))
    assert {(g.station, g.skill, g.gender, g.band_start, g.visits) for g in groups[1:]} == {
        ("HP03", "bathing", None, 12 * H, ("b4",)),
        ("HP03", None, None, 9 * H, ("m1",)),
        ("HP04", "bathing", None, 9 * H, ("x1",)),
    }
    # A pinned visit belongs to its caregiver: no extra shift can take it.
    assert all("p1" not in g.visits for g in groups)


def test_a_gender_asked_for_makes_the_extras_that_gender_and_both_split_the_group() -> None:
    one = [visit("a", 1, gender="female"), visit("b", 2), visit("c", 3, gender="female")]
    (g,) = group_open(one, dict.fromkeys("abc", "HP03"))
    assert (g.gender, g.visits) == ("female", ("a", "b", "c"))
    both = [*one, visit("d", 4, gender="male")]
    groups = group_open(both, dict.fromkeys("abcd", "HP03"))
    assert [(g.gender, g.visits) for g in groups] == [
        ("female", ("a", "b", "c")),
        ("male", ("d",)),
    ]


def test_shift_runs_whole_hours_from_the_earliest_window_to_the_last_return() -> None:
    short = visit("s", 1, 9 * H, 10 * H, 1800)
    long_ = visit("l", 2, 11 * H, 11 * H + 600, 2 * H)
    group = Group("HP03", None, None, 9 * H, 12 * H, ("s", "l"))
    # Started by 10:00, 30 minutes, 5 back: 10:35, so 11:00.
    assert shift_of([short], group, DEPOT, TRAVEL["ebike"]) == (9 * H, 11 * H)
    # Started by 11:10, two hours, 10 minutes back: 13:20, so 14:00.
    assert shift_of([short, long_], group, DEPOT, TRAVEL["ebike"]) == (9 * H, 14 * H)
    # Meals from 11:00: leave 10:55, so from 10:00; a meal started as late as the band allows
    # (12:00), 15 minutes, 5 back: 13:00.
    meal = visit("m", 1, 11 * H, 12 * H + 900, 900)
    assert shift_of([meal], group, DEPOT, TRAVEL["ebike"]) == (10 * H, 13 * H)


def test_extra_caregivers_start_at_the_station_with_the_skill_gender_and_mode() -> None:
    group = Group("HP03", "bathing", "female", 9 * H, 12 * H, ())
    cgs = extra_caregivers(group, Depot("HP03", 4, "walk"), (9 * H, 13 * H), 2)
    assert len({c.id for c in cgs}) == 2
    for c in cgs:
        assert (c.start_location, c.end_location, c.mode) == (4, 4, "walk")
        assert (c.shift_start, c.shift_end) == (9 * H, 13 * H)
        assert c.skills == frozenset({"bathing"}) and c.gender == "female"


def test_proof_places_what_the_extra_caregivers_can_serve_and_no_more() -> None:
    visits = [_tight(f"v{i}", i) for i in range(1, 4)]
    group = Group("HP03", None, None, 9 * H, 12 * H, tuple(v.id for v in visits))
    cgs = extra_caregivers(group, DEPOT, (9 * H, 12 * H), 3)
    solver = replace(PARAMS, polish_share=0.0)
    assert len(prove(visits, cgs[:1], TRAVEL, DISTANCE, solver)) == 1
    assert sorted(prove(visits, cgs, TRAVEL, DISTANCE, solver)) == ["v1", "v2", "v3"]
    # A skill the caregivers lack: nothing placed.
    bath = [replace(v, skill="bathing") for v in visits]
    assert prove(bath, cgs, TRAVEL, DISTANCE, solver) == ()


def test_advice_grows_one_caregiver_at_a_time_while_it_places_more() -> None:
    # Four hour-long visits that each must start by 09:30: four caregivers, no fewer. The
    # workload bound (4 h over a 2 h shift) starts the count at two.
    visits = [_tight(f"v{i}", i) for i in range(1, 5)]
    advice = advise(
        visits, {v.id: "HP03" for v in visits}, {"HP03": DEPOT}, TRAVEL, DISTANCE, ADVICE
    )
    (s,) = advice.suggestions
    assert (s.station, s.caregivers, s.shift_start, s.shift_end) == ("HP03", 4, 9 * H, 11 * H)
    assert sorted(s.placed) == ["v1", "v2", "v3", "v4"] and len(s.open_visits) == 4
    assert s.tried == ((2, 2), (3, 3), (4, 4))


def test_advice_stops_growing_when_one_more_places_nothing_more_and_takes_the_fewest() -> None:
    # Two visits anyone can reach; three that must start at 09:00 sharp at the far end of the
    # line (45 minutes away on foot): no extra walker from the station reaches those.
    near = [visit(f"n{i}", i, 9 * H, 10 * H, 1800) for i in (1, 2)]
    far = [visit(f"f{i}", 9, 9 * H, 9 * H, H) for i in (1, 2, 3)]
    visits = near + far
    depots = {"HP03": Depot("HP03", 0, "walk")}
    advice = advise(visits, {v.id: "HP03" for v in visits}, depots, TRAVEL, DISTANCE, ADVICE)
    (s,) = advice.suggestions
    assert s.caregivers == 1 and sorted(s.placed) == ["n1", "n2"] and len(s.open_visits) == 5
    assert dict(s.tried)[1] == 2 and all(n == 2 for _, n in s.tried)


def test_a_group_no_extra_shift_can_place_is_hopeless_not_a_suggestion() -> None:
    far = [visit("f1", 9, 9 * H, 9 * H, H)]
    depots = {"HP03": Depot("HP03", 0, "walk")}
    advice = advise(far, {"f1": "HP03"}, depots, TRAVEL, DISTANCE, ADVICE)
    assert advice.suggestions == () and [g.visits for g in advice.hopeless] == [("f1",)]


def test_pairs_start_at_two_caregivers() -> None:
    bath = visit("bath", 3, 9 * H, 10 * H, H, skill="bathing", caregivers_needed=2)
    advice = advise([bath], {"bath": "HP03"}, {"HP03": DEPOT}, TRAVEL, DISTANCE, ADVICE)
    (s,) = advice.suggestions
    assert (s.skill, s.caregivers, s.placed) == ("bathing", 2, ("bath",))
    assert s.tried[0] == (2, 1)


def test_no_budget_leaves_every_group_unproven() -> None:
    visits = [_tight("v1", 1), visit("v2", 2, 13 * H, 14 * H)]
    params = replace(ADVICE, budget_s=0)
    advice = advise(visits, {"v1": "HP03", "v2": "HP03"}, {"HP03": DEPOT}, TRAVEL, DISTANCE, params)
    assert advice.suggestions == () and len(advice.unproven) == 2


def test_a_station_without_a_depot_is_unproven() -> None:
    advice = advise([_tight("v1", 1)], {"v1": "HP09"}, {"HP03": DEPOT}, TRAVEL, DISTANCE, ADVICE)
    assert advice.suggestions == () and [g.station for g in advice.unproven] == ["HP09"]


def test_bad_params_are_refused() -> None:
    with pytest.raises(ValueError, match="max_extra"):
        AdviceParams(max_extra=0)
    with pytest.raises(ValueError, match="band_s"):
        AdviceParams(band_s=0)


def test_suggested_shifts_added_to_the_day_place_the_visits_they_promised() -> None:
    # One caregiver of the station and six visits that each must start by 09:30: the day
    # leaves five open. The suggestion's shifts, added as real caregivers and the day planned
    # again, place at least what it promised.
    visits = [_tight(f"v{i}", i) for i in range(1, 7)]
    staff = [caregiver("A", shift_start=8 * H, shift_end=17 * H)]
    day = problem(visits, staff)
    circles = Circles({v.id: "HP03" for v in visits}, {"A": "HP03"}, {"HP03": []})
    before = solve_circles(day, circles, PARAMS, workers=1).plan
    assert validate(day, before) == []
    left = open_visits(before)
    assert len(left) == 5
    advice = advise(
        [day.visit(v) for v in left],
        {v: "HP03" for v in left},
        {"HP03": DEPOT},
        TRAVEL,
        DISTANCE,
        ADVICE,
    )
    (s,) = advice.suggestions
    assert s.caregivers == 5 and len(s.placed) == 5
    group = Group(s.station, s.skill, s.gender, s.shift_start, s.shift_end, s.open_visits)
    extra = extra_caregivers(group, DEPOT, (s.shift_start, s.shift_end), s.caregivers)
    staffed = problem(visits, staff + extra)
    grown = Circles(
        circles.visit_circle, {c.id: "HP03" for c in staffed.caregivers}, circles.neighbours
    )
    after = solve_circles(staffed, grown, PARAMS, workers=1).plan
    assert validate(staffed, after) == []
    served = {st.visit for r in after.routes for st in r.stops}
    assert len(served) >= len(visits) - len(left) + len(s.placed)
    assert len(served & set(s.open_visits)) >= len(s.placed)


def test_open_meals_are_proven_in_rounds_from_their_kitchen() -> None:
    # Eight drops collected at a kitchen five places out, ready at 10:45: without the kitchen
    # in the proof's problem the meals could not be planned at all.
    kitchen = Kitchen("station:HP03", 5, 10 * H + 2700)
    meals = [
        visit(f"m{i}", 1 + i % 4, 11 * H, 12 * H + 1800, 180, skill="meals", kitchen=kitchen.id)
        for i in range(8)
    ]
    advice = advise(
        meals,
        {v.id: "HP03" for v in meals},
        {"HP03": DEPOT},
        TRAVEL,
        DISTANCE,
        ADVICE,
        kitchens=[kitchen],
        meals=MealRules(box={"ebike": 12, "walk": 6}),
    )
    (s,) = advice.suggestions
    assert sorted(s.placed) == sorted(v.id for v in meals)
    assert s.caregivers >= 1 and s.skill == "meals"


def test_a_meal_without_its_kitchen_proves_nothing_rather_than_guessing() -> None:
    meal = visit("m", 1, 11 * H, 12 * H + 1800, 180, kitchen="station:HP03")
    with pytest.raises(ValueError, match="kitchen"):
        prove([meal], [caregiver("x")], TRAVEL, DISTANCE, PARAMS)
