"""One station's day for the moves page: its caregivers on shift (and those lent to its
elders), their visits and meal rounds, drawn by the one timeline builder
(``dispatch.timeline``) from a fixed 07:00-19:00 span at least.

Rows carry the minutes after local midnight at their left edge and the pixels per minute,
so the drag script can turn a drop position back into a start time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from carehub.core.enums import VisitStatus
from carehub.db import AnySession
from carehub.dispatch import timeline, timeline_rows
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.registry.models import Caregiver, Elder, Station

MIN_WIDTH = 12  # pixels: a short visit can still be grabbed
EARLIEST, LATEST = 7 * 60, 19 * 60  # shown at least, in minutes after local midnight


@dataclass(frozen=True)
class DayTimeline:
    day: dt.date
    station: Station
    stations: list[Station]
    timeline: timeline.Timeline


def _loading() -> list[Any]:
    return [
        selectinload(Visit.request).selectinload(ServiceRequest.elder).selectinload(Elder.station),
        selectinload(Visit.request).selectinload(ServiceRequest.service_type),
        selectinload(Visit.caregiver),
        *timeline_rows.round_loading(),
    ]


def build(session: AnySession, day: dt.date, code: str, scope: int | None) -> DayTimeline | None:
    """The timeline of the station ``code`` (a scoped user always gets their own)."""
    query = select(Station).where(Station.active.is_(True)).order_by(Station.code)
    if scope is not None:
        query = query.where(Station.id == scope)
    stations = list(session.scalars(query))
    if code:
        station = next((s for s in stations if s.code == code), None)
        if station is None and scope is None:
            return None
    else:
        station = None
    station = station or (stations[0] if stations else None)
    if station is None:
        return None
    caregivers = {
        c.id: c
        for c in session.scalars(
            select(Caregiver).where(Caregiver.station_id == station.id, Caregiver.active.is_(True))
        )
        if c.works_on(day)
    }
    visits = list(
        session.scalars(
            select(Visit)
            .join(ServiceRequest, Visit.request_id == ServiceRequest.id)
            .join(Elder, ServiceRequest.elder_id == Elder.id)
            .where(
                ServiceRequest.service_date == day,
                or_(Elder.station_id == station.id, Visit.caregiver_id.in_(list(caregivers))),
                Visit.status != VisitStatus.CANCELLED,
                Visit.planned_start.is_not(None),
                Visit.caregiver_id.is_not(None),
            )
            .options(*_loading())
        )
    )
    # Caregivers lent from elsewhere to this station's elders get a row too.
    for v in visits:
        if v.caregiver_id not in caregivers and v.caregiver is not None:
            caregivers[v.caregiver.id] = v.caregiver
    rows = sorted(caregivers.values(), key=lambda c: c.code)
    line = timeline_rows.build(
        rows,
        visits,
        day,
        str(get_locale() or "zh"),
        station_id=station.id,
        span=(EARLIEST, LATEST),
        min_width=MIN_WIDTH,
    )
    return DayTimeline(day, station, stations, line)
