"""Where a caregiver is now, or will be next, and the rest of their published day.

In order of trust: the visit they are checked in at (free when its service time is up);
else the place of their last check-in today, once checked out; else the visit they are due
at now or heading to within ``HEADING_MIN``; else home, or their station without a home.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from carehub.core.enums import VisitStatus
from carehub.dispatch.models import Visit
from carehub.geo.travel import LatLon
from carehub.registry.models import Caregiver

# A caregiver whose next visit starts this soon is taken to be on the way to it.
HEADING_MIN = 30

AT_VISIT = "at_visit"
LAST_CHECK_IN = "last_check_in"
NEXT_VISIT = "next_visit"
HOME = "home"
STATION = "station"


@dataclass(frozen=True)
class Stop:
    """A published visit still ahead: where, and when it was promised to start and end."""

    visit_id: int
    at: LatLon
    start: dt.datetime
    minutes: int


@dataclass(frozen=True)
class Position:
    source: str
    at: LatLon
    free_at: dt.datetime
    ahead: tuple[Stop, ...]


def _place(visit: Visit) -> LatLon | None:
    elder = visit.request.elder
    if elder.lat is None or elder.lon is None:
        return None
    return (elder.lat, elder.lon)


def _minutes(visit: Visit) -> int:
    if visit.planned_start and visit.planned_end:
        return max(0, int((visit.planned_end - visit.planned_start).total_seconds() // 60))
    return int(visit.request.service_type.duration_min)


def _home(caregiver: Caregiver) -> tuple[str, LatLon]:
    if caregiver.home_lat is not None and caregiver.home_lon is not None:
        return HOME, (caregiver.home_lat, caregiver.home_lon)
    return STATION, (caregiver.station.lat, caregiver.station.lon)


def locate(caregiver: Caregiver, today: list[Visit], now: dt.datetime) -> Position:
    """``today``: the caregiver's visits of the local day, any status."""
    ahead = tuple(
        Stop(v.id, place, v.planned_start, _minutes(v))
        for v in sorted(today, key=lambda v: (v.planned_start or now, v.id))
        if v.status == VisitStatus.PUBLISHED
        and v.check_in_at is None
        and v.planned_start is not None
        and (place := _place(v)) is not None
    )
    inside = [v for v in today if v.check_in_at is not None and v.check_out_at is None]
    if inside:
        v = max(inside, key=lambda v: v.check_in_at)  # type: ignore[arg-type, return-value]
        at = _place(v) or (v.check_in_lat, v.check_in_lon)
        done = v.check_in_at + dt.timedelta(minutes=_minutes(v))  # type: ignore[operator]
        return Position(AT_VISIT, at, max(now, done), ahead)  # type: ignore[arg-type]
    checked = [v for v in today if v.check_in_at is not None]
    if checked:
        v = max(checked, key=lambda v: v.check_in_at)  # type: ignore[arg-type, return-value]
        if v.check_in_lat is not None and v.check_in_lon is not None:
            return Position(LAST_CHECK_IN, (v.check_in_lat, v.check_in_lon), now, ahead)
        place = _place(v)
        if place is not None:
            return Position(LAST_CHECK_IN, place, now, ahead)
    if ahead and ahead[0].start <= now + dt.timedelta(minutes=HEADING_MIN):
        return Position(NEXT_VISIT, ahead[0].at, now, ahead)
    source, at = _home(caregiver)
    return Position(source, at, now, ahead)
