"""Staffing a station for its demand: caregivers are added, or trained in a skill, until every
day's check in ``staffing`` passes. Shared by the demo district and the city set."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from carehub.core import weekdays
from carehub.core.enums import TravelMode
from carehub.db import AnySession
from carehub.geo.travel import TravelModel
from carehub.registry.models import ServiceType
from carehub.seeding import places
from carehub.seeding.drafts.people import ensure_station_skills
from carehub.seeding.drafts.plans import PlanDraft
from carehub.seeding.staff import staffing
from carehub.seeding.staff.staffing import ANY, Hand, Need

Draft = tuple[dict[str, Any], list[str]]  # caregiver columns and skill codes
# Work weeks new caregivers are given, by the day they must cover.
_WEEKS = {
    day: [w for w in ("1-5", "1-6", "2-6", "3-7") if day in weekdays.days(weekdays.parse(w))]
    for day in range(1, 8)
}
MAX_STEPS = 400


@dataclass(frozen=True)
class Service:
    skill: str | None
    minutes: int
    caregivers: int


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def needs_by_day(
    plans: Iterable[tuple[PlanDraft, str | None]],
    services: Mapping[str, Service],
    day: dt.date,
) -> dict[int, list[Need]]:
    """A station's visits on each weekday (1 = Monday) from the care plans in force on
    ``day``; each plan comes with its elder's preferred caregiver gender."""
    result: dict[int, list[Need]] = {d: [] for d in range(1, 8)}
    for plan, gender in plans:
        if plan.start_date > day or (plan.end_date is not None and plan.end_date < day):
            continue
        service = services[plan.service]
        need = Need(
            plan.service,
            service.skill,
            _minutes(plan.window_start),
            _minutes(plan.window_end),
            service.minutes,
            service.caregivers,
            gender,
        )
        for d in weekdays.days(plan.weekdays_mask):
            result[d].append(need)
    return result


def hands_on(team: Iterable[Draft], weekday: int) -> list[Hand]:
    return [
        Hand(
            frozenset(skills),
            str(fields["gender"]),
            _minutes(fields["shift_start"]),
            _minutes(fields["shift_end"]),
            int(fields.get("lunch_minutes") or 0),
            str(fields["travel_mode"]),
        )
        for fields, skills in team
        if fields["weekdays_mask"] & (1 << (weekday - 1))
    ]


def typical_leg(
    station: places.LatLon, homes: Sequence[places.LatLon], model: TravelModel
) -> float:
    """Mean e-bike minutes from the station to its elders: one travel leg per visit."""
    if not homes:
        return 5.0
    metres = sum(places.approx_m(station, h) for h in homes) / len(homes) * model.detour_factor
    return max(2.0, metres / (model.speed_m_per_s(TravelMode.EBIKE) * 60))


def services(session: AnySession) -> dict[str, Service]:
    """The catalogue as staffing reads it: skill, minutes at the door, caregivers needed."""
    return {
        st.code: Service(st.skill.code if st.skill else None, st.duration_min, st.caregivers_needed)
        for st in session.scalars(select(ServiceType))
    }


KEPT_SKILLS = ("meal", "bathing", "nursing")  # every station keeps someone with each


def station_team(
    rng: random.Random,
    hire: Callable[[], Draft],
    base: int,
    plans: Iterable[tuple[PlanDraft, str | None]],
    services: Mapping[str, Service],
    anchor: dt.date,
    station: places.LatLon,
    homes: Sequence[places.LatLon],
    model: TravelModel,
) -> list[Draft]:
    """A station's team, the same way for the demo and the city: ``base`` hires with the
    skills every station keeps, then grown and trained until its care plans in force on
    ``anchor`` fit every weekday."""
    team = [hire() for _ in range(base)]
    ensure_station_skills([codes for _, codes in team], KEPT_SKILLS)
    needs = needs_by_day(plans, services, anchor)
    staff(rng, needs, typical_leg(station, homes, model), team, hire)
    return team


def staff(
    rng: random.Random,
    needs: Mapping[int, Sequence[Need]],
    leg: float,
    team: list[Draft],
    hire: Callable[[], Draft],
    keep: Sequence[str] = ("meal", "bathing", "nursing"),
) -> int:
    """Grow or train ``team`` in place until every weekday fits; the number of steps taken.

    A day short of hours in a band gets a new caregiver working that day. A day short of a
    skill (or of a skill from a caregiver of the gender an elder asks for) first trains
    someone on shift that day who has the gender, and hires only when nobody is left to
    train. A lunch window short of meal carriers trains or hires a carrier."""
    for step in range(MAX_STEPS):
        gap = _first_gap(needs, leg, team)
        if gap is None:
            _prune(needs, leg, team, keep)
            return step
        day, band, skill, gender = gap
        trainable = [
            draft
            for draft in team
            if draft[0]["weekdays_mask"] & (1 << (day - 1))
            and skill != ANY
            and skill not in draft[1]
            and (gender == ANY or draft[0]["gender"] == gender)
            and _covers(draft, band)
        ]
        if trainable:
            min(trainable, key=lambda d: (len(d[1]), d[0]["code"]))[1].append(skill)
            continue
        fields, skills = hire()
        if not fields["weekdays_mask"] & (1 << (day - 1)):
            fields["weekdays_mask"] = weekdays.parse(rng.choice(_WEEKS[day]))
        if gender != ANY:
            fields["gender"] = gender
        if skill != ANY and skill not in skills:
            skills.append(skill)
        team.append((fields, skills))
    raise RuntimeError("a station could not be staffed for its demand")


def _prune(
    needs: Mapping[int, Sequence[Need]], leg: float, team: list[Draft], keep: Sequence[str]
) -> None:
    """Let go of whoever the team fits without, latest hired first: training later in the
    loop often makes an early hire unneeded, and every idle caregiver is one more route for
    the planner to weigh. The team keeps at least one holder of each skill in ``keep``."""
    for draft in reversed(list(team)):
        rest = [d for d in team if d is not draft]
        if not all(any(skill in d[1] for d in rest) for skill in keep):
            continue
        if _first_gap(needs, leg, rest) is None:
            team.remove(draft)


def _covers(draft: Draft, band: str) -> bool:
    fields = draft[0]
    start, end = _minutes(fields["shift_start"]), _minutes(fields["shift_end"])
    band = band.removesuffix(staffing.AT_ONCE).removesuffix(staffing.IN_TURN)
    if band == "meals":
        return start <= staffing.KITCHEN_READY and end >= 12 * 60 + 30
    _, b_start, b_end = next(b for b in staffing.BANDS if b[0] == band)
    return min(end, b_end) > max(start, b_start)


def _first_gap(
    needs: Mapping[int, Sequence[Need]], leg: float, team: list[Draft]
) -> tuple[int, str, str, str] | None:
    """The first shortfall: day, band (or "meals"), skill, gender. Whole bands come first,
    so hiring fills hours before training fills skills."""
    for day in range(1, 8):
        check = staffing.check_day(needs[day], hands_on(team, day), leg)
        failing = check.failing()
        failing.sort(key=lambda ln: (ln.skill != ANY, ln.gender != ANY))
        if failing:
            line = failing[0]
            return day, line.band, line.skill, line.gender
        if check.meals is not None and not check.meals.fits:
            return day, "meals", "meal", ANY
    return None
