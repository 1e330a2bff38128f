"""Drafts of elders and caregivers as plain column dictionaries, shared by the demo
district (saved as audited objects) and the city set (bulk-inserted)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from carehub.core import weekdays
from carehub.core.enums import CareLevel, ElderStatus, Gender, Hardship, TravelMode
from carehub.seeding.drafts import names as namegen
from carehub.seeding.inputs import Block

# Home-care recipients skew old: most are in their seventies and eighties.
AGE_BANDS: list[tuple[tuple[int, int], int]] = [
    ((60, 69), 20),
    ((70, 79), 35),
    ((80, 89), 35),
    ((90, 100), 10),
]
# Care need rises with age; over the age mix this gives roughly none 30%, mild 30%,
# moderate 25%, severe 15%.
_LEVELS = [CareLevel.NONE, CareLevel.MILD, CareLevel.MODERATE, CareLevel.SEVERE]
_LEVELS_BY_BAND = [
    [50, 30, 15, 5],
    [33, 32, 23, 12],
    [20, 30, 32, 18],
    [10, 25, 35, 30],
]
_HARDSHIPS = [
    (Hardship.NONE, 70),
    (Hardship.DIBAO, 8),
    (Hardship.LOW_INCOME, 7),
    (Hardship.TEKUN, 2),
    (Hardship.DISABLED, 8),
    (Hardship.YOUFU, 5),
]
_HOSPITAL_REASONS = ["肺炎住院", "髋部骨折住院", "心衰住院", "脑梗住院", "术后住院观察"]
_NOTES = [
    "独居",
    "独居，子女在外地",
    "听力较差，敲门后请稍等",
    "行动不便，使用轮椅",
    "糖尿病，送餐请低糖",
    "家中养犬，进门前请电话联系",
    "老伴同住，需同时关照",
    "记忆力减退，家属要求每次电话告知",
]
SHIFTS = [
    ((dt.time(8, 0), dt.time(17, 0)), 50),
    ((dt.time(7, 30), dt.time(16, 30)), 25),
    ((dt.time(9, 0), dt.time(18, 0)), 25),
]
WORK_WEEKS = [("1-5", 55), ("1-6", 15), ("2-6", 15), ("3-7", 15)]
# Share of caregivers holding each skill; everyone holds at least meal help.
SKILL_SHARES = [
    ("meal", 0.88),
    ("cleaning", 0.75),
    ("companion", 0.70),
    ("bathing", 0.25),
    ("nursing", 0.25),
    ("first_aid", 0.15),
]


def _weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def address(rng: random.Random, block: Block) -> str:
    building = rng.randint(1, 24)
    unit = rng.randint(1, 4)
    room = rng.randint(1, 7) * 100 + rng.randint(1, 4)
    return f"天津市{block.district}{block.road}{block.name}{building}号楼{unit}门{room}"


@dataclass
class ElderDraft:
    fields: dict[str, Any]
    age: int
    # (status, start, end, note) periods, oldest first
    periods: list[tuple[ElderStatus, dt.date, dt.date | None, str]]


def draft_elder(
    rng: random.Random,
    book: namegen.NameBook,
    anchor: dt.date,
    code: str,
    point: tuple[float, float],
    home_address: str,
) -> ElderDraft:
    band_index = rng.choices(range(len(AGE_BANDS)), weights=[w for _, w in AGE_BANDS])[0]
    low, high = AGE_BANDS[band_index][0]
    age = rng.randint(low, high)
    birth = anchor - dt.timedelta(days=int(age * 365.25) + rng.randrange(365))
    # Women outlive men, more so at great age.
    gender = Gender.FEMALE if rng.random() < 0.52 + 0.004 * (age - 60) else Gender.MALE
    name = book.person(rng, gender)
    level = rng.choices(_LEVELS, weights=_LEVELS_BY_BAND[band_index])[0]
    assessed = _assessed_on(rng, anchor, level)
    hardship = _weighted(rng, _HARDSHIPS)
    phone = _phone(rng)
    preferred = _preferred_caregiver_gender(rng, gender)
    contact_name, contact_phone = _emergency_contact(rng, book, name)
    status, since, periods = _hospital_stays(rng, anchor)
    fields: dict[str, Any] = {
        "code": code,
        "name": name,
        "name_initials": namegen.initials(name),
        "gender": gender.value,
        "birth_date": birth,
        "phone": phone,
        "address": home_address,
        "lat": point[0],
        "lon": point[1],
        "care_level": level.value,
        "care_level_assessed_on": assessed,
        "hardship": hardship.value,
        "status": status.value,
        "status_since": since,
        "preferred_caregiver_gender": preferred.value if preferred else None,
        "emergency_contact_name": contact_name,
        "emergency_contact_phone": contact_phone,
        "notes": rng.choice(_NOTES) if rng.random() < 0.2 else None,
    }
    return ElderDraft(fields=fields, age=age, periods=periods)


def _assessed_on(rng: random.Random, anchor: dt.date, level: CareLevel) -> dt.date | None:
    assessed: dt.date | None = anchor - dt.timedelta(days=rng.randrange(20, 720))
    if level == CareLevel.NONE and rng.random() < 0.4:
        assessed = None
    return assessed


def _phone(rng: random.Random) -> str:
    """A mobile, a Tianjin landline, or now and then none."""
    roll = rng.random()
    if roll < 0.70:
        return namegen.mobile(rng)
    if roll < 0.95:
        return namegen.tianjin_landline(rng)
    return ""


def _preferred_caregiver_gender(rng: random.Random, gender: Gender) -> Gender | None:
    roll = rng.random()
    if gender == Gender.FEMALE and roll < 0.12:
        return Gender.FEMALE
    if gender == Gender.MALE and roll < 0.05:
        return Gender.MALE
    if gender == Gender.MALE and roll < 0.07:
        return Gender.FEMALE
    return None


def _emergency_contact(
    rng: random.Random, book: namegen.NameBook, name: str
) -> tuple[str | None, str | None]:
    """Most elders have a grown child to call, who half the time shares their surname."""
    if rng.random() < 0.88:
        child_gender = rng.choice([Gender.FEMALE, Gender.MALE])
        surname = name[0] if rng.random() < 0.5 else book.surname(rng)
        return surname + book.given(rng, child_gender, "adult"), namegen.mobile(rng)
    return None, None


def _hospital_stays(
    rng: random.Random, anchor: dt.date
) -> tuple[ElderStatus, dt.date | None, list[tuple[ElderStatus, dt.date, dt.date | None, str]]]:
    """The elder's status, since when, and its periods: a few were in hospital once, fewer
    are there now."""
    periods: list[tuple[ElderStatus, dt.date, dt.date | None, str]] = []
    status, since = ElderStatus.ACTIVE, None
    roll = rng.random()
    if roll < 0.03:
        start = anchor - dt.timedelta(days=rng.randrange(60, 400))
        end = start + dt.timedelta(days=rng.randrange(5, 30))
        periods.append((ElderStatus.HOSPITALISED, start, end, rng.choice(_HOSPITAL_REASONS)))
    elif roll < 0.04:
        since = anchor - dt.timedelta(days=rng.randrange(2, 25))
        status = ElderStatus.HOSPITALISED
        periods.append((status, since, None, rng.choice(_HOSPITAL_REASONS)))
    return status, since, periods


def draft_caregiver(
    rng: random.Random,
    book: namegen.NameBook,
    code: str,
    station_id: int,
    home: tuple[float, float],
) -> tuple[dict[str, Any], list[str]]:
    """Column values and skill codes of one caregiver."""
    gender = Gender.FEMALE if rng.random() < 0.85 else Gender.MALE
    shift_start, shift_end = _weighted(rng, SHIFTS)
    skills = [code for code, share in SKILL_SHARES if rng.random() < share]
    if "meal" not in skills and len(skills) < 2:
        skills.insert(0, "meal")
    fields: dict[str, Any] = {
        "code": code,
        "name": book.person(rng, gender, "adult"),
        "gender": gender.value,
        "phone": namegen.mobile(rng),
        "station_id": station_id,
        "weekdays_mask": weekdays.parse(_weighted(rng, WORK_WEEKS)),
        "shift_start": shift_start,
        "shift_end": shift_end,
        "max_work_minutes": None,
        "travel_mode": (TravelMode.EBIKE if rng.random() < 0.85 else TravelMode.WALK).value,
        "home_lat": home[0],
        "home_lon": home[1],
        "active": True,
    }
    return fields, skills


def ensure_station_skills(teams: list[list[str]], needed: tuple[str, ...]) -> None:
    """Make sure a station's team holds every needed skill, adding it to whoever holds
    fewest skills, so no station is left unable to bathe or nurse anyone."""
    if not teams:
        return
    for skill in needed:
        if not any(skill in team for team in teams):
            min(teams, key=len).append(skill)


def apportion(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder), each at least
    ``minimum`` where the total allows."""
    n = len(weights)
    if n == 0:
        return []
    base = [minimum] * n if total >= minimum * n else [0] * n
    rest = total - sum(base)
    weight_sum = sum(weights) or 1.0
    shares = [rest * w / weight_sum for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(n), key=lambda i: (-(shares[i] - counts[i]), i))
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [b + c for b, c in zip(base, counts, strict=True)]
