"""The figures on each role's home page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute

from carehub.auth.models import User
from carehub.core.enums import AlertKind, CareLevel, ElderStatus
from carehub.core.time import local_to_utc
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.geo import coverage
from carehub.jobs.models import Alert
from carehub.registry.models import Caregiver, Elder, ServiceType, Station
from carehub.subsidy.models import SubsidyPolicy
from carehub.subsidy.policy import PolicyTerms, in_force


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


@dataclass
class DispatcherSummary:
    station: Station | None
    elders: int
    caregivers: int
    without_coordinates: int
    outside: list[coverage.Uncovered]
    requests: list[ServiceRequest] = field(default_factory=list)
    open_alerts: int = 0


def dispatcher_summary(session: AnySession, scope: int | None, today: dt.date) -> DispatcherSummary:
    """Counts for the dispatcher's station (all stations when not limited to one)."""
    elder_where = [Elder.station_id == scope] if scope is not None else []
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
    outside = coverage.compute(session).uncovered
    if scope is not None:
        mine = set(session.scalars(select(Elder.id).where(*elder_where)))
        outside = [row for row in outside if row.elder_id in mine]
    requests = session.scalars(
        select(ServiceRequest)
        .join(Elder, ServiceRequest.elder_id == Elder.id)
        .where(ServiceRequest.service_date == today, *elder_where)
        .order_by(ServiceRequest.window_start, ServiceRequest.priority, ServiceRequest.id)
    ).all()
    alert_where = [Alert.station_id == scope] if scope is not None else []
    open_alerts = (
        session.scalar(
            select(func.count(Alert.id)).where(
                Alert.acknowledged_at.is_(None), Alert.kind != AlertKind.JOB_FAILED, *alert_where
            )
        )
        or 0
    )
    return DispatcherSummary(
        open_alerts=open_alerts,
        station=session.get(Station, scope) if scope is not None else None,
        elders=elders,
        caregivers=caregivers,
        without_coordinates=without,
        outside=outside,
        requests=list(requests),
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
    policies = {p.id: p for p in session.scalars(select(SubsidyPolicy))}
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
