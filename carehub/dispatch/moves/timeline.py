"""One station's day as a timeline: a row per caregiver, a block per planned visit.

Rows carry the minutes after local midnight at their left edge and the pixels per minute,
so the drag script can turn a drop position back into a start time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from carehub.core.enums import VisitStatus
from carehub.core.time import to_local
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.registry.models import Caregiver, Elder, Station

PX_PER_MINUTE = 1.5
EARLIEST, LATEST = 7 * 60, 19 * 60  # shown at least, in minutes after local midnight


@dataclass
class Block:
    visit: Visit
    start: int  # minutes after local midnight
    minutes: int
    left: float = 0.0
    width: float = 0.0
    # A visit of this station's caregiver at another station's elder: shown, so the row is
    # not read as free then, but dragged on that station's timeline.
    away: bool = False


@dataclass
class Row:
    caregiver: Caregiver
    shift: tuple[int, int]
    blocks: list[Block] = field(default_factory=list)
    shift_left: float = 0.0
    shift_width: float = 0.0


@dataclass
class Timeline:
    day: dt.date
    station: Station
    stations: list[Station]
    rows: list[Row]
    start: int
    end: int
    px: float = PX_PER_MINUTE

    @property
    def width(self) -> float:
        return (self.end - self.start) * self.px

    @property
    def hours(self) -> list[tuple[str, float]]:
        return [
            (f"{m // 60:02d}:00", (m - self.start) * self.px)
            for m in range(self.start, self.end + 1, 60)
        ]


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _length(v: Visit) -> int:
    if v.planned_start is not None and v.planned_end is not None:
        return max(1, round((v.planned_end - v.planned_start).total_seconds() / 60))
    return v.request.service_type.duration_min


def build(session: AnySession, day: dt.date, code: str, scope: int | None) -> Timeline | None:
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
            .options(
                selectinload(Visit.request).selectinload(ServiceRequest.elder),
                selectinload(Visit.request).selectinload(ServiceRequest.service_type),
            )
        )
    )
    # Caregivers lent from elsewhere to this station's elders get a row too.
    for v in visits:
        if v.caregiver_id not in caregivers and v.caregiver is not None:
            caregivers[v.caregiver.id] = v.caregiver
    rows = {
        cid: Row(c, (_minutes(c.shift_start), _minutes(c.shift_end)))
        for cid, c in caregivers.items()
    }
    for v in visits:
        local = to_local(v.planned_start)
        assert local is not None
        start = local.hour * 60 + local.minute
        rows[v.caregiver_id].blocks.append(  # type: ignore[index]
            Block(
                v,
                start,
                _length(v),
                away=v.request.elder.station_id != station.id,
            )
        )
    edges = [m for r in rows.values() for m in r.shift]
    edges += [b.start for r in rows.values() for b in r.blocks]
    edges += [b.start + b.minutes for r in rows.values() for b in r.blocks]
    first = min([EARLIEST, *edges]) // 60 * 60
    last = -(-max([LATEST, *edges]) // 60) * 60
    timeline = Timeline(
        day, station, stations, sorted(rows.values(), key=lambda r: r.caregiver.code), first, last
    )
    for r in timeline.rows:
        r.shift_left = (r.shift[0] - first) * timeline.px
        r.shift_width = (r.shift[1] - r.shift[0]) * timeline.px
        r.blocks.sort(key=lambda b: b.start)
        for b in r.blocks:
            b.left = (b.start - first) * timeline.px
            b.width = max(b.minutes * timeline.px, 12)
    return timeline
