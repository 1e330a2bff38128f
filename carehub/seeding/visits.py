"""A month of completed visits generated from the care plans, for the reconciliation
benchmark: the city seed has plans but no visits.

Each plan's visits on its weekdays go to a caregiver of the elder's station holding the
service's skill, one after another with ten minutes' travel, checked in and out a few
metres from the door. About one visit in a hundred is made short or far away so the
rules have something to find. Rows are bulk-inserted with ids assigned here, per-row
audit off and one summary entry written.

The city seed's plans give about eight visits per elder a month. ``visits_per_elder``
tops the month up to that many visits per elder with one-off telephone bookings: a random
located elder, a service their station can staff, a half-hour slot between 08:00 and
16:30, never the same elder, service and day twice. Counting the month's visits first
keeps the command repeatable.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select

from carehub.core import audit, weekdays
from carehub.core.enums import ElderStatus, RequestOrigin, RequestStatus, VisitStatus
from carehub.core.time import local_zone
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.registry.models import (
    Caregiver,
    CarePlan,
    Elder,
    ElderStatusPeriod,
    ServiceType,
    Skill,
    caregiver_skills,
)
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation.locking import ensure_open

CHUNK = 5_000

# (window start, plan id or None for a one-off booking, elder, service, station, lat, lon)
Job = tuple[dt.time, int | None, int, int, int | None, float | None, float | None]
# Each elder's periods away from home (hospital, travel): (start, end or None)
Away = dict[int, list[tuple[dt.date, dt.date | None]]]


@dataclass(frozen=True)
class _Staff:
    services: dict[int, tuple[int, str | None]]  # service id: (minutes, skill code)
    skills: dict[int, set[str]]  # caregiver id: skill codes
    team: dict[int | None, list[int]]  # station id: active caregiver ids

    def able(self, station: int | None, skill: str | None) -> list[int]:
        """The station's caregivers holding ``skill`` (all of them when it needs none)."""
        return [c for c in self.team[station] if skill is None or skill in self.skills[c]]


def generate(
    session: AnySession, month: Month, seed: int = 7, visits_per_elder: float | None = None
) -> int:
    ensure_open(session, month)
    rng = random.Random(seed)
    zone = local_zone()
    staff = _staff(session)
    away = _away_periods(session)
    plans = _located_plans(session, month)
    by_day = _plan_jobs(month, plans, away, _requested_days(session, month))
    if visits_per_elder:
        staffed = {
            station: set().union(*(staff.skills[c] for c in carers))
            for station, carers in staff.team.items()
        }
        _add_bookings(session, month, by_day, plans, away, staffed, visits_per_elder, seed)
    requests, visits = _complete(session, by_day, staff, rng, zone)
    with audit.suppressed():
        for rows, model in ((requests, ServiceRequest), (visits, Visit)):
            for offset in range(0, len(rows), CHUNK):
                session.execute(insert(model), rows[offset : offset + CHUNK])
    audit.record(
        session,
        "seed",
        "Visit",
        note=f"{len(visits)} completed visits for {month}, seed {seed} (bulk, per-row audit off)",
    )
    return len(visits)


def _staff(session: AnySession) -> _Staff:
    services: dict[int, tuple[int, str | None]] = {
        sid: (minutes, skill)
        for sid, minutes, skill in session.execute(
            select(ServiceType.id, ServiceType.duration_min, Skill.code).outerjoin(
                Skill, Skill.id == ServiceType.skill_id
            )
        )
    }
    skills: dict[int, set[str]] = defaultdict(set)
    for cid, code in session.execute(
        select(caregiver_skills.c.caregiver_id, Skill.code).join(
            Skill, Skill.id == caregiver_skills.c.skill_id
        )
    ):
        skills[cid].add(code)
    team: dict[int | None, list[int]] = defaultdict(list)
    for cid, home_station in session.execute(
        select(Caregiver.id, Caregiver.station_id).where(Caregiver.active.is_(True))
    ):
        team[home_station].append(cid)
    return _Staff(services, skills, team)


def _away_periods(session: AnySession) -> Away:
    away: Away = defaultdict(list)
    for eid, status, start, end in session.execute(
        select(
            ElderStatusPeriod.elder_id,
            ElderStatusPeriod.status,
            ElderStatusPeriod.start_date,
            ElderStatusPeriod.end_date,
        )
    ):
        if status != ElderStatus.ACTIVE:
            away[eid].append((start, end))
    return away


def _is_away(away: Away, eid: int, day: dt.date) -> bool:
    return any(s <= day and (e is None or day <= e) for s, e in away.get(eid, ()))


