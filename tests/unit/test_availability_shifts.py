"""What is left of a shift after now and absences."""

from __future__ import annotations

from carehub.availability.shifts import Shift, available
from carehub.routing import Break

H = 3600
LUNCH = Break(11 * H, 14 * H, 3600)


def test_no_absence_keeps_the_shift() -> None:
    assert available(8 * H, 17 * H, LUNCH) == Shift(8 * H, 17 * H, LUNCH)


def test_whole_shift_away_leaves_nothing() -> None:
    assert available(8 * H, 17 * H, LUNCH, [(0, 24 * H)]) is None
    assert available(8 * H, 17 * H, LUNCH, [(13 * H, 24 * H), (0, 13 * H)]) is None


def test_morning_away_starts_later_and_lunch_shrinks() -> None:
    assert available(8 * H, 17 * H, LUNCH, [(0, 12 * H)]) == Shift(
        12 * H, 17 * H, Break(12 * H, 14 * H, 3600)
    )


def test_now_cuts_the_past_and_lunch_that_no_longer_fits() -> None:
    assert available(8 * H, 17 * H, LUNCH, not_before=13 * H + 1800) == Shift(
        13 * H + 1800, 17 * H, None
    )
    assert available(8 * H, 17 * H, LUNCH, not_before=7 * H) == Shift(8 * H, 17 * H, LUNCH)


def test_absence_over_lunch_becomes_the_break() -> None:
    assert available(8 * H, 17 * H, LUNCH, [(11 * H, 13 * H)]) == Shift(
        8 * H, 17 * H, Break(11 * H, 13 * H, 2 * H)
    )


def test_absence_that_cannot_be_lunch_keeps_the_longest_stretch() -> None:
    assert available(8 * H, 17 * H, LUNCH, [(9 * H, 10 * H)]) == Shift(10 * H, 17 * H, LUNCH)
    assert available(8 * H, 17 * H, None, [(9 * H, 10 * H)]) == Shift(
        8 * H, 17 * H, Break(9 * H, 10 * H, H)
    )
