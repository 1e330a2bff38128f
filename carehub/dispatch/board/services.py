"""The dispatcher's live board: a day's visits by status, late and missed ones first.

Late and missed follow the alert rules (``dispatch.lateness.due_kind``): a visit not checked in by
its window's start plus a grace is late, by its end plus a grace missed. The all-stations
view counts per station in one grouped query and lists only the exceptions (late, missed,
unassigned), a page at a time; one station's view lists all its visits. Rows are read as
plain columns, not ORM objects, so a city's day stays cheap to summarise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, case, exists, false, func, select

from carehub.core.enums import AlertKind, RequestStatus, VisitStatus
from carehub.db import AnySession
from carehub.dispatch.lateness import WAITING, due_kind, due_wall
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.registry.models import Caregiver, Elder, ServiceType, Station

PAGE_SIZE = 50
MISSED, LATE, ON_TIME = "missed", "late", "ok"
# Exceptions first, the worst first.
RANK = {MISSED: 0, LATE: 1, ON_TIME: 2}


@dataclass(frozen=True)
class Graces:
    late: dt.timedelta
    missed: dt.timedelta

    @classmethod
    def from_config(cls) -> Graces:
        config = current_app.config
        return cls(
            dt.timedelta(minutes=int(config["LATE_GRACE_MIN"])),
            dt.timedelta(minutes=int(config["MISSED_GRACE_MIN"])),
        )


@dataclass(frozen=True)
class Row:
    visit_id: int
    request_id: int
    state: str  # MISSED, LATE or ON_TIME
    status: str
    elder_id: int
    elder_name: str
    elder_code: str
    elder_phone: str
    station_id: int | None
    caregiver_id: int | None
    caregiver_name: str | None
    caregiver_phone: str | None
    window_start: dt.time
    window_end: dt.time
    planned_start: dt.datetime | None
    check_in_at: dt.datetime | None
    lent: bool


@dataclass(frozen=True)
class Waiting:
    """A request of the day that no visit serves."""

    request_id: int
    elder_id: int
    elder_name: str
    elder_code: str
    elder_phone: str
    station_id: int | None
    service_code: str
    service_zh: str
    service_en: str
    window_start: dt.time
    window_end: dt.time
    priority: int

    def service(self, locale: str) -> str:
        """The service's name in the interface's language, never its code."""
        return self.service_en if locale.startswith("en") else self.service_zh


@dataclass
class Counts:
    statuses: dict[str, int] = field(default_factory=dict)
    late: int = 0
    missed: int = 0
    unassigned: int = 0

    @property
    def visits(self) -> int:
        return sum(self.statuses.values())

    def add(self, other: Counts) -> None:
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n
        self.late += other.late
        self.missed += other.missed
        self.unassigned += other.unassigned

    def as_dict(self) -> dict[str, Any]:
        return {
            "statuses": {s.value: self.statuses.get(s.value, 0) for s in VisitStatus},
            "visits": self.visits,
            "late": self.late,
            "missed": self.missed,
            "unassigned": self.unassigned,
        }


@dataclass
class StationLine:
    id: int
    code: str
    name: str
    counts: Counts


@dataclass
class Board:
    day: dt.date
    now: dt.datetime
    station_id: int | None
    totals: Counts
    stations: list[StationLine]
    rows: list[Row]  # one station: every visit; all stations: the page of exceptions
    unassigned: list[Waiting]
    page: int
    pages: int


def _day_visits(day: dt.date) -> Select[Any]:
    return (
        select()
        .select_from(Visit)
        .join(ServiceRequest, ServiceRequest.id == Visit.request_id)
        .join(Elder, Elder.id == ServiceRequest.elder_id)
        .where(ServiceRequest.service_date == day)
    )


def _overdue(wall: dt.time | None, column: Any) -> Any:
    waiting = and_(Visit.status.in_(WAITING), Visit.check_in_at.is_(None))
    return and_(waiting, column <= wall) if wall is not None else false()


def _unserved(day: dt.date) -> Select[Any]:
    served = exists().where(
        Visit.request_id == ServiceRequest.id, Visit.status != VisitStatus.CANCELLED
    )
    return (
        select()
        .select_from(ServiceRequest)
        .join(Elder, Elder.id == ServiceRequest.elder_id)
        .where(
            ServiceRequest.service_date == day,
            ServiceRequest.status == RequestStatus.OPEN,
            ~served,
        )
    )


def station_counts(
    session: AnySession, day: dt.date, now: dt.datetime, graces: Graces, station_id: int | None
) -> dict[int | None, Counts]:
    late_wall = due_wall(day, now, graces.late)
    missed_wall = due_wall(day, now, graces.missed)
    missed = _overdue(missed_wall, ServiceRequest.window_end)
    late = and_(_overdue(late_wall, ServiceRequest.window_start), ~missed)
    stmt = (
        _day_visits(day)
        .add_columns(
            Elder.station_id,
            Visit.status,
            func.count(),
            func.sum(case((missed, 1), else_=0)),
            func.sum(case((late, 1), else_=0)),
        )
        .group_by(Elder.station_id, Visit.status)
    )
    waiting = _unserved(day).add_columns(Elder.station_id, func.count()).group_by(Elder.station_id)
    if station_id is not None:
        stmt = stmt.where(Elder.station_id == station_id)
        waiting = waiting.where(Elder.station_id == station_id)
    found: dict[int | None, Counts] = {}
    for sid, status, n, n_missed, n_late in session.execute(stmt):
        counts = found.setdefault(sid, Counts())
        counts.statuses[str(status)] = int(n)
        counts.missed += int(n_missed or 0)
        counts.late += int(n_late or 0)
    for sid, n in session.execute(waiting):
        found.setdefault(sid, Counts()).unassigned = int(n)
    return found


def _row_columns(day: dt.date) -> Select[Any]:
    """The day's visits as the columns of a ``Row`` (all but ``state``), named after them."""
    return (
        _day_visits(day)
        .outerjoin(Caregiver, Caregiver.id == Visit.caregiver_id)
        .add_columns(
            Visit.id.label("visit_id"),
            Visit.request_id.label("request_id"),
            Visit.status.label("status"),
            Elder.id.label("elder_id"),
            Elder.name.label("elder_name"),
            Elder.code.label("elder_code"),
            Elder.phone.label("elder_phone"),
            Elder.station_id.label("station_id"),
            Visit.caregiver_id.label("caregiver_id"),
            Caregiver.name.label("caregiver_name"),
            Caregiver.phone.label("caregiver_phone"),
            ServiceRequest.window_start.label("window_start"),
            ServiceRequest.window_end.label("window_end"),
            Visit.planned_start.label("planned_start"),
            Visit.check_in_at.label("check_in_at"),
            Visit.lent.label("lent"),
        )
    )