def _located_plans(session: AnySession, month: Month) -> Sequence[Any]:
    """The active plans started by the month's end whose elder has a station and a location,
    by window start."""
    return session.execute(
        select(
            CarePlan.id,
            CarePlan.elder_id,
            CarePlan.service_type_id,
            CarePlan.weekdays_mask,
            CarePlan.window_start,
            CarePlan.start_date,
            CarePlan.end_date,
            Elder.station_id,
            Elder.lat,
            Elder.lon,
        )
        .join(Elder, Elder.id == CarePlan.elder_id)
        .where(
            CarePlan.active.is_(True),
            CarePlan.start_date <= month.last,
            Elder.lat.is_not(None),
            Elder.station_id.is_not(None),
        )
        .order_by(CarePlan.window_start, CarePlan.id)
    ).all()


def _requested_days(session: AnySession, month: Month) -> set[tuple[int | None, dt.date]]:
    """(plan, day) pairs of the month that already have a request."""
    return {
        (plan_id, day)
        for plan_id, day in session.execute(
            select(ServiceRequest.care_plan_id, ServiceRequest.service_date).where(
                ServiceRequest.service_date.between(month.first, month.last),
                ServiceRequest.care_plan_id.is_not(None),
            )
        )
    }


def _plan_jobs(
    month: Month, plans: Sequence[Any], away: Away, taken: set[tuple[int | None, dt.date]]
) -> dict[dt.date, list[Job]]:
    """Each day's plan visits, in the plans' order; days a plan already has a request for
    are left alone, so the command can be repeated."""
    by_day: dict[dt.date, list[Job]] = {}
    day = month.first
    while day <= month.last:
        by_day[day] = [
            (window, pid, eid, sid, station, lat, lon)
            for pid, eid, sid, mask, window, start, end, station, lat, lon in plans
            if not (day < start or (end is not None and day > end))
            and weekdays.includes(mask, day)
            and (pid, day) not in taken
            and not _is_away(away, eid, day)
        ]
        day += dt.timedelta(days=1)
    return by_day


