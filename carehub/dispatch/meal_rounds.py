"""Meal rounds: each batch of meals a plan collects at a kitchen becomes a ``MealRound`` row,
and the meals' visits refer to it. Also what the packing list and the phone read.

A re-plan deletes the merely planned drops with their visits, so a round left without any
visit goes too; a published drop keeps the round it was published in.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload

from carehub.core.enums import VisitStatus
from carehub.db import AnySession
from carehub.dispatch import adapters
from carehub.dispatch.adapters import DayInput, instant_of, kept_visits
from carehub.dispatch.models import MealRound, ServiceRequest, Visit
from carehub.registry.models import Caregiver, Elder
from carehub.routing import Collection, Plan, Problem, Route


def write(
    session: AnySession, data: DayInput, plan: Plan, rows: Iterable[Visit]
) -> list[MealRound]:
    """A round for every collection of ``plan``; the new visit ``rows`` join theirs.

    A collection whose meals are all published drops already in a round adds nothing."""
    new = {(v.caregiver.code, v.request.id): v for v in rows if v.caregiver is not None}
    rounds: list[MealRound] = []
    for route in plan.routes:
        caregiver = data.caregivers[route.caregiver]
        position = 0
        for collection in route.collections:
            joining: list[Visit] = []
            for vid in collection.meals:
                request = data.requests[vid]
                row = new.get((caregiver.code, request.id))
                if row is not None:
                    joining.append(row)
                else:
                    joining += [
                        v
                        for v in kept_visits(request)
                        if v.caregiver_id == caregiver.id and v.meal_round_id is None
                    ]
            if not joining:
                continue
            source = data.kitchens[collection.kitchen]
            position += 1
            found = MealRound(
                service_date=data.day,
                caregiver=caregiver,
                kitchen_id=source.kitchen_id,
                canteen_station_id=source.station_id,
                collect_at=instant_of(data.day, collection.start),
                position=position,
            )
            session.add(found)
            for visit in joining:
                visit.meal_round = found
            rounds.append(found)
    session.flush()
    return rounds


Planned = tuple[str, tuple[str, ...], int]  # kitchen key, routing visit ids, collect seconds


def planned_rounds(
    rows: Iterable[Visit], codes: Mapping[int, str], day: dt.date
) -> dict[str, list[Planned]]:
    """Each caregiver's stored rounds, by routing caregiver id: where they collect, the
    drops (in planned order) and when, for routes rebuilt from the rows."""
    drops: dict[int, list[Visit]] = defaultdict(list)
    for row in rows:
        if row.meal_round is not None and row.caregiver_id in codes:
            drops[row.meal_round.id].append(row)
    out: dict[str, list[Planned]] = defaultdict(list)
    for group in drops.values():
        found = group[0].meal_round
        assert found is not None
        far = dt.datetime.max.replace(tzinfo=dt.UTC)
        group.sort(key=lambda v: (v.planned_start or far, v.route_seq or 0, v.id))
        meals = tuple(adapters.visit_id(v.request) for v in group)
        start = adapters.local_seconds(found.collect_at, day)
        if found.collected_at is not None:
            # Collected already, perhaps before its planned time: the round is under way, so
            # a re-plan neither moves it nor adds a meal to it.
            start = min(start, adapters.local_seconds(found.collected_at, day))
        out[codes[found.caregiver_id]].append((found.kitchen_key, meals, start))
    return out


def collections(
    problem: Problem, stops: Sequence[str], planned: Iterable[Planned]
) -> tuple[Collection, ...]:
    """The planned rounds as collections of a route with these stops: each just before the
    first of its drops still on the route, listing those drops. A round at a kitchen the
    problem no longer has (its station named another since) is left out."""
    at = {vid: i for i, vid in enumerate(stops)}
    known = {k.id for k in problem.kitchens}
    found = []
    for kitchen, meals, start in planned:
        if kitchen not in known:
            continue
        present = tuple(sorted((m for m in meals if m in at), key=at.__getitem__))
        if present:
            found.append(Collection(kitchen, at[present[0]], start, start, present))
    return tuple(sorted(found, key=lambda c: (c.before, c.start)))


def retime(
    routes: Mapping[str, Route], rows: Mapping[tuple[str, str], Visit], day: dt.date
) -> None:
    """Each round collected when its re-timed route now collects it. A collection's first
    meal may be one not yet written (a meal joining the round): any stored drop names it."""
    for code, route in routes.items():
        for col in route.collections:
            found = next(
                (
                    row.meal_round
                    for row in (rows.get((code, m)) for m in col.meals)
                    if row is not None and row.meal_round is not None
                ),
                None,
            )
            if found is not None and found.collect_at != instant_of(day, col.start):
                found.collect_at = instant_of(day, col.start)


def regroup_moved(session: AnySession, visit: Visit, target: Caregiver) -> None:
    """A drop moved to another caregiver leaves its round for a round of its own on the
    target's day, collected at the same kitchen and time."""
    old = visit.meal_round
    if old is None or old.caregiver_id == target.id:
        return
    last = session.scalar(
        select(func.max(MealRound.position)).where(
            MealRound.caregiver_id == target.id, MealRound.service_date == old.service_date
        )
    )
    visit.meal_round = MealRound(
        service_date=old.service_date,
        caregiver=target,
        kitchen_id=old.kitchen_id,
        canteen_station_id=old.canteen_station_id,
        collect_at=old.collect_at,
        position=(last or 0) + 1,
    )
    session.flush()
    drop_empty(session, [old.service_date])


def drop_empty(session: AnySession, days: Iterable[dt.date]) -> None:
    """Delete the rounds of these days that no visit refers to any more."""
    wanted = sorted(set(days))
    if not wanted:
        return
    # One by one rather than a bulk delete, so the audit log sees each.
    for found in session.scalars(
        select(MealRound)
        .where(MealRound.service_date.in_(wanted))
        .where(~exists().where(Visit.meal_round_id == MealRound.id))
    ):
        session.delete(found)
    session.flush()


def live_visits(found: MealRound) -> list[Visit]:
    """The round's drops in route order, leaving out cancelled ones."""
    return sorted(
        (v for v in found.visits if v.status != VisitStatus.CANCELLED),
        key=lambda v: (v.route_seq or 0, v.id),
    )


def packing_list(session: AnySession, station_id: int, day: dt.date) -> list[MealRound]:
    """The day's rounds ridden by the station's caregivers or carrying its elders' meals,
    by collection time."""
    ours = (
        select(Visit.meal_round_id)
        .join(ServiceRequest, Visit.request_id == ServiceRequest.id)
        .join(Elder, ServiceRequest.elder_id == Elder.id)
        .where(Elder.station_id == station_id, Visit.meal_round_id.is_not(None))
    )
    return list(
        session.scalars(
            select(MealRound)
            .join(Caregiver, MealRound.caregiver_id == Caregiver.id)
            .where(MealRound.service_date == day)
            .where(or_(Caregiver.station_id == station_id, MealRound.id.in_(ours)))
            .options(
                selectinload(MealRound.visits)
                .selectinload(Visit.request)
                .selectinload(ServiceRequest.elder),
                selectinload(MealRound.caregiver),
                selectinload(MealRound.kitchen),
                selectinload(MealRound.canteen_station),
            )
            .order_by(MealRound.collect_at, Caregiver.code, MealRound.position)
        )
    )
