"""Exchange: a left-over visit placed by moving a visit of a full route to somebody else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carehub.routing import (
    Break,
    Caregiver,
    Plan,
    Problem,
    Route,
    Stop,
    Unassigned,
    Visit,
    Window,
    validate,
)
from carehub.routing.problem import REASON_CAPACITY, REASON_WINDOW
from carehub.routing.repair.exchange import exchange, why_open
from carehub.routing.repair.replan import insert
from carehub.routing.search import greedy

from .helpers import PLACES, H, caregiver, line, problem, served_by, visit
from .test_property import days


def _route(cid: str, *stops: tuple[str, int], leave: int = 8 * H, back: int = 17 * H) -> Route:
    return Route(cid, leave, tuple(Stop(v, s, s) for v, s in stops), back)


def _men_full_at_ten(helper_gender: str | None) -> tuple[Problem, Plan]:
    """M is the only man, busy 10:00-11:00 with ``x`` (whose elder asks for
    ``helper_gender``); ``v`` asks for a man at the same time; F is free all day."""
    x = visit("x", 2, 10 * H, 10 * H + 1800, service=H, gender=helper_gender)
    v = visit("v", 3, 10 * H, 10 * H + 1800, service=H, gender="M")
    p = problem([x, v], [caregiver("M", gender="M"), caregiver("F", gender="F")])
    # M leaves at 9:50 (two places, 5 minutes each) and is back at 11:10.
    plan = Plan(
        (_route("M", ("x", 10 * H), leave=10 * H - 600, back=11 * H + 600), _route("F")),
        (Unassigned("v", REASON_CAPACITY),),
    )
    assert validate(p, plan) == []
    return p, plan


def test_a_visit_only_a_full_caregiver_may_take_is_left_open_by_insertion() -> None:
    p, plan = _men_full_at_ten(helper_gender=None)
    placed = insert(p, plan, 0, ["v"])
    assert placed.inserted == ()
    assert [u.visit for u in placed.plan.unassigned] == ["v"]


def test_exchange_places_it_by_moving_the_full_caregivers_visit() -> None:
    p, plan = _men_full_at_ten(helper_gender=None)
    done = exchange(p, plan, ["v"])
    assert done.placed == ("v",)
    assert done.moved == ("x",)
    assert served_by(done.plan) == {"v": ["M"], "x": ["F"]}
    assert done.plan.unassigned == ()
    assert validate(p, done.plan) == []


def test_no_exchange_when_the_visit_in_the_way_may_not_move_either() -> None:
    # x's elder asks for a man too: F may take neither, so v stays open, reason kept.
    p, plan = _men_full_at_ten(helper_gender="M")
    done = exchange(p, plan, ["v"])
    assert done.placed == () and done.moved == ()
    assert done.plan.unassigned == (Unassigned("v", REASON_CAPACITY),)
    assert served_by(done.plan) == {"x": ["M"]}
    assert validate(p, done.plan) == []


def _chain_of_two() -> tuple[Problem, Plan]:
    """v asks for a man: only M. M's x needs nursing: only M and N. N is full at that time
    with y, which anybody may take; F is free. v -> M, x -> N, y -> F."""
    x = visit("x", 2, 10 * H, 10 * H + 1800, service=H, skill="nursing")
    y = visit("y", 4, 10 * H, 10 * H + 1800, service=H)
    v = visit("v", 3, 10 * H, 10 * H + 1800, service=H, gender="M")
    nurse = frozenset({"nursing"})
    p = problem(
        [x, y, v],
        [
            caregiver("M", gender="M", skills=nurse),
            caregiver("N", gender="F", skills=nurse),
            caregiver("F", gender="F"),
        ],
    )
    plan = Plan(
        (
            _route("M", ("x", 10 * H), leave=10 * H - 600, back=11 * H + 600),
            _route("N", ("y", 10 * H), leave=10 * H - 1200, back=11 * H + 1200),
            _route("F"),
        ),
        (Unassigned("v", REASON_CAPACITY),),
    )
    assert validate(p, plan) == []
    return p, plan


def test_a_chain_of_one_move_cannot_place_it() -> None:
    p, plan = _chain_of_two()
    done = exchange(p, plan, ["v"], depth=1)
    assert done.placed == ()
    assert [u.visit for u in done.plan.unassigned] == ["v"]


def test_a_chain_of_two_moves_places_it() -> None:
    p, plan = _chain_of_two()
    done = exchange(p, plan, ["v"], depth=2)
    assert done.placed == ("v",)
    assert served_by(done.plan) == {"v": ["M"], "x": ["N"], "y": ["F"]}
    assert validate(p, done.plan) == []


def test_a_pair_in_the_way_keeps_its_caregivers_and_start() -> None:
    # x is a two-caregiver visit of M and F: it does not move, so v stays open.
    x = visit("x", 2, 10 * H, 10 * H + 1800, service=H, caregivers_needed=2)
    v = visit("v", 3, 10 * H, 10 * H + 1800, service=H, gender="M")
    p = problem(
        [x, v],
        [caregiver("M", gender="M"), caregiver("F", gender="F"), caregiver("G", gender="F")],
    )
    plan = Plan(
        (
            _route("M", ("x", 10 * H), leave=10 * H - 600, back=11 * H + 600),
            _route("F", ("x", 10 * H), leave=10 * H - 600, back=11 * H + 600),
            _route("G"),
        ),
        (Unassigned("v", REASON_CAPACITY),),
    )
    assert validate(p, plan) == []
    done = exchange(p, plan, ["v"])
    assert done.placed == ()
    assert sorted(served_by(done.plan)["x"]) == ["F", "M"]


def _bathers_full_at_ten(y_gender: str | None) -> tuple[Problem, Plan]:
    """A and B, the only bathers, are busy 10:00-11:00 with x and y; the bath for two ``v``
    is due then too. F and G bathe nobody but are free all day; y's elder asks for
    ``y_gender``."""
    bathing = frozenset({"bathing"})
    x = visit("x", 2, 10 * H, 10 * H + 1800, service=H)
    y = visit("y", 4, 10 * H, 10 * H + 1800, service=H, gender=y_gender)
    v = visit("v", 3, 10 * H, 10 * H + 1800, service=H, skill="bathing", caregivers_needed=2)
    p = problem(
        [x, y, v],
        [
            caregiver("A", gender="F", skills=bathing),
            caregiver("B", gender="M", skills=bathing),
            caregiver("F", gender="F"),
            caregiver("G", gender="F"),
        ],
    )
    plan = Plan(
        (
            _route("A", ("x", 10 * H), leave=10 * H - 600, back=11 * H + 600),
            _route("B", ("y", 10 * H), leave=10 * H - 1200, back=11 * H + 1200),
            _route("F"),
            _route("G"),
        ),
        (Unassigned("v", REASON_CAPACITY),),
    )
    assert validate(p, plan) == []
    return p, plan


def test_a_bath_for_two_whose_bathers_are_both_busy_is_left_open_by_insertion() -> None:
    p, plan = _bathers_full_at_ten(y_gender=None)
    assert insert(p, plan, 0, ["v"]).inserted == ()


def test_exchange_places_a_bath_for_two_by_moving_a_visit_off_each_bather() -> None:
    p, plan = _bathers_full_at_ten(y_gender=None)
    done = exchange(p, plan, ["v"])
    assert done.placed == ("v",)
    assert done.moved == ("x", "y")
    found = served_by(done.plan)
    assert sorted(found["v"]) == ["A", "B"]
    assert {found["x"][0], found["y"][0]} == {"F", "G"}
    assert done.plan.unassigned == ()
    assert validate(p, done.plan) == []


def test_no_exchange_for_a_bath_for_two_when_one_bather_may_give_up_nothing() -> None:
    # y's elder asks for a man and B is the only one: B cannot be freed, so v stays open
    # and x stays with A.
    p, plan = _bathers_full_at_ten(y_gender="M")
    done = exchange(p, plan, ["v"])
    assert done.placed == () and done.moved == ()
    assert done.plan.unassigned == (Unassigned("v", REASON_CAPACITY),)
    assert served_by(done.plan) == {"x": ["A"], "y": ["B"]}


def _three_bathers(c_busy: bool) -> tuple[Problem, Plan]:
    """Bathers A, B and C start at places 0, 9 and 3; the bath for two ``v`` is at place 3.
    With ``c_busy``, C serves ``z`` at v's time, pinned to her, so she cannot give it up."""
    bathing = frozenset({"bathing"})
    v = visit("v", 3, 10 * H, 10 * H + 1800, service=H, skill="bathing", caregivers_needed=2)
    z = visit("z", 3, 10 * H, 10 * H, service=H, pinned_caregiver="C")
    visits = [v, z] if c_busy else [v]
    p = problem(
        visits,
        [
            caregiver("A", skills=bathing),
            caregiver("B", skills=bathing, start_location=9, end_location=9),
            caregiver("C", skills=bathing, start_location=3, end_location=3),
        ],
    )
    c = _route("C", ("z", 10 * H), leave=10 * H, back=11 * H) if c_busy else _route("C")
    plan = Plan((_route("A"), _route("B"), c), (Unassigned("v", REASON_CAPACITY),))
    assert validate(p, plan) == []
    return p, plan