def _complete(
    session: AnySession,
    by_day: dict[dt.date, list[Job]],
    staff: _Staff,
    rng: random.Random,
    zone: dt.tzinfo,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Request and visit rows, with ids following the highest in use, for each job a
    caregiver of the station can do: the station's able caregivers take turns, each one
    visit after another with ten minutes' travel."""
    next_request = (session.scalar(select(func.max(ServiceRequest.id))) or 0) + 1
    next_visit = (session.scalar(select(func.max(Visit.id))) or 0) + 1
    requests: list[dict[str, Any]] = []
    visits: list[dict[str, Any]] = []
    for day, jobs in by_day.items():
        free: dict[int, dt.datetime] = {}
        turn: dict[tuple[int | None, str | None], int] = defaultdict(int)
        for job in jobs:
            window, _pid, _eid, sid, station, _lat, _lon = job
            minutes, skill = staff.services[sid]
            able = staff.able(station, skill)
            if not able:
                continue
            carer = able[turn[(station, skill)] % len(able)]
            turn[(station, skill)] += 1
            opens = dt.datetime.combine(day, window, tzinfo=zone).astimezone(dt.UTC)
            visit = {
                "id": next_visit,
                "request_id": next_request,
                "caregiver_id": carer,
                **_visit_row(rng, job, minutes, opens, max(opens, free.get(carer, opens))),
            }
            free[carer] = visit["check_out_at"] + dt.timedelta(minutes=10)
            requests.append(_request_row(next_request, day, job, opens))
            visits.append(visit)
            next_request += 1
            next_visit += 1
    return requests, visits


def _request_row(request_id: int, day: dt.date, job: Job, opens: dt.datetime) -> dict[str, Any]:
    window, pid, eid, sid, *_where = job
    return {
        "id": request_id,
        "elder_id": eid,
        "service_type_id": sid,
        "care_plan_id": pid,
        "service_date": day,
        "window_start": window,
        "window_end": window,
        "priority": 3,
        "origin": (RequestOrigin.CARE_PLAN if pid else RequestOrigin.PHONE).value,
        "status": RequestStatus.DONE.value,
        "created_at": opens,
    }


def _visit_row(
    rng: random.Random, job: Job, minutes: int, opens: dt.datetime, free: dt.datetime
) -> dict[str, Any]:
    """A completed visit's times and places, without its ids: checked in up to five minutes
    after ``free``, about one in two hundred too short and as many checked in far away."""
    *_what, lat, lon = job
    assert lat is not None and lon is not None  # the query keeps located elders only
    check_in = free + dt.timedelta(seconds=rng.randint(0, 300))
    length = minutes * 60 + rng.randint(0, 300)
    odd = rng.random()
    if odd < 0.005:
        length = minutes * 20  # a third of the standard: too short
    spread = 0.01 if 0.005 <= odd < 0.01 else 0.0003  # about 1 km, or 30 m
    return {
        "planned_start": opens,
        "planned_end": opens + dt.timedelta(minutes=minutes),
        "status": VisitStatus.COMPLETED.value,
        "pinned": False,
        "check_in_at": check_in,
        "check_in_lat": lat + rng.uniform(-spread, spread),
        "check_in_lon": lon + rng.uniform(-spread, spread),
        "check_out_at": check_in + dt.timedelta(seconds=length),
        "check_out_lat": lat + rng.uniform(-0.0003, 0.0003),
        "check_out_lon": lon + rng.uniform(-0.0003, 0.0003),
        "version": 1,
    }


def _add_bookings(
    session: AnySession,
    month: Month,
    by_day: dict[dt.date, list[Job]],
    plans: Sequence[Any],
    away: Away,
    staffed: dict[int | None, set[str]],
    visits_per_elder: float,
    seed: int,
) -> None:
    """Slot one-off bookings into each day's work until the month reaches
    ``visits_per_elder`` visits per elder."""
    wanted = _bookings_wanted(session, month, by_day, visits_per_elder)
    homes = _located_homes(session)
    bookable = _bookable_services(session)
    if wanted <= 0 or not homes or not bookable:
        return
    offered = _offered_slots(staffed, bookable)
    homes = [home for home in homes if offered.get(home[1])]
    if not homes:
        return
    booked = {
        (eid, sid, day)
        for day in by_day
        for _pid, eid, sid, mask, _window, start, end, *_rest in plans
        if start <= day and (end is None or day <= end) and weekdays.includes(mask, day)
    }
    rng = random.Random(seed * 7919 + 1)  # apart from the visits' own stream
    days = sorted(by_day)
    for index, day in enumerate(days):
        share = wanted * (index + 1) // len(days) - wanted * index // len(days)
        extra = _book_day(rng, day, share, homes, offered, booked, away)
        # A stable sort keeps the plans' order, so bookings only slot in between them.
        by_day[day] = sorted(by_day[day] + extra, key=lambda job: job[0])


def _bookings_wanted(
    session: AnySession,
    month: Month,
    by_day: dict[dt.date, list[Job]],
    visits_per_elder: float,
) -> int:
    """How many bookings the month lacks, counting visits recorded and plan visits to come."""
    elder_count = session.scalar(select(func.count(Elder.id))) or 0
    recorded = (
        session.scalar(
            select(func.count(Visit.id))
            .join(ServiceRequest, ServiceRequest.id == Visit.request_id)
            .where(
                Visit.status == VisitStatus.COMPLETED,
                ServiceRequest.service_date.between(month.first, month.last),
            )
        )
        or 0
    )
    return round(visits_per_elder * elder_count) - recorded - sum(map(len, by_day.values()))


def _located_homes(session: AnySession) -> Sequence[Any]:
    """(elder, station, lat, lon) of each elder with a station and a location."""
    return session.execute(
        select(Elder.id, Elder.station_id, Elder.lat, Elder.lon).where(
            Elder.lat.is_not(None), Elder.lon.is_not(None), Elder.station_id.is_not(None)
        )
    ).all()


def _bookable_services(session: AnySession) -> Sequence[Any]:
    """Bookable by telephone: routine single-caregiver services, not emergencies."""
    return session.execute(
        select(ServiceType.id, ServiceType.window_start, ServiceType.window_end, Skill.code)
        .outerjoin(Skill, Skill.id == ServiceType.skill_id)
        .where(
            ServiceType.active.is_(True),
            ServiceType.priority > 1,
            ServiceType.caregivers_needed == 1,
        )
        .order_by(ServiceType.id)
    ).all()


def _offered_slots(
    staffed: dict[int | None, set[str]], bookable: Sequence[Any]
) -> dict[int | None, list[tuple[int, int, int]]]:
    """Per station, (service, first start, last start) in minutes of each bookable service
    its caregivers hold the skill for."""
    offered: dict[int | None, list[tuple[int, int, int]]] = {}
    for station, held in staffed.items():
        offered[station] = []
        for sid, opens, closes, skill in bookable:
            if skill is None or skill in held:
                # Half-hour starts inside the service's window, else 08:00 to 16:30.
                first = opens.hour * 60 + opens.minute if opens else 8 * 60
                last = closes.hour * 60 + closes.minute - 30 if closes else 16 * 60 + 30
                offered[station].append((sid, first, max(first, last)))
    return offered


def _book_day(
    rng: random.Random,
    day: dt.date,
    share: int,
    homes: list[Any],
    offered: dict[int | None, list[tuple[int, int, int]]],
    booked: set[tuple[int, int, dt.date]],
    away: Away,
) -> list[Job]:
    """Up to ``share`` bookings on ``day`` for random elders at home, never an elder's
    service twice a day; ``booked`` gains them."""
    extra: list[Job] = []
    for _attempt in range(share * 20):
        if len(extra) == share:
            break
        eid, station, lat, lon = rng.choice(homes)
        sid, first, last = rng.choice(offered[station])
        if (eid, sid, day) in booked or _is_away(away, eid, day):
            continue
        assert lat is not None and lon is not None  # the query keeps located elders only
        booked.add((eid, sid, day))
        slot = first + 30 * rng.randrange((last - first) // 30 + 1)
        extra.append((dt.time(slot // 60, slot % 60), None, eid, sid, station, lat, lon))
    return extra
