"""Stored meal rounds turned back into a route's collections (no app, no database)."""

from __future__ import annotations

from carehub.dispatch.meal_rounds import collections
from carehub.routing import Caregiver, Kitchen, Problem, Visit, Window

LINE = tuple(tuple(abs(i - j) * 60 for j in range(4)) for i in range(4))


def _problem() -> Problem:
    def drop(vid: str, loc: int) -> Visit:
        return Visit(vid, loc, (Window(39600, 45000),), 180, kitchen="station:A")

    return Problem(
        (drop("m1", 1), drop("m2", 2), Visit("v", 3, (Window(0, 80000),), 600)),
        (Caregiver("c", 0, 0, 28800, 61200),),
        {"ebike": LINE},
        LINE,
        kitchens=(Kitchen("station:A", 0, 38700),),
    )


def test_a_round_is_collected_before_the_first_of_its_drops_left_on_the_route() -> None:
    planned = [("station:A", ("m1", "m2"), 38700)]
    (col,) = collections(_problem(), ["v", "m2", "m1"], planned)
    assert (col.kitchen, col.before, col.start, col.meals) == ("station:A", 1, 38700, ("m2", "m1"))
    # A drop moved away leaves the others in the round.
    (rest,) = collections(_problem(), ["m2", "v"], planned)
    assert (rest.before, rest.meals) == (0, ("m2",))


def test_nothing_is_collected_for_drops_gone_or_a_kitchen_the_problem_lacks() -> None:
    assert collections(_problem(), ["v"], [("station:A", ("m1",), 38700)]) == ()
    assert collections(_problem(), ["m1"], [("kitchen:GONE", ("m1",), 38700)]) == ()
