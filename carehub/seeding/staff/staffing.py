"""Staffing arithmetic: a station's service hours against its caregivers' shift hours, per
weekday, time band, skill and preferred gender.

The generators staff each station with it, ``carehub seed staffing-report`` prints it and
docs/demo-data.md quotes it. Pure: plain values in, numbers out, no database.

Service hours are the catalogue duration of each visit, times the caregivers it needs,
plus one typical travel leg (the station's mean e-bike time to its elders). Meals go out in
rounds from the station's kitchen, so their hours are the rounds' hours: drops and hops,
plus loading at the kitchen and the ride out and back once a round. Shift hours are each
caregiver's shift cut to the band, less the lunch break in the midday band. A station is
staffed when, in every band of every day, staffed hours are at least ``MARGIN`` times the
service hours (``MORNING_MARGIN`` in the morning), for all its visits together, for each
skill and for each skill and gender an elder asks for; and the meal-trained caregivers on shift through the lunch window can carry
every meal in rounds.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MARGIN = 1.25  # staffed hours at least 1.25 x service hours: caregivers busy at most 80 %
# Morning windows are narrow (a 90-minute cleaning between 09:00 and 11:30) and most shifts
# start at 08:00 or 09:00, so a morning at 80 % still leaves visits over: busy at most 2/3.
MORNING_MARGIN = 1.5

# Bands of the working day, minutes from midnight. Mornings carry most visits; the midday
# band holds the meal rounds and the lunch breaks.
BANDS: tuple[tuple[str, int, int], ...] = (
    ("morning", 8 * 60, 11 * 60),
    ("midday", 11 * 60, 13 * 60 + 30),
    ("afternoon", 13 * 60 + 30, 17 * 60),
)
ANY = "*"
MEAL = "meal_delivery"

# Meal rounds as the kitchen runs them (the defaults of the meal-rounds settings).
KITCHEN_READY = 10 * 60 + 45
LOAD_MINUTES = 2
HOT_FOOD_MINUTES = 40
BOX = {"ebike": 12, "walk": 6}


@dataclass(frozen=True)
class Need:
    """One visit a station owes on a day."""

    service: str
    skill: str | None
    start: int  # window, minutes from midnight
    end: int
    minutes: int  # catalogue duration at the door
    caregivers: int = 1
    gender: str | None = None  # the elder's preferred caregiver gender


@dataclass(frozen=True)
class Hand:
    """One caregiver on shift that day."""

    skills: frozenset[str]
    gender: str
    start: int  # shift, minutes from midnight
    end: int
    lunch: int = 0  # minutes, taken in the midday band
    mode: str = "ebike"


@dataclass(frozen=True)
class Line:
    """Service hours against staffed hours of one band and category, in minutes."""

    band: str
    skill: str  # skill code or ANY
    gender: str  # preferred gender or ANY
    demand: float
    supply: float

    @property
    def margin(self) -> float:
        if self.band.endswith(IN_TURN):
            return 1.0
        return MORNING_MARGIN if self.band.startswith("morning") else MARGIN

    @property
    def fits(self) -> bool:
        return self.supply >= self.margin * self.demand

    @property
    def load(self) -> float:
        return self.demand / self.supply if self.supply else math.inf


@dataclass(frozen=True)
class Meals:
    meals: int
    per_round: int  # drops one round can make inside the hot-food time
    per_carrier: int  # drops one carrier makes in the lunch window
    carriers_needed: int
    carriers: int  # meal-trained caregivers on shift through the window

    @property
    def fits(self) -> bool:
        return self.carriers >= math.ceil(MARGIN * self.carriers_needed)


@dataclass
class DayCheck:
    lines: list[Line] = field(default_factory=list)
    meals: Meals | None = None

    @property
    def fits(self) -> bool:
        return all(line.fits for line in self.lines) and (self.meals is None or self.meals.fits)

    def failing(self) -> list[Line]:
        return [line for line in self.lines if not line.fits]

    def total(self, band: str | None = None) -> Line:
        """The all-visits line of a band, or of the whole day."""
        rows = [
            ln
            for ln in self.lines
            if ln.skill == ANY
            and ln.gender == ANY
            and band in (None, ln.band)
            and not ln.band.endswith((AT_ONCE, IN_TURN))
        ]
        return Line(
            band or "day",
            ANY,
            ANY,
            sum(ln.demand for ln in rows),
            sum(ln.supply for ln in rows),
        )


def servable(need: Need, hands: Sequence[Hand]) -> bool:
    """Whether anyone on shift holds the skill and gender, inside the visit's window."""
    return any(
        _able(h, need.skill or ANY, need.gender or ANY)
        and h.start <= need.end - need.minutes
        and need.start + need.minutes <= h.end
        for h in hands
    )


def band_of(need: Need) -> str:
    """The band holding the middle of the visit's window (before the first band: the first)."""
    middle = (need.start + need.end) // 2
    for name, _, end in BANDS:
        if middle < end:
            return name
    return BANDS[-1][0]


def supply(hand: Hand, band: tuple[str, int, int]) -> int:
    name, start, end = band
    minutes = max(0, min(end, hand.end) - max(start, hand.start))
    if name == "midday":
        minutes = max(0, minutes - hand.lunch)
    return minutes


