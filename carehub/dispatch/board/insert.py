"""Insert one unassigned request into today's published routes, previewed first.

The same machinery as a caregiver called in sick (``sick._published`` reads every route of
the day, ``routing.replan.insert`` places the request where it moves least), so the preview
shows the caregiver(s), the start and every visit pushed later; confirming writes exactly
that, or refuses when the day changed since the preview.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _

from carehub.core import audit
from carehub.core.enums import RequestStatus, VisitStatus
from carehub.core.errors import ConflictError, FieldError
from carehub.core.time import local_zone
from carehub.db import AnySession
from carehub.dispatch import adapters, retime
from carehub.dispatch.board import sick
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.dispatch.planning.services import day_requests, station_caregivers
from carehub.geo.matrix import MatrixProvider
from carehub.registry.models import Caregiver
from carehub.routing.problem import REASON_CAPACITY
from carehub.routing.replan import insert

LIVE = (VisitStatus.PUBLISHED, VisitStatus.CHECKED_IN, VisitStatus.COMPLETED)


@dataclass
class InsertPlan:
    request: ServiceRequest
    placed: list[tuple[Caregiver, dt.datetime, bool]] = field(default_factory=list)
    reason: str | None = None
    shifts: list[sick.Shift] = field(default_factory=list)
    sequence: dict[int, int] = field(default_factory=dict)
    token: str = ""

    @property
    def shifted_minutes(self) -> int:
        return sum(s.minutes for s in self.shifts)


def insertable(request: ServiceRequest, now: dt.datetime) -> bool:
    today = now.astimezone(local_zone()).date()
    return (
        request.status == RequestStatus.OPEN
        and request.service_date == today
        and not any(v.status != VisitStatus.CANCELLED for v in request.visits)
    )


def preview(
    session: AnySession,
    request: ServiceRequest,
    now: dt.datetime,
    matrices: MatrixProvider | None = None,
) -> InsertPlan:
    """Where the request would go; changes nothing."""
    if not insertable(request, now):
        raise FieldError(
            "request_id", _("Only an open request of today without a visit can be inserted.")
        )
    day = request.service_date
    out = InsertPlan(request)
    home = request.elder.station
    if home is None:
        out.reason = sick.REASON_SKIPPED
        return out
    stations = adapters.lending_stations(session, home)
    ids = [s.id for s in stations]
    data = adapters.build_day(
        day,
        stations,
        day_requests(session, day, ids),
        station_caregivers(session, ids),
        matrices or sick._matrices(),
    )
    vid = adapters.visit_id(request)
    if vid not in data.requests:
        out.reason = data.skipped.get(request.id, sick.REASON_SKIPPED)
        return out
    rows = [v for r in data.requests.values() for v in r.visits if v.status in LIVE]
    codes = {c.id: code for code, c in data.caregivers.items()}
    data.problem = adapters.as_planned(data.problem, rows)
    plan, fixed = sick._published(data, rows, codes)
    part, published = sick._part(data.problem, plan, set(data.caregivers), [vid], fixed)
    result = insert(part, published, sick._now_seconds(day, now), [vid], fixed)
    if vid not in result.inserted:
        out.reason = next((u.reason for u in result.plan.unassigned if u.visit == vid), None)
        out.reason = out.reason or REASON_CAPACITY
        return out
    known = {(adapters.visit_id(v.request), codes.get(v.caregiver_id or 0)): v for v in rows}
    changed = {m.caregiver for m in result.moves}
    for route in result.plan.routes:
        for stop in route.stops:
            if stop.visit == vid:
                cg = data.caregivers[route.caregiver]
                lent = cg.station_id != request.elder.station_id
                out.placed.append((cg, adapters.instant_of(day, stop.start), lent))
                changed.add(route.caregiver)
    for m in result.moves:
        row = known.get((m.visit, m.caregiver))
        if row is not None:
            out.shifts.append(sick.Shift(row, adapters.instant_of(day, m.new_start)))
    for route in result.plan.routes:
        if route.caregiver in changed:
            for seq, stop in enumerate(route.stops, start=1):
                row = known.get((stop.visit, route.caregiver))
                if row is not None:
                    out.sequence[row.id] = seq
    parts = [f"p{c.id}@{t:%H%M}" for c, t, _ in out.placed]
    parts += [f"s{s.visit.id}:{s.visit.version}@{s.start:%H%M}" for s in out.shifts]
    parts += [f"q{k}:{v}" for k, v in sorted(out.sequence.items())]
    out.token = ",".join(sorted(parts))
    return out


def apply(
    session: AnySession,
    request: ServiceRequest,
    now: dt.datetime,
    token: str,
    matrices: MatrixProvider | None = None,
) -> InsertPlan:
    """Write the previewed insertion; flushes, the caller commits or rolls back."""
    plan = preview(session, request, now, matrices)
    if not plan.placed or plan.token != token:
        raise ConflictError(
            _("The day changed since the preview. Check the new preview and confirm again.")
        )
    length = dt.timedelta(minutes=request.service_type.duration_min)
    retime.write(
        session,
        [retime.Change(s.visit, s.start, s.start + sick._length(s.visit)) for s in plan.shifts],
    )
    for vid, seq in plan.sequence.items():
        row = session.get(Visit, vid)
        if row is not None and row.route_seq != seq:
            row.route_seq = seq
    for cg, start, lent in plan.placed:
        session.add(
            Visit(
                request=request,
                caregiver=cg,
                planned_start=start,
                planned_end=start + length,
                status=VisitStatus.PUBLISHED,
                published_at=now,
                pinned=False,
                lent=lent,
            )
        )
    request.status = RequestStatus.SCHEDULED
    session.flush()
    audit.record(
        session,
        "insert_request",
        "ServiceRequest",
        request.id,
        after={
            "caregivers": [c.code for c, _, _ in plan.placed],
            "start": plan.placed[0][1].isoformat(),
            "shifted": len(plan.shifts),
            "shifted_minutes": plan.shifted_minutes,
        },
    )
    return plan
