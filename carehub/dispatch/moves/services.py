"""Manual changes to planned visits: move one to another caregiver or time, pin, unpin.

A move is first previewed: the affected caregivers' routes are re-timed with the visit in
its new place and checked by ``routing.validate``, the same check every planning run
passes. Only what the move newly breaks is reported. Saving repeats the check on fresh
data and then:

* saves at once when nothing is broken;
* needs the dispatcher's confirmation for soft findings (the visit is lent to another
  station, it or other visits were already published, other visits change time);
* needs an explicit override with a written reason for hard findings (the validator's
  violations). The dispatcher knows things the planner cannot (the elder agreed to a later
  time, the caregiver agreed to stay late), so refusing would only push the change out of
  the system; the reason and the broken rules go into the audit log.

A moved visit is pinned: re-planning the day keeps it with its caregiver and time. Every
write is guarded by the visit's version; a stale version is a conflict and nothing is
written. Services flush, never commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from carehub.availability import services as absences
from carehub.core import audit
from carehub.core import time as clock
from carehub.core.enums import Gender, VisitStatus, label
from carehub.core.errors import ConflictError, DomainError, FieldError
from carehub.db import AnySession
from carehub.dispatch import adapters, meal_rounds, retime
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.dispatch.moves import routes as move_routes
from carehub.geo.matrix import MatrixProvider, provider
from carehub.geo.travel import current_model
from carehub.registry.models import Caregiver, ServiceType, Station
from carehub.routing import Plan, Problem, Route, Violation

MOVABLE = frozenset({VisitStatus.PLANNED, VisitStatus.PUBLISHED})
MIN_REASON = 5  # characters


class VisitNotFound(DomainError):
    status_code = 404


class MoveConflict(ConflictError):
    """The visit changed since the dispatcher loaded it; ``visit`` is its current state."""

    def __init__(self, visit: Visit | None) -> None:
        super().__init__(_("Someone else changed this visit first. Nothing of yours was saved."))
        self.visit = visit


@dataclass(frozen=True)
class Finding:
    kind: str
    hard: bool
    message: str
    key: str


@dataclass(frozen=True)
class NewTime:
    visit: Visit
    caregiver: Caregiver
    old_start: dt.datetime | None
    new_start: dt.datetime
    new_end: dt.datetime
    seq: int
    moved: bool

    @property
    def shifted(self) -> bool:
        return self.moved or self.old_start != self.new_start


@dataclass
class Preview:
    visit: Visit
    target: Caregiver
    start: dt.datetime
    end: dt.datetime
    hard: list[Finding]
    soft: list[Finding]
    times: list[NewTime]
    fingerprint: str
    _routes: dict[str, Route] = field(default_factory=dict, repr=False)

    @property
    def clean(self) -> bool:
        return not self.hard and not self.soft


class NeedsConfirmation(DomainError):
    """Saving needs the dispatcher's confirmation or override; ``preview`` says why."""

    status_code = 422

    def __init__(self, message: str, preview: Preview) -> None:
        super().__init__(message)
        self.preview = preview


# --- loading and checking the input ------------------------------------------------------


def _matrices() -> MatrixProvider:
    from flask import current_app

    return provider(current_app.config, current_model())


def get_visit(session: AnySession, visit_id: int, scope: int | None) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None or (scope is not None and visit.request.elder.station_id != scope):
        raise VisitNotFound(_("Not found."))
    return visit


def _check_version(visit: Visit, expected_version: int | None) -> None:
    if expected_version is not None and visit.version != expected_version:
        raise MoveConflict(visit)


def _check_movable(visit: Visit) -> None:
    if visit.status not in MOVABLE:
        raise DomainError(
            _(
                "This visit is %(status)s and can no longer be changed.",
                status=label(visit.status),
            )
        )


def offered_stations(session: AnySession, visit: Visit, scope: int | None) -> list[Station]:
    """The elder's station and, for unscoped users, its nearest active neighbours."""
    home = visit.request.elder.station
    if home is None:
        return []  # the planner cannot place an elder outside every station's circle
    if scope is not None:
        return [home]
    return adapters.lending_stations(session, home)


