"""A caregiver called in sick: hand the visits of theirs not yet started to others.

The day of the caregiver's station and its nearest neighbours is read as a published plan
(every caregiver's visits in order) and the sick caregiver's visits are inserted back with
``routing.repair.replan.insert``: first among their own station's caregivers, then, for
what is left, among the neighbouring stations' (lent, as the planner lends; a visit the
caregiver was lent for brings its own circle along). Visits already under way or done and pinned
visits stay exactly where they are; others' visits keep their caregiver and order and are
only pushed later as far as needed. A visit that fits nowhere
is left unassigned with the planner's reason: its copy is cancelled and its request is open
again, so the board lists it.

``preview`` changes nothing; ``apply`` plans again, refuses when the outcome or any visit it
writes changed since the preview (``token``), and writes everything in the caller's
transaction, each visit guarded by its version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from carehub.availability import services as absences
from carehub.core import audit
from carehub.core.enums import AbsenceKind, RequestStatus, VisitStatus
from carehub.core.errors import ConflictError, FieldError
from carehub.core.time import local_zone
from carehub.db import AnySession
from carehub.dispatch import adapters, retime
from carehub.dispatch.board import published
from carehub.dispatch.board.published import REASON_SKIPPED, Shift
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.dispatch.planning.services import day_requests, station_caregivers
from carehub.geo.matrix import MatrixProvider
from carehub.registry.models import Caregiver, Elder, Station
from carehub.routing import Plan, Problem
from carehub.routing.problem import REASON_CAPACITY, REASON_NO_CAREGIVER, Route
from carehub.routing.repair.replan import Replan, insert

NOT_STARTED = (VisitStatus.PLANNED, VisitStatus.PUBLISHED)
REASON_PAIR = "two-caregiver visit: choose the second caregiver by hand"
REASON_PASSED = "window already passed"


@dataclass(frozen=True)
class Handover:
    """One of the sick caregiver's visits and where it goes (or why nowhere)."""

    visit: Visit
    caregiver: Caregiver | None = None
    start: dt.datetime | None = None
    lent: bool = False
    reason: str | None = None


@dataclass
class SickPlan:
    caregiver: Caregiver
    day: dt.date
    placed: list[Handover] = field(default_factory=list)
    unplaced: list[Handover] = field(default_factory=list)
    shifts: list[Shift] = field(default_factory=list)
    # New route order of every receiving caregiver: visit id -> route_seq.
    sequence: dict[int, int] = field(default_factory=dict)
    token: str = ""

    @property
    def shifted_minutes(self) -> int:
        return sum(s.minutes for s in self.shifts)

    @property
    def max_shift_minutes(self) -> int:
        return max((s.minutes for s in self.shifts), default=0)


def _sick_visits(session: AnySession, caregiver: Caregiver, day: dt.date) -> list[Visit]:
    return list(
        session.scalars(
            select(Visit)
            .join(ServiceRequest, ServiceRequest.id == Visit.request_id)
            .where(
                Visit.caregiver_id == caregiver.id,
                ServiceRequest.service_date == day,
                Visit.status.in_(NOT_STARTED),
                Visit.check_in_at.is_(None),
            )
            .order_by(Visit.planned_start, Visit.id)
        )
    )


def _day_input(
    session: AnySession,
    caregiver: Caregiver,
    day: dt.date,
    stations: list[Station],
    matrices: MatrixProvider,
) -> adapters.DayInput:
    ids = [s.id for s in stations]
    requests = day_requests(session, day, ids)
    caregivers = [c for c in station_caregivers(session, ids) if c.id != caregiver.id]
    # A caregiver lent to a circle outside these stations is busy there too: without those
    # visits their route looks free and a hand-over would double-book them.
    extra = _lent_requests(session, day, [c.id for c in caregivers], {r.id for r in requests})
    if extra:
        more = {r.elder.station_id for r in extra} - set(ids)
        stations = [*stations, *session.scalars(select(Station).where(Station.id.in_(more)))]
        requests = [*requests, *extra]
    return adapters.build_day(day, stations, requests, caregivers, matrices)


def _lent_requests(
    session: AnySession, day: dt.date, caregiver_ids: list[int], known: set[int]
) -> list[ServiceRequest]:
    """The day's requests outside ``known`` that these caregivers hold a live visit of."""
    if not caregiver_ids:
        return []
    found = session.scalars(
        select(ServiceRequest)
        .join(Visit, Visit.request_id == ServiceRequest.id)
        .where(
            ServiceRequest.service_date == day,
            Visit.caregiver_id.in_(caregiver_ids),
            Visit.status != VisitStatus.CANCELLED,
        )
        .options(
            selectinload(ServiceRequest.visits),
            selectinload(ServiceRequest.elder).selectinload(Elder.status_periods),
            selectinload(ServiceRequest.service_type),
        )
    ).unique()
    return [r for r in found if r.id not in known]