def test_a_bath_for_two_goes_to_the_two_bathers_it_adds_least_travel_to() -> None:
    # A and C add 30 minutes together; A and B, the first two in the list, 90.
    p, plan = _three_bathers(c_busy=False)
    done = exchange(p, plan, ["v"])
    assert done.placed == ("v",)
    assert sorted(served_by(done.plan)["v"]) == ["A", "C"]
    assert validate(p, done.plan) == []


def test_a_bath_for_two_goes_farther_when_the_nearest_bather_cannot_make_room() -> None:
    p, plan = _three_bathers(c_busy=True)
    done = exchange(p, plan, ["v"])
    assert done.placed == ("v",)
    assert sorted(served_by(done.plan)["v"]) == ["A", "B"]
    assert served_by(done.plan)["z"] == ["C"]
    assert validate(p, done.plan) == []


@st.composite
def crowded_days(draw: st.DrawFn) -> Problem:
    """Short shifts, more visits than they hold, many asking for one gender: days where
    greedy leaves visits over that an exchange can place."""
    caregivers = []
    for k in range(draw(st.integers(2, 4))):
        start = draw(st.integers(8, 10)) * H
        end = start + draw(st.integers(3, 6)) * H
        lunch = Break(12 * H, 13 * H, 1800) if end >= 13 * H and draw(st.booleans()) else None
        caregivers.append(
            Caregiver(
                f"c{k}",
                draw(st.integers(0, PLACES - 1)),
                draw(st.integers(0, PLACES - 1)),
                start,
                end,
                frozenset(draw(st.sets(st.sampled_from(("nursing",))))),
                draw(st.sampled_from(("F", "M"))),
                lunch=lunch,
                mode=draw(st.sampled_from(("ebike", "walk"))),
            )
        )
    visits = []
    for i in range(draw(st.integers(3, 12))):
        opens = draw(st.integers(8 * 4, 14 * 4)) * 900
        visits.append(
            Visit(
                f"v{i}",
                draw(st.integers(0, PLACES - 1)),
                (Window(opens, opens + draw(st.integers(0, 8)) * 900),),
                draw(st.sampled_from((1800, 3600))),
                draw(st.sampled_from((None, None, "nursing"))),
                draw(st.sampled_from((1, 1, 1, 1, 2))),
                gender=draw(st.sampled_from((None, "F", "M"))),
            )
        )
    return Problem(
        tuple(visits), tuple(caregivers), {"ebike": line(300), "walk": line(900)}, line(1000)
    )