def caregiver_choices(session: AnySession, visit: Visit, scope: int | None) -> list[Caregiver]:
    """Caregivers the visit may be moved to: on shift that day, in the offered stations."""
    stations = offered_stations(session, visit, scope)
    order = {s.id: i for i, s in enumerate(stations)}
    day = visit.request.service_date
    found = list(
        session.scalars(
            select(Caregiver).where(
                Caregiver.station_id.in_(list(order)), Caregiver.active.is_(True)
            )
        )
    )
    current = visit.caregiver
    # A caregiver lent from further away may still change the time of their own visit.
    if current is not None and current not in found and scope in (None, current.station_id):
        found.append(current)
        order.setdefault(current.station_id, len(order))
    away = absences.absent_all_day(session, [c.id for c in found], day)
    return sorted(
        (c for c in found if c.works_on(day) and c.id not in away),
        key=lambda c: (order[c.station_id], c.code),
    )


def _target(session: AnySession, visit: Visit, caregiver_id: int, scope: int | None) -> Caregiver:
    target = session.get(Caregiver, caregiver_id)
    if target is None:
        raise FieldError("caregiver_id", _("Unknown caregiver."))
    if scope is not None and target.station_id != scope:
        raise FieldError(
            "caregiver_id", _("%(name)s belongs to another station.", name=target.name)
        )
    if not target.works_on(visit.request.service_date):
        raise FieldError("caregiver_id", _("%(name)s does not work on that day.", name=target.name))
    if absences.absent_all_day(session, [target.id], visit.request.service_date):
        raise FieldError("caregiver_id", _("%(name)s is away on that day.", name=target.name))
    if target not in caregiver_choices(session, visit, scope):
        raise FieldError(
            "caregiver_id",
            _("%(name)s is too far away to take over this visit.", name=target.name),
        )
    return target


# --- the preview --------------------------------------------------------------------------


def _service_name(st: ServiceType) -> str:
    english = str(get_locale() or "zh").startswith("en")
    return st.name_en if english else st.name_zh


def _visit_text(row: Visit) -> str:
    return f"{row.request.elder.name} · {_service_name(row.request.service_type)}"