def _insert(
    problem: Problem, plan: Plan, codes: set[str], new: list[str], now_s: int, fixed: frozenset[str]
) -> Replan | None:
    if not codes or not new:
        return None
    part, routes = published.part(problem, plan, codes, new, fixed)
    return insert(part, routes, now_s, new, fixed)


def _passed(visit: Visit, now_s: int) -> bool:
    """Too late to start the visit anywhere within its window."""
    request = visit.request
    latest = adapters.seconds_of(request.window_end) - request.service_type.duration_min * 60
    return now_s > max(adapters.seconds_of(request.window_start), latest)


def _plan(
    session: AnySession,
    caregiver: Caregiver,
    day: dt.date,
    now: dt.datetime,
    matrices: MatrixProvider | None,
) -> SickPlan:
    if day < now.astimezone(local_zone()).date():
        raise FieldError("day", _("A past day cannot be re-planned."))
    out = SickPlan(caregiver, day)
    sick = _sick_visits(session, caregiver, day)
    if not sick:
        return out
    stations = adapters.lending_stations(session, caregiver.station)
    # A visit the caregiver was lent for lies in another circle; that circle comes too.
    for v in sick:
        elder_station = v.request.elder.station
        if elder_station is not None and elder_station not in stations:
            stations.append(elder_station)
    data = _day_input(session, caregiver, day, stations, matrices or published.matrices())
    rows = [
        v for r in data.requests.values() for v in r.visits if v.status != VisitStatus.CANCELLED
    ]
    codes = {c.id: code for code, c in data.caregivers.items()}
    data.problem = adapters.as_planned(data.problem, rows)
    plan, fixed = published.read_routes(data, rows, codes)
    problem = data.problem
    new: list[str] = []
    now_s = published.now_seconds(day, now)
    for v in sick:
        vid = adapters.visit_id(v.request)
        others = [
            o
            for o in v.request.visits
            if o.id != v.id and o.status != VisitStatus.CANCELLED and o.caregiver_id is not None
        ]
        if vid not in data.requests:
            out.unplaced.append(Handover(v, reason=data.skipped.get(v.request_id, REASON_SKIPPED)))
        elif _passed(v, now_s):
            out.unplaced.append(Handover(v, reason=REASON_PASSED))
        elif others:
            out.unplaced.append(Handover(v, reason=REASON_PAIR))
        elif not adapters.anyone_can(data.problem, vid):
            # Said before any insertion, which would only report it found no room.
            out.unplaced.append(Handover(v, reason=REASON_NO_CAREGIVER))
        else:
            new.append(vid)
    home = {code for code, c in data.caregivers.items() if c.station_id == caregiver.station_id}
    lenders = set(data.caregivers) - home
    first = _insert(problem, plan, home, new, now_s, fixed)
    left = [vid for vid in new if first is None or vid not in first.inserted]
    second = _insert(problem, plan, lenders, left, now_s, fixed)
    reasons: dict[str, str] = {}
    for result in (first, second):
        if result is not None:
            reasons.update({u.visit: u.reason for u in result.plan.unassigned})
    _collect(out, data, sick, rows, codes, first, second, reasons)
    return out


def _collect(
    out: SickPlan,
    data: adapters.DayInput,
    sick: list[Visit],
    rows: list[Visit],
    codes: dict[int, str],
    first: Replan | None,
    second: Replan | None,
    reasons: dict[str, str],
) -> None:
    placed: dict[str, tuple[str, int]] = {}
    changed: set[str] = set()
    moves = []
    routes: dict[str, Route] = {}
    for result in (first, second):
        if result is None:
            continue
        for route in result.plan.routes:
            routes[route.caregiver] = route
            for stop in route.stops:
                if stop.visit in result.inserted:
                    placed[stop.visit] = (route.caregiver, stop.start)
                    changed.add(route.caregiver)
        moves += list(result.moves)
    changed |= {m.caregiver for m in moves}
    known = {(adapters.visit_id(v.request), codes.get(v.caregiver_id or 0)): v for v in rows}
    handled = {h.visit.id for h in out.unplaced}
    for v in sick:
        if v.id in handled:
            continue
        vid = adapters.visit_id(v.request)
        if vid in placed:
            code, start = placed[vid]
            # Lent when served from outside the elder's circle, as the planner marks it.
            lent = data.caregivers[code].station_id != v.request.elder.station_id
            out.placed.append(
                Handover(v, data.caregivers[code], adapters.instant_of(data.day, start), lent)
            )
            known[(vid, code)] = v
        else:
            out.unplaced.append(Handover(v, reason=reasons.get(vid, REASON_CAPACITY)))
    for m in moves:
        row = known.get((m.visit, m.caregiver))
        if row is not None:
            out.shifts.append(Shift(row, adapters.instant_of(data.day, m.new_start)))
    for code in sorted(changed):
        for seq, stop in enumerate(routes[code].stops, start=1):
            row = known.get((stop.visit, code))
            if row is not None:
                out.sequence[row.id] = seq
    out.token = _token(out)