# No example database: runs leave nothing behind in the working tree.
@settings(
    max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.one_of(days(), crowded_days()))
def test_exchange_never_breaks_a_plan_nor_places_fewer(p: Problem) -> None:
    plan = greedy.solve(p)
    assert validate(p, plan) == []
    left = [u.visit for u in plan.unassigned]
    done = exchange(p, plan, left)
    assert validate(p, done.plan) == []
    before, after = served_by(plan), served_by(done.plan)
    assert set(before) <= set(after)
    assert len(after) == len(before) + len(done.placed)
    assert {u.visit for u in done.plan.unassigned} == set(left) - set(done.placed)


def test_an_unreachable_visit_keeps_its_reason() -> None:
    # Planted: its window closes before anybody's shift starts.
    p, plan = _men_full_at_ten(helper_gender=None)
    early = visit("early", 3, 5 * H, 6 * H, service=H)
    p = problem([*p.visits, early], list(p.caregivers))
    plan = Plan(plan.routes, (*plan.unassigned, Unassigned("early", REASON_WINDOW)))
    done = exchange(p, plan, ["v", "early"])
    assert done.placed == ("v",)
    assert done.plan.unassigned == (Unassigned("early", REASON_WINDOW),)
    assert validate(p, done.plan) == []


def test_why_open_says_every_man_is_busy_throughout_its_window() -> None:
    p, plan = _men_full_at_ten(helper_gender=None)
    found = why_open(p, plan, "v")
    assert found.able == ("M",) and found.free == ()
    assert "busy throughout" in found.why


def test_why_open_finds_a_gap_when_the_window_reaches_past_the_busy_hour() -> None:
    p, plan = _men_full_at_ten(helper_gender=None)
    late = visit("late", 3, 10 * H, 12 * H, service=H, gender="M")
    p = problem([*p.visits, late], list(p.caregivers))
    plan = Plan(plan.routes, (*plan.unassigned, Unassigned("late", REASON_CAPACITY)))
    found = why_open(p, plan, "late")
    assert found.able == ("M",) and found.free == ("M",)