def meal_round(drop: int, leg: float, hop: float) -> tuple[int, float]:
    """Drops per round and minutes per round: a round's last drop starts within the hot-food
    time of leaving the kitchen."""
    per_round = 1 + max(0, math.floor((HOT_FOOD_MINUTES - leg) / (drop + hop)))
    per_round = min(per_round, BOX["ebike"])
    minutes = LOAD_MINUTES + 2 * leg + per_round * (drop + hop)
    return per_round, minutes


def meal_carriers(meals: int, drop: int, leg: float, hop: float, window_end: int) -> Meals:
    """How many carriers the meals need: each carrier rides rounds back to back from the
    kitchen's ready time to the end of the lunch window."""
    per_round, round_minutes = meal_round(drop, leg, hop)
    span = window_end - KITCHEN_READY
    per_carrier = max(1, math.floor(span * per_round / round_minutes))
    return Meals(meals, per_round, per_carrier, math.ceil(meals / per_carrier), 0)


def meal_minutes(meals: int, drop: int, leg: float, hop: float) -> float:
    per_round, round_minutes = meal_round(drop, leg, hop)
    rounds = math.ceil(meals / per_round)
    return meals * (drop + hop) + rounds * (LOAD_MINUTES + 2 * leg)


def check_day(needs: Sequence[Need], hands: Sequence[Hand], leg: float) -> DayCheck:
    """One station's day. ``leg`` is a typical travel leg in minutes (station to elder)."""
    # Inside a round meals are close together: a hop is taken as half a leg.
    hop = leg / 2
    demand: dict[tuple[str, str, str], float] = defaultdict(float)
    meals = [n for n in needs if n.service == MEAL]
    for n in needs:
        if n.service == MEAL:
            continue
        minutes = (n.minutes + leg) * n.caregivers
        band = band_of(n)
        for key in _keys(n.skill, n.gender):
            demand[(band, *key)] += minutes
    if meals:
        drop = meals[0].minutes
        minutes_per_meal = meal_minutes(len(meals), drop, leg, hop) / len(meals)
        for n in meals:
            for key in _keys(n.skill, n.gender):
                demand[(band_of(n), *key)] += minutes_per_meal
    check = DayCheck()
    check.lines.extend(_at_once(needs, hands, leg))
    for span in BANDS:
        for (b, skill, gender), minutes in sorted(demand.items()):
            if b != span[0]:
                continue
            able = [h for h in hands if _able(h, skill, gender)]
            check.lines.append(Line(b, skill, gender, minutes, sum(supply(h, span) for h in able)))
        if not any(
            ln.band == span[0] and ln.skill == ANY and ln.gender == ANY for ln in check.lines
        ):
            check.lines.append(Line(span[0], ANY, ANY, 0.0, sum(supply(h, span) for h in hands)))
    if meals:
        window_end = max(n.end for n in meals)
        base = meal_carriers(len(meals), meals[0].minutes, leg, hop, window_end)
        meal_skill = meals[0].skill
        carriers = sum(
            1
            for h in hands
            if (meal_skill is None or meal_skill in h.skills)
            and h.start <= KITCHEN_READY
            and h.end >= window_end
        )
        check.meals = Meals(
            base.meals, base.per_round, base.per_carrier, base.carriers_needed, carriers
        )
    return check


AT_ONCE = " at once"
IN_TURN = " in turn"  # an exact lower bound: no margin


def _at_once(needs: Sequence[Need], hands: Sequence[Hand], leg: float) -> list[Line]:
    """Caregivers needed at the same time in each band: a visit whose window is hardly
    longer than the visit ties a caregiver down for most of it, whatever the band's hours
    say. Each visit counts the share of its window it fills; the caregivers able to take it
    whose shift covers most of the band must be ``MARGIN`` times that many.

    Per skill there is a harder bound too ("in turn"): one caregiver can take visits of one
    window only one after another, as many as fit between the window's earliest and latest
    start, so the visits need at least their count over that many able caregivers."""
    share: dict[tuple[str, str, str], float] = defaultdict(float)
    turns: dict[tuple[str, str, str], float] = defaultdict(float)
    for n in needs:
        if n.service == MEAL:
            continue  # meals go in rounds: the carriers check counts them
        filled = min(1.0, (n.minutes + leg) / (n.end - n.start + leg)) * n.caregivers
        in_turn = n.caregivers / (1 + max(0, n.end - n.minutes - n.start) // (n.minutes + leg))
        for key in _keys(n.skill, n.gender):
            share[(band_of(n), *key)] += filled
            if key[0] != ANY:
                turns[(band_of(n), *key)] += in_turn
    lines = []
    for suffix, demand in ((AT_ONCE, share), (IN_TURN, turns)):
        for (band, skill, gender), wanted in sorted(demand.items()):
            _, start, end = next(b for b in BANDS if b[0] == band)
            able = sum(
                1
                for h in hands
                if _able(h, skill, gender)
                and min(end, h.end) - max(start, h.start) >= (end - start) / 2
            )
            lines.append(Line(band + suffix, skill, gender, wanted, float(able)))
    return lines


def _keys(skill: str | None, gender: str | None) -> Iterable[tuple[str, str]]:
    yield ANY, ANY
    if skill is not None:
        yield skill, ANY
        if gender is not None:
            yield skill, gender
    elif gender is not None:
        yield ANY, gender


def _able(hand: Hand, skill: str, gender: str) -> bool:
    return (skill == ANY or skill in hand.skills) and (gender == ANY or gender == hand.gender)
