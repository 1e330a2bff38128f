"""Recurring care plans for an elder, by care level and circumstances.

The shares are tuned so the demo district gives about 0.37 plan visits per elder on a
weekday (some 300 for 800 elders) and the city set, at a lower intensity, about a third.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from carehub.core.enums import CareLevel, Hardship

_T = dt.time

# Shares of elders at each care level (none, mild, moderate, severe) with each service.
_MEAL = (0.04, 0.22, 0.31, 0.40)
_CLEANING = (0.02, 0.27, 0.43, 0.53)
_BATHING = (0.0, 0.0, 0.14, 0.72)
_HEALTH = (0.0, 0.0, 0.38, 0.66)
_COMPANY = (0.03, 0.12, 0.17, 0.15)
_LEVEL_INDEX = {
    CareLevel.NONE: 0,
    CareLevel.MILD: 1,
    CareLevel.MODERATE: 2,
    CareLevel.SEVERE: 3,
}

MEAL_WINDOW = (_T(11, 0), _T(12, 30))
_WINDOWS = {
    "cleaning": [(_T(9, 0), _T(11, 30)), (_T(14, 0), _T(16, 30))],
    "bathing": [(_T(9, 30), _T(11, 30)), (_T(14, 0), _T(16, 0))],
    "health_check": [(_T(8, 30), _T(10, 30)), (_T(14, 30), _T(16, 30))],
    "companionship": [(_T(9, 0), _T(11, 0)), (_T(15, 0), _T(17, 0))],
}
_MEAL_NOTES = ["低盐", "软食", "清真餐", "少油", "糖尿病餐"]
# Twice-weekly health checks, spread over the week.
_TWICE = [(1, 4), (2, 5), (1, 3), (3, 5), (2, 4)]
WEEKDAYS_1_5 = 0b0011111
DAILY = 0b1111111


@dataclass(frozen=True)
class PlanDraft:
    service: str
    weekdays_mask: int
    window_start: dt.time
    window_end: dt.time
    start_date: dt.date
    end_date: dt.date | None
    note: str | None


def plan_columns(plan: PlanDraft, service_ids: Mapping[str, int]) -> dict[str, Any]:
    """The care plan's columns (all but its elder), for a model or a bulk insert."""
    return {
        "service_type_id": service_ids[plan.service],
        "weekdays_mask": plan.weekdays_mask,
        "window_start": plan.window_start,
        "window_end": plan.window_end,
        "start_date": plan.start_date,
        "end_date": plan.end_date,
        "note": plan.note,
        "active": True,
    }


def _mask(*days: int) -> int:
    mask = 0
    for day in days:
        mask |= 1 << (day - 1)
    return mask


def draft_plans(
    rng: random.Random,
    care_level: CareLevel | str,
    hardship: Hardship | str,
    anchor: dt.date,
    intensity: float = 1.0,
) -> list[PlanDraft]:
    level = _LEVEL_INDEX[CareLevel(care_level)]
    alone = Hardship(hardship) == Hardship.TEKUN  # no family to help: more support

    def wanted(shares: tuple[float, ...], bonus: float = 0.0) -> bool:
        return rng.random() < min(1.0, (shares[level] + bonus) * intensity)

    def window(service: str) -> tuple[dt.time, dt.time]:
        return rng.choice(_WINDOWS[service])

    chosen: list[tuple[str, int, tuple[dt.time, dt.time], str | None]] = []
    if wanted(_MEAL, 0.2 if alone else 0.0):
        mask = DAILY if rng.random() < 0.35 else WEEKDAYS_1_5
        note = rng.choice(_MEAL_NOTES) if rng.random() < 0.15 else None
        chosen.append(("meal_delivery", mask, MEAL_WINDOW, note))
    if wanted(_CLEANING):
        chosen.append(("cleaning", _mask(rng.randint(1, 6)), window("cleaning"), None))
    if wanted(_BATHING):
        chosen.append(("bathing", _mask(rng.randint(1, 5)), window("bathing"), None))
    if wanted(_HEALTH):
        days: tuple[int, ...] = rng.choice(_TWICE) if level == 3 else (rng.randint(1, 5),)
        chosen.append(("health_check", _mask(*days), window("health_check"), None))
    if wanted(_COMPANY, 0.3 if alone else 0.0):
        days = tuple(rng.sample(range(1, 6), 2 if rng.random() < 0.25 else 1))
        chosen.append(("companionship", _mask(*days), window("companionship"), None))

    plans: list[PlanDraft] = []
    for service, mask, (start, end), note in chosen:
        begins = anchor - dt.timedelta(days=rng.randrange(0, 540))
        ends: dt.date | None = None
        if rng.random() < 0.03:
            # A plan that has already run its course: history, not today's work.
            ends = anchor - dt.timedelta(days=rng.randrange(1, 60))
            begins = min(begins, ends - dt.timedelta(days=30))
        plans.append(PlanDraft(service, mask, start, end, begins, ends, note))
    return plans