def _hhmm(seconds: int) -> str:
    seconds = max(0, seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _overlapped(
    day: move_routes.Day, route: Route, stop: Any, visit_rows: dict[str, Visit]
) -> Visit | None:
    """The visit before ``stop`` on its route when the two share time, else None."""
    index = next(i for i, s in enumerate(route.stops) if s is stop)
    if index == 0:
        return None
    before = route.stops[index - 1]
    ends = before.start + day.problem.visit(before.visit).service
    return visit_rows.get(before.visit) if stop.start < ends else None


@dataclass(frozen=True)
class _Named:
    """What a broken rule's message names: the caregiver, the visit, its times and limits."""

    who: str
    what: str
    start: str
    window: str
    shift: str
    gender: str
    minutes: int
    overlapped: Visit | None


def _named(
    v: Violation,
    day: move_routes.Day,
    routes: dict[str, Route],
    visit_rows: dict[str, Visit],
) -> _Named:
    ids = move_routes.quoted(v)
    cgs = [day.data.caregivers[i] for i in ids if i in day.data.caregivers]
    vids = [i for i in ids if i in visit_rows]
    rows = [visit_rows[i] for i in vids]
    start = ""
    overlapped: Visit | None = None
    if cgs and rows:
        route = routes.get(cgs[0].code)
        stop = next((s for s in route.stops if s.visit == vids[0]), None) if route else None
        start = _hhmm(stop.start) if stop else ""
        if route and stop and v.kind == "timing":
            overlapped = _overlapped(day, route, stop, visit_rows)
    request = rows[0].request if rows else None
    return _Named(
        who=cgs[0].name if cgs else "",
        what=_visit_text(rows[0]) if rows else "",
        start=start,
        window=f"{request.window_start:%H:%M}–{request.window_end:%H:%M}" if request else "",
        shift=f"{cgs[0].shift_start:%H:%M}–{cgs[0].shift_end:%H:%M}" if cgs else "",
        gender=label(Gender(request.elder.preferred_caregiver_gender))
        if request and request.elder.preferred_caregiver_gender
        else "",
        minutes=cgs[0].max_work_minutes or 0 if cgs else 0,
        overlapped=overlapped,
    )


def _messages(n: _Named) -> dict[str, str]:
    """The message of each kind of broken rule."""
    who, what = n.who, n.what
    return {
        "window": _(
            "%(visit)s would start at %(time)s with %(caregiver)s and not fit in its window %(window)s.",
            visit=what,
            time=n.start,
            caregiver=who,
            window=n.window,
        ),
        "timing": _(
            "%(caregiver)s cannot get to %(visit)s in time from the previous place.",
            caregiver=who,
            visit=what,
        )
        if what
        else _("%(caregiver)s cannot get home by the time the route ends.", caregiver=who),
        "shift": _(
            "%(caregiver)s would work outside the shift %(shift)s.", caregiver=who, shift=n.shift
        ),
        "skill": _("%(caregiver)s lacks the skill %(visit)s needs.", caregiver=who, visit=what),
        "gender": _(
            "The elder of %(visit)s asks for a %(gender)s caregiver; %(caregiver)s is not.",
            visit=what,
            gender=n.gender,
            caregiver=who,
        ),
        "max_work": _(
            "%(caregiver)s would work longer than the allowed %(minutes)d minutes.",
            caregiver=who,
            minutes=n.minutes,
        ),
        "sync": _("The two caregivers of %(visit)s would not start together.", visit=what),
        "pinned": _("%(visit)s is pinned or published and would have to change.", visit=what),
        "break": _("%(caregiver)s would have no room left for the lunch break.", caregiver=who),
        "excluded": _(
            "The elder of %(visit)s must not be sent %(caregiver)s.", visit=what, caregiver=who
        ),
    }


def _finding(
    v: Violation,
    day: move_routes.Day,
    routes: dict[str, Route],
    visit_rows: dict[str, Visit],
) -> Finding:
    named = _named(v, day, routes, visit_rows)
    messages = _messages(named)
    if named.overlapped is not None:
        # Not a matter of travel: the two visits share time.
        messages["timing"] = _(
            "%(visit)s would overlap %(other)s on %(caregiver)s's day.",
            visit=named.what,
            other=_visit_text(named.overlapped),
            caregiver=named.who,
        )
    text = messages.get(v.kind) or _("Planning rule broken: %(detail)s", detail=v.message)
    return Finding(v.kind, True, text, "|".join(move_routes.signature(v)))


def _soft(
    visit: Visit,
    target: Caregiver,
    start: dt.datetime,
    times: Sequence[NewTime],
) -> list[Finding]:
    out: list[Finding] = []
    elder_station = visit.request.elder.station
    if elder_station is not None and target.station_id != elder_station.id:
        out.append(
            Finding(
                "lent",
                False,
                _(
                    "%(caregiver)s belongs to %(station)s: the visit will be lent from %(home)s.",
                    caregiver=target.name,
                    station=target.station.name,
                    home=elder_station.name,
                ),
                f"lent|{target.id}",
            )
        )
    told = [t for t in times if t.shifted and t.visit.status == VisitStatus.PUBLISHED]
    if told:
        names = sorted({t.caregiver.name for t in told} | {c.name for c in _old_cg(visit, told)})
        out.append(
            Finding(
                "published",
                False,
                _(
                    "%(count)d published visits change: tell %(names)s.",
                    count=len(told),
                    names="、".join(names),
                ),
                f"published|{len(told)}",
            )
        )
    others = [t for t in times if t.shifted and not t.moved]
    if others:
        out.append(
            Finding(
                "shifted",
                False,
                _("%(count)d other visits change time.", count=len(others)),
                f"shifted|{len(others)}",
            )
        )
    if start < clock.now():
        out.append(Finding("past", False, _("The new start lies in the past."), "past"))
    return out


def _old_cg(visit: Visit, told: Sequence[NewTime]) -> list[Caregiver]:
    return [visit.caregiver] if visit.caregiver and any(t.moved for t in told) else []


def _place(
    day: move_routes.Day,
    problem: Problem,
    orders: dict[str, list[str]],
    code: str,
    vid: str,
    wish: dict[move_routes.Key, int],
    forced: dict[move_routes.Key, int],
    before: Plan,
) -> tuple[dict[str, list[str]], dict[str, Route], list[Violation]]:
    """The target route with the visit at the requested time, or at its best position."""
    base = orders[code]
    requested = forced.get((code, vid))
    if requested is not None:
        pos = sum(1 for other in base if wish.get((code, other), 0) <= requested)
        candidates = [pos]
    else:
        candidates = list(range(len(base) + 1))
    best: tuple[tuple[int, int, int], dict[str, list[str]], dict[str, Route], list] | None = None
    for pos in candidates:
        trial = {**orders, code: base[:pos] + [vid] + base[pos:]}
        routes = move_routes.timed(problem, trial, wish, forced, day.rounds)
        broken = move_routes.new_violations(problem, before, move_routes.plan_of(problem, routes))
        pushed = sum(
            abs(s.start - wish[(c, s.visit)])
            for c, r in routes.items()
            for s in r.stops
            if (c, s.visit) in wish
        )
        score = (len(broken), pushed, move_routes.travel_of(problem, routes.values()))
        if best is None or score < best[0]:
            best = (score, trial, routes, broken)
    assert best is not None
    return best[1], best[2], best[3]


def _check_not_serving(visit: Visit, target: Caregiver) -> None:
    """A two-caregiver visit cannot get the caregiver who already serves its other copy."""
    if any(
        o.caregiver_id == target.id and o.id != visit.id and o.status != VisitStatus.CANCELLED
        for o in visit.request.visits
    ):
        raise FieldError("caregiver_id", _("%(name)s already serves this visit.", name=target.name))


def _planner_id(day: move_routes.Day, request: ServiceRequest) -> str:
    """The visit's id in the planner's day; refuses a visit the planner left out."""
    vid = adapters.visit_id(request)
    if vid not in day.data.requests:
        why = day.data.skipped.get(request.id, "")
        reasons = {
            adapters.REASON_NO_LOCATION: _("the elder has no coordinates"),
            adapters.REASON_INACTIVE: _("the elder is not active that day"),
        }
        reason = reasons.get(why, why)
        raise DomainError(
            _("This visit cannot be checked by the planner: %(reason)s", reason=reason)
        )
    return vid


def _requested(
    day: move_routes.Day, visit: Visit, vid: str, target: Caregiver, start: dt.time | None
) -> tuple[dict[str, list[str]], dict[move_routes.Key, int], dict[move_routes.Key, int]]:
    """The routes without the visit, the starts wished for and the start forced on it."""
    old_key = next((k for k, row in day.rows.items() if row.id == visit.id), None)
    orders = {c: list(o) for c, o in day.orders.items()}
    wish = dict(day.starts)
    if old_key is not None:
        orders[old_key[0]].remove(vid)
        del wish[old_key]
    forced: dict[move_routes.Key, int] = {}
    if start is not None:
        forced[(target.code, vid)] = adapters.seconds_of(start)
    elif old_key is not None:
        # Without a time the visit keeps its old start if the new route allows it.
        wish[(target.code, vid)] = day.starts[old_key]
    return orders, wish, forced


def _preview(
    day: move_routes.Day,
    visit: Visit,
    target: Caregiver,
    vid: str,
    routes: dict[str, Route],
    broken: list[Violation],
) -> Preview:
    """The findings and new times of the placed routes, with the fingerprint saving checks."""
    rows_by_vid = {vid_: row for (_c, vid_), row in day.rows.items()}
    rows_by_vid[vid] = visit
    hard = [_finding(v, day, routes, rows_by_vid) for v in broken]
    times = _new_times(day, visit, target, routes, vid)
    moved = next(t for t in times if t.moved)
    soft = _soft(visit, target, moved.new_start, times)
    keys = sorted(f.key for f in hard + soft) + [f"{target.id}@{moved.new_start.isoformat()}"]
    fingerprint = hashlib.sha1("\n".join(keys).encode()).hexdigest()[:12]
    return Preview(
        visit, target, moved.new_start, moved.new_end, hard, soft, times, fingerprint, routes
    )


def preview_move(
    session: AnySession,
    visit_id: int,
    caregiver_id: int,
    start: dt.time | None,
    expected_version: int | None,
    *,
    scope: int | None = None,
    matrices: MatrixProvider | None = None,
) -> Preview:
    """What moving the visit to ``caregiver_id`` at local ``start`` (None: where it fits
    best) would break, and the new times of the affected visits. Writes nothing."""
    visit = get_visit(session, visit_id, scope)
    _check_version(visit, expected_version)
    _check_movable(visit)
    target = _target(session, visit, caregiver_id, scope)
    _check_not_serving(visit, target)
    request = visit.request
    involved = {target.id} | ({visit.caregiver_id} if visit.caregiver_id else set())
    day = move_routes.load_day(
        session, request.service_date, involved, matrices or _matrices(), visit
    )
    vid = _planner_id(day, request)
    problem = move_routes.freed(day, request, request.service_type.duration_min * 60)
    before_routes = move_routes.timed(problem, day.orders, day.starts, day.starts, day.rounds)
    before = move_routes.plan_of(problem, before_routes)
    orders, wish, forced = _requested(day, visit, vid, target, start)
    orders, routes, broken = _place(day, problem, orders, target.code, vid, wish, forced, before)
    return _preview(day, visit, target, vid, routes, broken)


def _new_times(
    day: move_routes.Day,
    visit: Visit,
    target: Caregiver,
    routes: dict[str, Route],
    vid: str,
) -> list[NewTime]:
    service_day = visit.request.service_date
    out: list[NewTime] = []
    for code, route in routes.items():
        cg = day.data.caregivers[code]
        for seq, stop in enumerate(route.stops, start=1):
            moved = code == target.code and stop.visit == vid
            row = visit if moved else day.rows[(code, stop.visit)]
            duration = row.request.service_type.duration_min * 60
            out.append(
                NewTime(
                    row,
                    cg,
                    row.planned_start,
                    adapters.instant_of(service_day, stop.start),
                    adapters.instant_of(service_day, stop.start + duration),
                    seq,
                    moved,
                )
            )
    return sorted(out, key=lambda t: (t.caregiver.code, t.seq))


# --- saving -------------------------------------------------------------------------------


def _conflict(session: AnySession, visit_id: int) -> MoveConflict:
    session.rollback()
    return MoveConflict(session.get(Visit, visit_id))


def _flush(session: AnySession, visit_id: int) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise _conflict(session, visit_id) from None


def _check_confirmed(
    preview: Preview, reason: str, confirmed: bool, fingerprint: str | None
) -> None:
    """Refuse until the dispatcher saw the current findings and confirmed or overrode them."""
    if fingerprint is not None and fingerprint != preview.fingerprint:
        raise NeedsConfirmation(
            _("The situation changed since your preview. Check the findings again."), preview
        )
    if preview.hard and len(reason) < MIN_REASON:
        raise NeedsConfirmation(
            _(
                "This change breaks planning rules. Choose another caregiver or time, "
                "or override with a reason of at least %(count)d characters.",
                count=MIN_REASON,
            ),
            preview,
        )
    if preview.soft and not (confirmed or preview.hard):
        raise NeedsConfirmation(_("Confirm the warnings to save this change."), preview)


def _note(preview: Preview, reason: str) -> str:
    """The audit note: where the visit went and, when overridden, why and what it breaks."""
    note_parts = [
        _(
            "To %(caregiver)s at %(start)s",
            caregiver=f"{preview.target.name} ({preview.target.code})",
            start=clock.format_local(preview.start),
        )
    ]
    if preview.hard:
        note_parts.append(_("Override: %(reason)s", reason=reason))
        note_parts += [f.message for f in preview.hard]
    return "; ".join(note_parts)


def apply_move(
    session: AnySession,
    visit_id: int,
    caregiver_id: int,
    start: dt.time | None,
    expected_version: int,
    *,
    confirmed: bool = False,
    override_reason: str = "",
    fingerprint: str | None = None,
    scope: int | None = None,
    matrices: MatrixProvider | None = None,
) -> Preview:
    """Move the visit, re-time and re-sequence the affected routes, pin it. Raises
    ``MoveConflict`` (nothing written) when the visit's version moved on, and
    ``NeedsConfirmation`` when findings are not yet confirmed or overridden."""
    preview = preview_move(
        session, visit_id, caregiver_id, start, expected_version, scope=scope, matrices=matrices
    )
    reason = " ".join(override_reason.split())
    _check_confirmed(preview, reason, confirmed, fingerprint)
    visit = preview.visit
    before = _state(visit)
    try:
        _write(session, preview)
    except StaleDataError:
        raise _conflict(session, visit_id) from None
    _flush(session, visit_id)
    note = _note(preview, reason)
    audit.record(session, "move", "Visit", visit.id, before, _state(visit), note=note)
    session.flush()
    return preview


def _state(visit: Visit) -> dict[str, object]:
    start = visit.planned_start.isoformat() if visit.planned_start else None
    return {"caregiver_id": visit.caregiver_id, "planned_start": start, "version": visit.version}


def _write(session: AnySession, preview: Preview) -> None:
    visit, target = preview.visit, preview.target
    # Read every day row of the affected caregivers before changing any (no autoflush).
    service_day = visit.request.service_date
    caregiver_ids = {t.caregiver.id for t in preview.times}
    if visit.caregiver_id is not None:
        caregiver_ids.add(visit.caregiver_id)
    with session.no_autoflush:
        rows = move_routes.day_rows(session, service_day, caregiver_ids)
    meal_rounds.regroup_moved(session, visit, target)
    moved = {
        "caregiver": target,
        "pinned": True,
        "lent": target.station_id != visit.request.elder.station_id,
    }
    # Sequence every day row of the affected caregivers, including ones the planner skipped.
    placed = {t.visit.id: t.new_start for t in preview.times}
    by_cg: dict[int, list[Visit]] = {}
    for row in {*rows, visit}:
        owner = target.id if row is visit else row.caregiver_id
        if owner is not None:
            by_cg.setdefault(owner, []).append(row)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    seqs: dict[int, int] = {}
    for group in by_cg.values():
        group.sort(key=lambda r: (placed.get(r.id) or r.planned_start or far, r.id))
        seqs.update({row.id: seq for seq, row in enumerate(group, start=1)})
    changes = [
        retime.Change(
            t.visit,
            t.new_start,
            t.new_end,
            {
                **(moved if t.visit is visit else {}),
                **({"route_seq": seqs[t.visit.id]} if t.visit.id in seqs else {}),
            },
        )
        for t in preview.times
    ]
    if not any(t.visit is visit for t in preview.times):
        for name, value in moved.items():
            setattr(visit, name, value)
    retime.write(session, changes)
    for row in {*rows, visit}:
        seq = seqs.get(row.id)
        if seq is not None and row.route_seq != seq:
            row.route_seq = seq
    rows_at = {
        (t.caregiver.code, adapters.visit_id(t.visit.request)): t.visit for t in preview.times
    }
    meal_rounds.retime(preview._routes, rows_at, service_day)


def set_pinned(
    session: AnySession,
    visit_id: int,
    pinned: bool,
    expected_version: int,
    *,
    scope: int | None = None,
) -> Visit:
    """Pin (re-planning keeps the visit as it is) or release it. Flushes."""
    visit = get_visit(session, visit_id, scope)
    _check_version(visit, expected_version)
    _check_movable(visit)
    if visit.pinned != pinned:
        visit.pinned = pinned
        _flush(session, visit_id)
    return visit
