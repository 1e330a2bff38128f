"""Meal rounds: each batch of meals a plan collects at a kitchen becomes a ``MealRound`` row,
and the meals' visits refer to it. Also what the packing list and the phone read.

A re-plan deletes the merely planned drops with their visits, so a round left without any
visit goes too; a published drop keeps the round it was published in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload

from carehub.core.enums import VisitStatus
from carehub.db import AnySession
from carehub.dispatch.adapters import DayInput, instant_of, kept_visits
from carehub.dispatch.models import MealRound, ServiceRequest, Visit
from carehub.registry.models import Caregiver, Elder
from carehub.routing import Plan


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
