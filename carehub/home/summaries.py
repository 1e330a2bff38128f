"""The figures on each role's home page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import ColumnElement, Label, Row, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from carehub.alerts.models import Alert
from carehub.auth.models import User
from carehub.core.enums import AlertKind, CareLevel, ElderStatus, RequestStatus, VisitStatus
from carehub.core.time import local_to_utc
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.dispatch.planning.models import PlanningRun
from carehub.registry import coverage
from carehub.registry.models import Caregiver, Elder, ServiceType, Station
from carehub.subsidy.models import MONTHLY_KINDS, SubsidyPolicy
from carehub.subsidy.months import Month
from carehub.subsidy.policy.entitlement import PolicyTerms, in_force


def admin_counts(session: AnySession) -> dict[str, int]:
    def count(column: InstrumentedAttribute[int], *where: ColumnElement[bool]) -> int:
        return int(session.scalar(select(func.count(column)).where(*where)) or 0)

    return {
        "stations": count(Station.id),
        "elders": count(Elder.id),
        "caregivers": count(Caregiver.id),
        "service_types": count(ServiceType.id),
        "users": count(User.id, User.active.is_(True)),
    }


LATE_OR_MISSED = 0
UNASSIGNED = 1
IN_HAND = 2


def _attention() -> ColumnElement[int]:
    """0 for a request with a late or missed visit, 1 for one nobody is assigned to, 2 for
    the rest: the order the dispatcher's home page lists today's requests in."""
    open_alert = exists(
        select(Alert.id).where(
            Alert.visit_id == Visit.id,
            Alert.kind.in_([AlertKind.LATE_VISIT, AlertKind.MISSED_VISIT]),
            Alert.acknowledged_at.is_(None),
        )
    )
    troubled = exists(
        select(Visit.id).where(
            Visit.request_id == ServiceRequest.id,
            or_(Visit.status == VisitStatus.MISSED, open_alert),
        )
    )
    assigned = exists(
        select(Visit.id).where(
            Visit.request_id == ServiceRequest.id,
            Visit.caregiver_id.is_not(None),
            Visit.status != VisitStatus.CANCELLED,
        )
    )
    unassigned = and_(
        ServiceRequest.status.not_in([RequestStatus.CANCELLED, RequestStatus.DONE]), ~assigned
    )
    return case((troubled, LATE_OR_MISSED), (unassigned, UNASSIGNED), else_=IN_HAND)


@dataclass
class DispatcherSummary:
    station: Station | None
    elders: int
    caregivers: int
    without_coordinates: int
    outside: list[coverage.Uncovered]
    # This page of today's requests, each with its attention rank, troubles first.
    requests: list[tuple[ServiceRequest, int]] = field(default_factory=list)
    open_alerts: int = 0
    requests_today: int = 0
    late_or_missed: int = 0
    unassigned: int = 0
    done: int = 0
    page: int = 1
    pages: int = 1


def dispatcher_summary(
    session: AnySession,
    scope: int | None,
    today: dt.date,
    page: int = 1,
    per_page: int = 25,
) -> DispatcherSummary:
    """Counts for the dispatcher's station (all stations when not limited to one)."""
    elder_where = [Elder.station_id == scope] if scope is not None else []
    elders, caregivers, without = _people_counts(session, scope, elder_where)
    outside = _outside_circles(session, scope, elder_where)
    todays, attention = _todays_requests(today, elder_where)
    counted = _attention_counts(session, todays)
    total = sum(counted.values())
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = _requests_page(session, todays, attention, page, per_page)
    done = _done_today(session, today, elder_where)
    open_alerts = _open_alerts(session, scope)
    return DispatcherSummary(
        open_alerts=open_alerts,
        station=session.get(Station, scope) if scope is not None else None,
        elders=elders,
        caregivers=caregivers,
        without_coordinates=without,
        outside=outside,
        requests=[(request, int(rank)) for request, rank in rows],
        requests_today=total,
        late_or_missed=counted.get(LATE_OR_MISSED, 0),
        unassigned=counted.get(UNASSIGNED, 0),
        done=done,
        page=page,
        pages=pages,
    )


def _people_counts(
    session: AnySession, scope: int | None, elder_where: list[ColumnElement[bool]]
) -> tuple[int, int, int]:
    """Elders, active caregivers, and elders not deceased or moved away without coordinates."""
    caregiver_where = [Caregiver.station_id == scope] if scope is not None else []
    elders = session.scalar(select(func.count(Elder.id)).where(*elder_where)) or 0
    caregivers = (
        session.scalar(
            select(func.count(Caregiver.id)).where(Caregiver.active.is_(True), *caregiver_where)
        )
        or 0
    )
    without = (
        session.scalar(
            select(func.count(Elder.id)).where(
                Elder.status.not_in([ElderStatus.DECEASED, ElderStatus.MOVED]),
                (Elder.lat.is_(None)) | (Elder.lon.is_(None)),
                *elder_where,
            )
        )
        or 0
    )
    return elders, caregivers, without


def _outside_circles(
    session: AnySession, scope: int | None, elder_where: list[ColumnElement[bool]]
) -> list[coverage.Uncovered]:
    """Elders no station's circle holds; only the station's own when limited to one."""
    outside = coverage.compute(session).uncovered
    if scope is not None:
        mine = set(session.scalars(select(Elder.id).where(*elder_where)))
        outside = [row for row in outside if row.elder_id in mine]
    return outside


def _todays_requests(
    today: dt.date, elder_where: list[ColumnElement[bool]]
) -> tuple[Select[ServiceRequest, int], Label[int]]:
    """Today's requests with their attention rank; the page is ordered by the same label."""
    attention = _attention().label("attention")
    todays = (
        select(ServiceRequest, attention)
        .join(Elder, ServiceRequest.elder_id == Elder.id)
        .where(ServiceRequest.service_date == today, *elder_where)
    )
    return todays, attention


