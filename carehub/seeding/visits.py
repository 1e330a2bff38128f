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


def generate(
    session: AnySession, month: Month, seed: int = 7, visits_per_elder: float | None = None
) -> int:
    ensure_open(session, month)
    rng = random.Random(seed)
    zone = local_zone()
    services = {
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
    away: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
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
    plans = session.execute(
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
    # Days a plan already has a request for are left alone, so the command can be repeated.
    taken = {
        (plan_id, day)
        for plan_id, day in session.execute(
            select(ServiceRequest.care_plan_id, ServiceRequest.service_date).where(
                ServiceRequest.service_date.between(month.first, month.last),
                ServiceRequest.care_plan_id.is_not(None),
            )
        )
    }
    by_day: dict[dt.date, list[Job]] = {}
    day = month.first
    while day <= month.last:
        by_day[day] = [
            (window, pid, eid, sid, station, lat, lon)
            for pid, eid, sid, mask, window, start, end, station, lat, lon in plans
            if not (day < start or (end is not None and day > end))
            and weekdays.includes(mask, day)
            and (pid, day) not in taken
            and not any(s <= day and (e is None or day <= e) for s, e in away.get(eid, ()))
        ]
        day += dt.timedelta(days=1)
    if visits_per_elder:
        staffed = {
            station: set().union(*(skills[c] for c in carers)) for station, carers in team.items()
        }
        _add_bookings(session, month, by_day, plans, away, staffed, visits_per_elder, seed)
    next_request = (session.scalar(select(func.max(ServiceRequest.id))) or 0) + 1
    next_visit = (session.scalar(select(func.max(Visit.id))) or 0) + 1
    requests: list[dict[str, Any]] = []
    visits: list[dict[str, Any]] = []
    for day, jobs in by_day.items():
        free: dict[int, dt.datetime] = {}
        turn: dict[tuple[int | None, str | None], int] = defaultdict(int)
        for window, pid, eid, sid, station, lat, lon in jobs:
            assert lat is not None and lon is not None  # the query keeps located elders only
            minutes, skill = services[sid]
            able = [c for c in team[station] if skill is None or skill in skills[c]]
            if not able:
                continue
            carer = able[turn[(station, skill)] % len(able)]
            turn[(station, skill)] += 1
            opens = dt.datetime.combine(day, window, tzinfo=zone).astimezone(dt.UTC)
            check_in = max(opens, free.get(carer, opens)) + dt.timedelta(
                seconds=rng.randint(0, 300)
            )
            length = minutes * 60 + rng.randint(0, 300)
            odd = rng.random()
            if odd < 0.005:
                length = minutes * 20  # a third of the standard: too short
            check_out = check_in + dt.timedelta(seconds=length)
            free[carer] = check_out + dt.timedelta(minutes=10)
            spread = 0.01 if 0.005 <= odd < 0.01 else 0.0003  # about 1 km, or 30 m
            requests.append(
                {
                    "id": next_request,
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
            )
            visits.append(
                {
                    "id": next_visit,
                    "request_id": next_request,
                    "caregiver_id": carer,
                    "planned_start": opens,
                    "planned_end": opens + dt.timedelta(minutes=minutes),
                    "status": VisitStatus.COMPLETED.value,
                    "pinned": False,
                    "check_in_at": check_in,
                    "check_in_lat": lat + rng.uniform(-spread, spread),
                    "check_in_lon": lon + rng.uniform(-spread, spread),
                    "check_out_at": check_out,
                    "check_out_lat": lat + rng.uniform(-0.0003, 0.0003),
                    "check_out_lon": lon + rng.uniform(-0.0003, 0.0003),
                    "version": 1,
                }
            )
            next_request += 1
            next_visit += 1
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


def _add_bookings(
    session: AnySession,
    month: Month,
    by_day: dict[dt.date, list[Job]],
    plans: Sequence[Any],
    away: dict[int, list[tuple[dt.date, dt.date | None]]],
    staffed: dict[int | None, set[str]],
    visits_per_elder: float,
    seed: int,
) -> None:
    """Slot one-off bookings into each day's work until the month reaches
    ``visits_per_elder`` visits per elder."""
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
    wanted = round(visits_per_elder * elder_count) - recorded - sum(map(len, by_day.values()))
    homes = session.execute(
        select(Elder.id, Elder.station_id, Elder.lat, Elder.lon).where(
            Elder.lat.is_not(None), Elder.lon.is_not(None), Elder.station_id.is_not(None)
        )
    ).all()
    # Bookable by telephone: routine single-caregiver services, not emergencies.
    bookable = session.execute(
        select(ServiceType.id, ServiceType.window_start, ServiceType.window_end, Skill.code)
        .outerjoin(Skill, Skill.id == ServiceType.skill_id)
        .where(
            ServiceType.active.is_(True),
            ServiceType.priority > 1,
            ServiceType.caregivers_needed == 1,
        )
        .order_by(ServiceType.id)
    ).all()
    if wanted <= 0 or not homes or not bookable:
        return
    offered: dict[int | None, list[tuple[int, int, int]]] = {}
    for station, held in staffed.items():
        offered[station] = []
        for sid, opens, closes, skill in bookable:
            if skill is None or skill in held:
                # Half-hour starts inside the service's window, else 08:00 to 16:30.
                first = opens.hour * 60 + opens.minute if opens else 8 * 60
                last = closes.hour * 60 + closes.minute - 30 if closes else 16 * 60 + 30
                offered[station].append((sid, first, max(first, last)))
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
        extra: list[Job] = []
        for _attempt in range(share * 20):
            if len(extra) == share:
                break
            eid, station, lat, lon = rng.choice(homes)
            sid, first, last = rng.choice(offered[station])
            if (eid, sid, day) in booked or any(
                s <= day and (e is None or day <= e) for s, e in away.get(eid, ())
            ):
                continue
            assert lat is not None and lon is not None  # the query keeps located elders only
            booked.add((eid, sid, day))
            slot = first + 30 * rng.randrange((last - first) // 30 + 1)
            extra.append((dt.time(slot // 60, slot % 60), None, eid, sid, station, lat, lon))
        # A stable sort keeps the plans' order, so bookings only slot in between them.
        by_day[day] = sorted(by_day[day] + extra, key=lambda job: job[0])
