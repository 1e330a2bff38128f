"""The staffing arithmetic (carehub.seeding.staff.staffing) and the team builder (teams.staff)."""

from __future__ import annotations

import datetime as dt
import random

from carehub.seeding.staff import staffing, teams
from carehub.seeding.staff.staffing import ANY, AT_ONCE, IN_TURN, MARGIN, Hand, Need

H = 60


def _nurse(gender: str = "female") -> Hand:
    return Hand(frozenset({"nursing", "cleaning"}), gender, 8 * H, 17 * H, 30)


def _cleaner(gender: str = "female") -> Hand:
    return Hand(frozenset({"cleaning", "meal"}), gender, 8 * H, 17 * H, 30)


def _checks(n: int, gender: str | None = None) -> list[Need]:
    # Health checks in a two-hour morning window: 45 minutes each.
    return [Need("health_check", "nursing", 8 * H + 30, 10 * H + 30, 45, 1, gender)] * n


def _line(check: staffing.DayCheck, band: str, skill: str, gender: str = ANY) -> staffing.Line:
    return next(ln for ln in check.lines if (ln.band, ln.skill, ln.gender) == (band, skill, gender))


def test_a_skill_short_in_a_band_fails_and_one_more_trained_caregiver_fits() -> None:
    needs = _checks(4)
    short = staffing.check_day(needs, [_nurse(), _cleaner(), _cleaner()], leg=5)
    assert not short.fits
    assert not _line(short, "morning", "nursing").fits
    assert _line(short, "morning", ANY).fits  # the hours are there, the skill is not

    enough = staffing.check_day(needs, [_nurse(), _nurse(), _nurse(), _cleaner()], leg=5)
    assert enough.fits
    line = _line(enough, "morning", "nursing")
    assert line.demand == 4 * (45 + 5)
    assert line.supply == 3 * 3 * H
    assert line.margin == staffing.MORNING_MARGIN
    assert line.supply >= line.margin * line.demand


def test_an_asked_gender_is_a_category_of_its_own() -> None:
    needs = _checks(1, gender="male")
    assert not staffing.check_day(needs, [_nurse(), _nurse()], leg=5).fits
    assert staffing.check_day(needs, [_nurse(), _nurse("male")], leg=5).fits


def test_visits_tying_caregivers_down_at_once_need_enough_hands_whatever_the_hours() -> None:
    # Four 90-minute cleanings that must start within the same hour: the hours of three
    # caregivers would do, but each is tied down for most of the window.
    needs = [Need("cleaning", "cleaning", 14 * H, 16 * H + 30, 90)] * 4
    three = staffing.check_day(needs, [_cleaner()] * 3, leg=2)
    line = _line(three, "afternoon", "cleaning")
    assert line.fits and line.margin == MARGIN
    assert not _line(three, "afternoon" + AT_ONCE, "cleaning").fits
    five = staffing.check_day(needs, [_cleaner()] * 5, leg=2)
    assert five.fits


def test_visits_of_one_window_are_taken_in_turn_by_as_many_caregivers_as_they_need() -> None:
    # Five hour-long baths that must all start between 09:30 and 10:30: nobody can give two,
    # so five bathers are needed, however the shares of the windows add up.
    baths = [Need("bathing", "bathing", 9 * H + 30, 11 * H + 30, 60)] * 5
    bather = Hand(frozenset({"bathing"}), "female", 8 * H, 17 * H, 30)
    four = staffing.check_day(baths, [bather] * 4, leg=2)
    assert _line(four, "morning" + AT_ONCE, "bathing").fits
    turn = _line(four, "morning" + IN_TURN, "bathing")
    assert (turn.demand, turn.supply, turn.margin) == (5, 4, 1.0)
    assert not turn.fits
    assert staffing.check_day(baths, [bather] * 5, leg=2).fits
    # Checks of 45 minutes in a two-hour window: one nurse takes two in turn.
    line = _line(
        staffing.check_day(_checks(4), [_nurse()] * 2, leg=2), "morning" + IN_TURN, "nursing"
    )
    assert line.demand == 2 and line.fits


def test_meal_rounds_need_enough_carriers_through_the_lunch_window() -> None:
    meals = [Need("meal_delivery", "meal", 11 * H, 12 * H + 30, 3)] * 40
    per_round, _ = staffing.meal_round(3, leg=4, hop=2)
    assert per_round == 1 + (40 - 4) // 5  # the last drop within 40 minutes of the kitchen
    few = staffing.check_day(meals, [_cleaner()], leg=4)
    assert few.meals is not None and not few.meals.fits
    needed = few.meals.carriers_needed
    assert needed >= 2
    enough = staffing.check_day(meals, [_cleaner()] * (needed * 2), leg=4)
    assert enough.meals is not None and enough.meals.fits
    # A shift starting after the kitchen is ready carries no round.
    late = Hand(frozenset({"meal"}), "female", 11 * H, 19 * H, 30)
    assert staffing.check_day(meals, [late] * 10, leg=4).meals.carriers == 0  # type: ignore[union-attr]


def test_a_visit_nobody_can_be_at_in_time_is_not_servable() -> None:
    early = Need("health_check", "nursing", 7 * H, 7 * H + 45, 45)
    assert not staffing.servable(early, [_nurse()])
    assert staffing.servable(_checks(1)[0], [_nurse()])
    assert not staffing.servable(_checks(1)[0], [_cleaner()])


def _draft(code: str, skills: list[str], gender: str = "female") -> teams.Draft:
    return (
        {
            "code": code,
            "gender": gender,
            "weekdays_mask": 0b0011111,
            "shift_start": dt.time(8, 0),
            "shift_end": dt.time(17, 0),
            "lunch_minutes": 30,
            "travel_mode": "ebike",
        },
        skills,
    )


def test_staffing_trains_before_it_hires_and_leaves_every_day_fitting() -> None:
    needs = {
        d: (_checks(6, gender=None) + _checks(1, "male") if d <= 5 else []) for d in range(1, 8)
    }
    team = [_draft("A", ["meal"]), _draft("B", ["cleaning"]), _draft("C", ["meal", "nursing"])]
    hired = iter(range(100))

    def hire() -> teams.Draft:
        return _draft(f"N{next(hired)}", ["meal"], "male")

    assert any(not staffing.check_day(needs[1], teams.hands_on(team, 1), 5).fits for _ in [0])
    teams.staff(random.Random(1), needs, 5, team, hire)
    for day in range(1, 8):
        assert staffing.check_day(needs[day], teams.hands_on(team, day), 5).fits
    # Somebody was trained in nursing rather than everybody being hired.
    assert "nursing" in team[0][1] or "nursing" in team[1][1]
    assert any(fields["gender"] == "male" and "nursing" in skills for fields, skills in team)


def test_staffing_lets_go_whoever_the_station_fits_without_but_keeps_the_needed() -> None:
    needs = {d: (_checks(1) if d <= 5 else []) for d in range(1, 8)}
    nurse = _draft("A", ["meal", "nursing", "bathing"])
    spare = _draft("B", ["meal", "cleaning"])
    team = [nurse, spare]
    teams.staff(random.Random(1), needs, 5, team, lambda: _draft("N", ["meal"]))
    assert team == [nurse]  # the spare had nothing to do; the nurse holds every kept skill

    needed = [_draft("A", ["meal", "nursing", "bathing"]), _draft("B", ["nursing"])]
    heavy = {d: (_checks(3) if d <= 5 else []) for d in range(1, 8)}
    teams.staff(random.Random(1), heavy, 5, needed, lambda: _draft("N", ["meal"]))
    assert [fields["code"] for fields, _ in needed] == ["A", "B"]