_STATES = {AlertKind.MISSED_VISIT: MISSED, AlertKind.LATE_VISIT: LATE}


def _classify(
    session: AnySession, stmt: Select[Any], day: dt.date, now: dt.datetime, graces: Graces
) -> list[Row]:
    rows = []
    for found in session.execute(stmt).mappings():
        state = ON_TIME
        if found["status"] in WAITING and found["check_in_at"] is None:
            kind = due_kind(
                day, found["window_start"], found["window_end"], now, graces.late, graces.missed
            )
            state = _STATES.get(kind, ON_TIME) if kind is not None else ON_TIME
        fields = {**found, "status": str(found["status"]), "lent": bool(found["lent"])}
        rows.append(Row(state=state, **fields))
    return rows


def _sort_key(row: Row) -> tuple[int, dt.time, dt.datetime | str, int]:
    return (RANK[row.state], row.window_start, row.planned_start or "", row.visit_id)


def _station_lines(
    session: AnySession, by_station: dict[int | None, Counts], station_id: int | None
) -> list[StationLine]:
    stations_q = select(Station.id, Station.code, Station.name).order_by(Station.code)
    if station_id is not None:
        stations_q = stations_q.where(Station.id == station_id)
    return [
        StationLine(sid, code, name, by_station.get(sid, Counts()))
        for sid, code, name in session.execute(stations_q)
    ]


def _waiting_columns(day: dt.date) -> Select[Any]:
    """The day's unserved requests as the columns of a ``Waiting``, most urgent first."""
    return (
        _unserved(day)
        .join(ServiceType, ServiceType.id == ServiceRequest.service_type_id)
        .add_columns(
            ServiceRequest.id,
            Elder.id,
            Elder.name,
            Elder.code,
            Elder.phone,
            Elder.station_id,
            ServiceType.code,
            ServiceType.name_zh,
            ServiceType.name_en,
            ServiceRequest.window_start,
            ServiceRequest.window_end,
            ServiceRequest.priority,
        )
        .order_by(ServiceRequest.priority, ServiceRequest.window_start, ServiceRequest.id)
    )


def _exceptions_page(day: dt.date, now: dt.datetime, graces: Graces, page: int) -> Select[Any]:
    """One page of the day's late and missed visits, the missed ones first."""
    late_wall = due_wall(day, now, graces.late)
    missed_wall = due_wall(day, now, graces.missed)
    missed = _overdue(missed_wall, ServiceRequest.window_end)
    return (
        _row_columns(day)
        .where(_overdue(late_wall, ServiceRequest.window_start))
        .order_by(
            case((missed, 0), else_=1),
            ServiceRequest.window_start,
            Visit.planned_start,
            Visit.id,
        )
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )


def build(
    session: AnySession,
    day: dt.date,
    now: dt.datetime,
    graces: Graces,
    station_id: int | None = None,
    page: int = 1,
) -> Board:
    """The board of ``day`` for one station (``station_id``) or for all of them."""
    by_station = station_counts(session, day, now, graces, station_id)
    lines = _station_lines(session, by_station, station_id)
    totals = Counts()
    for counts in by_station.values():
        totals.add(counts)
    waiting_q = _waiting_columns(day)
    page = max(1, page)
    if station_id is not None:
        stmt = _row_columns(day).where(Elder.station_id == station_id)
        rows = sorted(_classify(session, stmt, day, now, graces), key=_sort_key)
        waiting_q = waiting_q.where(Elder.station_id == station_id)
        pages = 1
        page = 1
    else:
        rows = _classify(session, _exceptions_page(day, now, graces, page), day, now, graces)
        waiting_q = waiting_q.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        biggest = max(totals.late + totals.missed, totals.unassigned)
        pages = max(1, -(-biggest // PAGE_SIZE))
    unassigned = [Waiting(*r) for r in session.execute(waiting_q)]
    return Board(day, now, station_id, totals, lines, rows, unassigned, page, pages)
