"""Inserting requests and emergencies into published routes during the day."""

from __future__ import annotations

from carehub.routing import Break, Plan, validate
from carehub.routing.repair.replan import Position, insert
from tests.unit.routing.helpers import H, caregiver, problem, served_by, solve_valid, visit


def _base() -> list:
    return [
        visit("a", 2, 9 * H, 9 * H + 1800, 1800),
        visit("b", 4, 10 * H, 10 * H + 1800, 1800),
        visit("c", 6, 11 * H, 11 * H + 1800, 1800),
    ]


def _day(extra: list, caregivers: list | None = None):
    base = _base()
    cgs = caregivers or [caregiver("x")]
    published = solve_valid(problem(base, cgs))
    return problem(base + extra, cgs), published


def test_emergency_goes_in_with_the_moves_counted() -> None:
    p, published = _day([visit("sos", 3, 10 * H, 10 * H + 900, 1200, priority=1)])
    out = insert(p, published, now=9 * H + 600, new=["sos"], fixed=frozenset({"a"}))
    assert out.inserted == ("sos",)
    assert validate(p, out.plan) == []
    stops = [s.visit for s in out.plan.routes[0].stops]
    assert stops.index("a") < stops.index("sos") < stops.index("b")
    # b and after it c had to wait for the emergency; the completed visit a did not move.
    assert out.moved == 2 and {m.visit for m in out.moves} == {"b", "c"}
    assert out.shift_seconds == sum(m.new_start - m.old_start for m in out.moves) > 0
    assert all(m.new_start > m.old_start for m in out.moves)


def test_free_caregiver_takes_the_request_so_nobody_moves() -> None:
    p, published = _day(
        [visit("new", 5, 13 * H, 14 * H, 1800)],
        [caregiver("x"), caregiver("y", start_location=5, end_location=5)],
    )
    assert all(s.visit != "new" for r in published.routes for s in r.stops)
    out = insert(p, published, now=9 * H, new=["new"])
    assert validate(p, out.plan) == []
    assert out.inserted == ("new",)
    assert out.moved == 0 and out.shift_seconds == 0


def test_past_visits_are_never_moved_or_joined() -> None:
    p, published = _day([visit("late", 1, 8 * H, 9 * H + 300, 600)])
    out = insert(p, published, now=10 * H + 900, new=["late"])
    # Its window closed before now: nothing can serve it without rewriting the past.
    assert out.inserted == ()
    assert [(u.visit, u.reason) for u in out.plan.unassigned] == [("late", "capacity")]
    assert out.plan.routes == published.routes
    assert validate(p, out.plan) == []


def test_position_of_a_caregiver_delays_the_next_stop() -> None:
    p, published = _day([visit("new", 7, 8 * H, 17 * H, 600)])
    out = insert(
        p, published, now=9 * H + 100, new=["new"], positions={"x": Position(2, 9 * H + 2400)}
    )
    route = out.plan.routes[0]
    b = next(s for s in route.stops if s.visit == "b")
    assert b.start >= 9 * H + 2400 + 2 * 300
    assert validate(p, out.plan) == []


def test_two_caregiver_request_gets_two_routes_at_one_time() -> None:
    p, published = _day(
        [visit("bath", 8, 13 * H, 15 * H, 3600, caregivers_needed=2)],
        [caregiver("x"), caregiver("y")],
    )
    out = insert(p, published, now=9 * H, new=["bath"])
    assert validate(p, out.plan) == []
    starts = [s.start for r in out.plan.routes for s in r.stops if s.visit == "bath"]
    assert len(starts) == 2 and starts[0] == starts[1]


def test_lunch_break_is_kept_after_insertion() -> None:
    lunch = Break(12 * H, 14 * H, 1800)
    p, published = _day(
        [visit("n1", 3, 12 * H, 13 * H, 1800), visit("n2", 5, 12 * H, 13 * H, 1800)],
        [caregiver("x", lunch=lunch)],
    )
    out = insert(p, published, now=9 * H, new=["n1", "n2"])
    assert validate(p, out.plan) == []
    assert out.plan.routes[0].break_start is not None
    assert set(out.inserted) == {"n1", "n2"}


def test_no_request_leaves_the_plan_unchanged() -> None:
    p, published = _day([])
    out = insert(p, published, now=9 * H, new=[])
    assert isinstance(out.plan, Plan) and out.plan.routes == published.routes and out.moved == 0


def test_positions_that_surely_fail_are_skipped_and_the_others_are_not() -> None:
    from carehub.routing.repair import replan

    p, published = _day([visit("late", 3, 9 * H, 9 * H + 600, 600)])
    t = replan._tail(p, published.routes[0], 0, frozenset(), None)
    order = list(t.pending)
    assert [v.id for v in order] == ["a", "b", "c"]
    free = replan._free_from(p, t, order, {})
    assert len(free) == 4
    late = p.visit("late")
    # Before a: free early enough to start by 9:10, and a can still follow it.
    assert not replan._cannot_fit(p, t, order, free, 0, late, {})
    assert replan._retime(p, t, [late, *order], {}) is not None
    # After a (done at 9:30 at the earliest) the window has closed: skipped, and timing agrees.
    assert replan._cannot_fit(p, t, order, free, 1, late, {})
    assert replan._retime(p, t, [order[0], late, *order[1:]], {}) is None
    # A visit that would push b (forced to 10:00) too late is skipped there.
    long = visit("long", 3, 9 * H + 1800, 12 * H, 3000)
    assert replan._cannot_fit(p, t, order, free, 1, long, {"b": 10 * H})
    assert not replan._cannot_fit(p, t, order, free, 3, long, {"b": 10 * H})


def test_a_small_detour_beats_a_free_caregiver_far_away() -> None:
    # "new" fits between b and c of x's route at no added travel (4 -> 5 -> 6 is 4 -> 6);
    # y is free but sets out from place 9 and back, 40 minutes. Scored by a route's whole
    # travel, y's short route won.
    p, published = _day(
        [visit("new", 5, 10 * H + 1800, 10 * H + 2700, 600)],
        [caregiver("x"), caregiver("y", start_location=9, end_location=9)],
    )
    out = insert(p, published, now=8 * H, new=["new"])
    assert validate(p, out.plan) == []
    assert served_by(out.plan)["new"] == ["x"]
    assert out.moved == 0


def test_a_plan_nobody_has_been_told_shifts_visits_for_the_shorter_detour() -> None:
    # x alone made the plan. In x's route "new" pushes c 20 minutes later at no added travel;
    # y, free at place 6, adds ten minutes of travel and moves nothing.
    published = solve_valid(problem(_base(), [caregiver("x")]))
    new = visit("new", 5, 10 * H, 10 * H + 3000, 1800)
    p = problem([*_base(), new], [caregiver("x"), caregiver("y", start_location=6, end_location=6)])
    told = insert(p, published, now=8 * H, new=["new"])
    assert validate(p, told.plan) == []
    assert served_by(told.plan)["new"] == ["y"] and told.moved == 0
    untold = insert(p, published, now=8 * H, new=["new"], promised=False)
    assert validate(p, untold.plan) == []
    assert served_by(untold.plan)["new"] == ["x"]
    assert [m.visit for m in untold.moves] == ["c"]