def _attention_counts(session: AnySession, todays: Select[ServiceRequest, int]) -> dict[int, int]:
    ranked = todays.subquery()
    return {
        int(rank): int(n)
        for rank, n in session.execute(
            select(ranked.c.attention, func.count()).group_by(ranked.c.attention)
        )
    }


def _requests_page(
    session: AnySession,
    todays: Select[ServiceRequest, int],
    attention: Label[int],
    page: int,
    per_page: int,
) -> Sequence[Row[ServiceRequest, int]]:
    return session.execute(
        todays.order_by(
            attention,
            ServiceRequest.window_start,
            ServiceRequest.priority,
            ServiceRequest.id,
        )
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()


def _done_today(session: AnySession, today: dt.date, elder_where: list[ColumnElement[bool]]) -> int:
    return (
        session.scalar(
            select(func.count(ServiceRequest.id))
            .join(Elder, ServiceRequest.elder_id == Elder.id)
            .where(
                ServiceRequest.service_date == today,
                ServiceRequest.status == RequestStatus.DONE,
                *elder_where,
            )
        )
        or 0
    )


def _open_alerts(session: AnySession, scope: int | None) -> int:
    alert_where = [Alert.station_id == scope] if scope is not None else []
    return (
        session.scalar(
            select(func.count(Alert.id)).where(
                Alert.acknowledged_at.is_(None), Alert.kind != AlertKind.JOB_FAILED, *alert_where
            )
        )
        or 0
    )


def visits_on(session: AnySession, caregiver_id: int, day: dt.date) -> list[Visit]:
    """A caregiver's visits planned to start on a local calendar day."""
    start = local_to_utc(day, dt.time(0, 0))
    end = local_to_utc(day + dt.timedelta(days=1), dt.time(0, 0))
    return list(
        session.scalars(
            select(Visit)
            .where(
                Visit.caregiver_id == caregiver_id,
                Visit.planned_start >= start,
                Visit.planned_start < end,
            )
            .order_by(Visit.planned_start, Visit.route_seq)
        )
    )


@dataclass
class LevelLine:
    care_level: CareLevel
    elders: int
    amount_fen: int


@dataclass
class SubsidyOverview:
    policy: SubsidyPolicy | None
    lines: list[LevelLine]

    @property
    def elders(self) -> int:
        return sum(line.elders for line in self.lines)

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)


def policy_in_force(session: AnySession, day: dt.date) -> SubsidyPolicy | None:
    """The policy the reconciliation would apply on ``day`` (the same rule, not a copy)."""
    monthly = select(SubsidyPolicy).where(SubsidyPolicy.kind.in_(MONTHLY_KINDS))
    policies = {p.id: p for p in session.scalars(monthly)}
    chosen = in_force([PolicyTerms.of(p) for p in policies.values()], day)
    return policies[chosen.id] if chosen else None


def subsidy_overview(session: AnySession, day: dt.date) -> SubsidyOverview:
    """Active elders the policy in force pays for, by care level, with a full month's amount.

    Uses the subsidy module's own figures for every kind of policy (care level, age band,
    service hours), so the home page and the reconciliation never disagree."""
    policy = policy_in_force(session, day)
    lines = {level: LevelLine(level, 0, 0) for level in CareLevel}
    if policy is not None:
        terms = PolicyTerms.of(policy)
        rows = session.execute(
            select(Elder.care_level, Elder.hardship, Elder.birth_date).where(
                Elder.status == ElderStatus.ACTIVE
            )
        )
        for level, hardship, born in rows:
            age = None
            if born is not None:
                age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
            amount = terms.monthly_fen(str(level), str(hardship), age)
            if amount:
                line = lines[CareLevel(level)]
                line.elders += 1
                line.amount_fen += amount
    # The three care levels always show; "no care need" only when an age-band scheme pays it.
    shown = [line for line in lines.values() if line.elders or line.care_level != CareLevel.NONE]
    return SubsidyOverview(policy, shown)


@dataclass
class PlanningOutlook:
    next_run: dt.datetime | None  # the nightly draft plan, UTC
    latest: list[PlanningRun]  # the latest runs for today and tomorrow


def planning_outlook(app: Flask, session: AnySession, today: dt.date) -> PlanningOutlook:
    from carehub.jobs.status import job_statuses

    next_run = next(
        (status.next_run for status in job_statuses(app, session) if status.id == "plan-tomorrow"),
        None,
    )
    latest = list(
        session.scalars(
            select(PlanningRun)
            .where(PlanningRun.service_date.in_([today, today + dt.timedelta(days=1)]))
            .order_by(PlanningRun.started_at.desc(), PlanningRun.id.desc())
            .limit(3)
        )
    )
    return PlanningOutlook(next_run, latest)


@dataclass
class AuditMonth:
    month: Month
    locked: bool
    entitlement_fen: int
    payable_fen: int
    flagged: int
    flagged_fen: int


def audit_months(session: AnySession, today: dt.date, count: int = 6) -> list[AuditMonth]:
    """The last ``count`` months with the subsidy module's own figures: a locked month from
    its ledger, an open one as the month page shows it (kept between requests)."""
    from carehub.subsidy.reconciliation.reconcile import month_lines

    month = Month.of(today)
    found = []
    for _i in range(count):
        locked, lines = month_lines(session, month)
        found.append(
            AuditMonth(
                month,
                locked,
                sum(line.entitlement_fen for line in lines),
                sum(line.payable_fen for line in lines),
                sum(line.flagged for line in lines),
                sum(line.flagged_fen for line in lines),
            )
        )
        month = month.previous()
    return found
