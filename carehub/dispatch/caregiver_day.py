"""One day's availability as the planner reads it: each caregiver's workable shift (after
now, outside approved absences), where they start from, and each elder's caregiver rules.

Called by ``dispatch.adapters.build_day`` so that every path building a routing problem
(planning, moves, the sick hand-over) sees the same caregivers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import object_session

from carehub.availability import services
from carehub.availability.shifts import Shift, available
from carehub.core.enums import VisitStatus
from carehub.core.time import local_zone
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.geo.travel import LatLon
from carehub.registry.models import Caregiver
from carehub.routing import Break

LIVE = frozenset({VisitStatus.PUBLISHED, VisitStatus.CHECKED_IN, VisitStatus.COMPLETED})


@dataclass(frozen=True)
class Start:
    shift: Shift
    at: LatLon | None  # None: from home


def _secs(instant: dt.datetime, day: dt.date) -> int:
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=local_zone())
    return int((instant - midnight).total_seconds())


def now_seconds(day: dt.date, now: dt.datetime | None) -> int | None:
    """Seconds since local midnight when ``now`` falls on ``day``; None for another day."""
    if now is None or now.astimezone(local_zone()).date() != day:
        return None
    return _secs(now, day)


def _last_place(v: Visit) -> LatLon | None:
    if v.check_out_lat is not None and v.check_out_lon is not None:
        return (v.check_out_lat, v.check_out_lon)
    elder = v.request.elder
    return (elder.lat, elder.lon) if elder.lat is not None and elder.lon is not None else None


def started_before(request: ServiceRequest, now: dt.datetime) -> bool:
    """A request whose live visit began before now: it belongs to the past of the day."""
    return any(
        v.status in LIVE and v.planned_start is not None and v.planned_start < now
        for v in request.visits
    )


def starts(
    day: dt.date,
    caregivers: Sequence[Caregiver],
    requests: Sequence[ServiceRequest],
    lunches: dict[str, Break | None],
    now: dt.datetime | None,
) -> dict[str, Start]:
    """Per caregiver code, the shift still workable and the place it starts from; a caregiver
    away all of it is left out."""
    session = object_session(caregivers[0]) if caregivers else None
    away: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    if session is not None:
        lo, hi = services.day_bounds(day)
        away = services.approved_between(session, [c.id for c in caregivers], lo, hi)
    now_s = now_seconds(day, now)
    last: dict[int, Visit] = {}
    if now_s is not None:
        assert now is not None
        for r in requests:
            for v in r.visits:
                if (
                    v.caregiver_id is not None
                    and v.status in LIVE
                    and v.planned_start is not None
                    and v.planned_start < now
                ):
                    held = last.get(v.caregiver_id)
                    if held is None or held.planned_start < v.planned_start:  # type: ignore[operator]
                        last[v.caregiver_id] = v
    out: dict[str, Start] = {}
    for c in caregivers:
        spans = [(_secs(a, day), _secs(b, day)) for a, b in away.get(c.id, [])]
        free = now_s
        at = None
        prev = last.get(c.id)
        if prev is not None and now_s is not None:
            at = _last_place(prev)
            if prev.status != VisitStatus.COMPLETED and prev.planned_end is not None:
                free = max(now_s, _secs(prev.planned_end, day))
        shift = available(
            c.shift_start.hour * 3600 + c.shift_start.minute * 60,
            c.shift_end.hour * 3600 + c.shift_end.minute * 60,
            lunches.get(c.code),
            spans,
            not_before=free,
        )
        if shift is not None:
            out[c.code] = Start(shift, at)
    return out