def _token(plan: SickPlan) -> str:
    """What the confirm must find unchanged: the outcome and each written visit's version."""
    parts = [
        f"p{h.visit.id}:{h.visit.version}>{h.caregiver.id}@{h.start:%H%M}"
        for h in plan.placed
        if h.caregiver and h.start
    ]
    parts += [f"u{h.visit.id}:{h.visit.version}" for h in plan.unplaced]
    parts += [f"s{s.visit.id}:{s.visit.version}@{s.start:%H%M}" for s in plan.shifts]
    versions = {h.visit.id: h.visit.version for h in plan.placed}
    parts += [f"q{vid}" for vid in sorted(plan.sequence) if vid not in versions]
    return ",".join(sorted(parts))


def preview(
    session: AnySession,
    caregiver: Caregiver,
    day: dt.date,
    now: dt.datetime,
    matrices: MatrixProvider | None = None,
) -> SickPlan:
    """What handing the caregiver's day over would do; changes nothing."""
    return _plan(session, caregiver, day, now, matrices)


def _release_unplaced(plan: SickPlan, caregiver: Caregiver) -> None:
    """Cancel the visits that fit nowhere; a request left without a visit is open again."""
    for h in plan.unplaced:
        h.visit.status = VisitStatus.CANCELLED
        h.visit.note = f"{caregiver.code} sick: {h.reason}"
        request = h.visit.request
        if request.status == RequestStatus.SCHEDULED and not any(
            o.status != VisitStatus.CANCELLED for o in request.visits if o.id != h.visit.id
        ):
            request.status = RequestStatus.OPEN


def _changes(plan: SickPlan) -> dict[int, retime.Change]:
    """The shifted and the handed-over visits' new times, caregivers and places in order."""
    changes: dict[int, retime.Change] = {}
    for s in plan.shifts:
        order = {"route_seq": plan.sequence[s.visit.id]} if s.visit.id in plan.sequence else {}
        changes[s.visit.id] = retime.Change(
            s.visit, s.start, s.start + published.visit_length(s.visit), order
        )
    for h in plan.placed:
        assert h.caregiver is not None and h.start is not None
        fields: dict[str, object] = {"caregiver": h.caregiver, "lent": h.lent}
        if h.visit.id in plan.sequence:
            fields["route_seq"] = plan.sequence[h.visit.id]
        changes[h.visit.id] = retime.Change(
            h.visit, h.start, h.start + published.visit_length(h.visit), fields
        )
    return changes


def _write(session: AnySession, changes: dict[int, retime.Change]) -> None:
    try:
        # Cancelled visits first: the time they leave is free before anything moves in.
        session.flush()
        retime.write(session, list(changes.values()))
    except StaleDataError:
        raise ConflictError(
            _("Someone else changed these visits meanwhile. Nothing was saved; try again.")
        ) from None


def _resequence_rest(
    session: AnySession, plan: SickPlan, changes: dict[int, retime.Change]
) -> None:
    """Renumber the visits whose place in a route changed but whose time did not."""
    for vid, seq in plan.sequence.items():
        if vid in changes:
            continue
        row = session.get(Visit, vid)
        if row is not None and row.route_seq != seq:
            row.route_seq = seq


def _record(
    session: AnySession, caregiver: Caregiver, day: dt.date, now: dt.datetime, plan: SickPlan
) -> None:
    audit.record(
        session,
        "caregiver_sick",
        "Caregiver",
        caregiver.id,
        after={
            "day": day.isoformat(),
            "placed": len(plan.placed),
            "unplaced": len(plan.unplaced),
            "shifted": len(plan.shifts),
            "shifted_minutes": plan.shifted_minutes,
        },
    )
    # Kept as an absence, so later plans and proposals leave the caregiver out of the day.
    start, end = absences.day_bounds(day)
    if max(start, now) < end:
        absences.record(session, caregiver, AbsenceKind.SICK, max(start, now), end)


def apply(
    session: AnySession,
    caregiver: Caregiver,
    day: dt.date,
    now: dt.datetime,
    token: str,
    matrices: MatrixProvider | None = None,
) -> SickPlan:
    """Carry out the previewed hand-over; flushes, the caller commits or rolls back."""
    plan = _plan(session, caregiver, day, now, matrices)
    if not plan.token or plan.token != token:
        raise ConflictError(
            _("The day changed since the preview. Check the new preview and confirm again.")
        )
    _release_unplaced(plan, caregiver)
    changes = _changes(plan)
    _write(session, changes)
    _resequence_rest(session, plan, changes)
    _record(session, caregiver, day, now, plan)
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError(
            _("Someone else changed these visits meanwhile. Nothing was saved; try again.")
        ) from None
    return plan
