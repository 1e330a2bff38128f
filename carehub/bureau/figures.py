"""The programme's figures for a month, quarter or year, computed from the records: what a
civil-affairs bureau reports upward. Subsidy figures are the subsidy module's own month
results (a locked month from its snapshot), so they agree with the locked ledger to the fen.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from carehub.assessment.models import KIND_ASSESSMENT, Assessment
from carehub.assessment.services import due_list
from carehub.core.enums import ElderStatus, RequestOrigin, VisitStatus
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.geo import coverage
from carehub.registry.models import Elder, ElderStatusPeriod, ServiceType, Station
from carehub.subsidy.meals.services import meal_month, policies_of
from carehub.subsidy.models import MONTHLY_KINDS, SubsidyPolicy
from carehub.subsidy.months import Month
from carehub.subsidy.policy.entitlement import PolicyTerms, in_force
from carehub.subsidy.reconciliation import reconcile as rc

PROMISE_MINUTES = 15
_PERIOD = re.compile(r"(\d{4})(?:-(\d{2})|-Q([1-4]))?")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    text: str
    months: tuple[Month, ...]

    @property
    def first(self) -> dt.date:
        return self.months[0].first

    @property
    def last(self) -> dt.date:
        return self.months[-1].last

    @classmethod
    def parse(cls, text: str) -> Period:
        """ "2026-10" (a month), "2026-Q4" (a quarter) or "2026" (a year)."""
        found = _PERIOD.fullmatch(text.strip())
        if not found:
            raise PeriodError(text)
        year = int(found.group(1))
        if found.group(2):
            month = int(found.group(2))
            if not 1 <= month <= 12:
                raise PeriodError(text)
            months = [Month(year, month)]
        elif found.group(3):
            quarter = int(found.group(3))
            months = [Month(year, m) for m in range(quarter * 3 - 2, quarter * 3 + 1)]
        else:
            months = [Month(year, m) for m in range(1, 13)]
        return cls(text.strip(), tuple(months))


@dataclass
class Money:
    entitled_fen: int = 0
    payable_fen: int = 0


@dataclass
class StationFigures:
    station_id: int | None
    code: str
    name: str
    elders_served: int = 0
    person_times: int = 0
    verified: int = 0
    entitled_fen: int = 0
    payable_fen: int = 0
    emergencies: int = 0
    within_promise: int = 0


@dataclass
class Figures:
    period: Period
    elders_served: int = 0
    person_times: dict[str, int] = field(default_factory=dict)  # service code -> visits
    visits_verified: int = 0
    active_elders: int = 0
    inside_circle: int = 0
    circle_total: int = 0
    over_80: int = 0
    over_80_visited: int = 0
    meal_helped: int = 0
    by_tier: dict[str, Money] = field(default_factory=dict)
    by_policy: dict[str, Money] = field(default_factory=dict)
    entitled_fen: int = 0
    payable_fen: int = 0
    adjustment_fen: int = 0
    meals_subsidised: int = 0
    meal_elder_fen: int = 0
    meal_operator_fen: int = 0
    months_locked: list[str] = field(default_factory=list)
    trend: list[tuple[str, int]] = field(default_factory=list)  # month, payable fen
    assessments_done: int = 0
    assessments_due: int = 0
    emergencies: int = 0
    emergencies_reached: int = 0
    within_promise: int = 0
    median_response_min: float | None = None
    stations: list[StationFigures] = field(default_factory=list)

    @property
    def to_pay_fen(self) -> int:
        return self.payable_fen + self.adjustment_fen

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None


def _age(born: dt.date | None, day: dt.date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def compute(
    session: AnySession,
    period: Period,
    today: dt.date,
    interval_months: int = 12,
    cached: bool = True,
) -> Figures:
    figures = Figures(period)
    stations: dict[int | None, StationFigures] = {
        sid: StationFigures(sid, code, name)
        for sid, code, name in session.execute(select(Station.id, Station.code, Station.name))
    }
    stations[None] = StationFigures(None, "", "")
    elders = {
        eid: (station_id, born, status)
        for eid, station_id, born, status in session.execute(
            select(Elder.id, Elder.station_id, Elder.birth_date, Elder.status)
        )
    }

    # Completed visits in the period, by elder and service.
    services = dict(session.execute(select(ServiceType.id, ServiceType.code)).all())
    served: dict[int, set[str]] = defaultdict(set)
    person_times: dict[str, int] = defaultdict(int)
    for eid, sid in session.execute(
        select(ServiceRequest.elder_id, ServiceRequest.service_type_id)
        .join(Visit, Visit.request_id == ServiceRequest.id)
        .where(
            Visit.status == VisitStatus.COMPLETED,
            ServiceRequest.service_date.between(period.first, period.last),
            ServiceRequest.origin != RequestOrigin.EMERGENCY,
        )
    ):
        code = services.get(sid, "")
        served[eid].add(code)
        person_times[code] += 1
        stations[elders[eid][0] if eid in elders else None].person_times += 1
    figures.person_times = dict(sorted(person_times.items()))
    figures.elders_served = len(served)
    for eid in served:
        stations[elders[eid][0] if eid in elders else None].elders_served += 1

    # Shares among elders on the register at the period's end (not deceased or moved away).
    gone = set(
        session.scalars(
            select(ElderStatusPeriod.elder_id).where(
                ElderStatusPeriod.status.in_([ElderStatus.DECEASED, ElderStatus.MOVED]),
                ElderStatusPeriod.start_date <= period.last,
                or_(
                    ElderStatusPeriod.end_date.is_(None),
                    ElderStatusPeriod.end_date >= period.last,
                ),
            )
        )
    )
    active = {
        eid: row
        for eid, row in elders.items()
        if row[2] not in (ElderStatus.DECEASED, ElderStatus.MOVED) and eid not in gone
    }
    figures.active_elders = len(active)
    for eid, (_sid, born, _status) in active.items():
        age = _age(born, period.last)
        if age is not None and age >= 80:
            figures.over_80 += 1
            if eid in served:
                figures.over_80_visited += 1
        if any(code.startswith("meal") for code in served.get(eid, ())):
            figures.meal_helped += 1
    report = coverage.compute(session)
    figures.circle_total = report.elders_total
    figures.inside_circle = report.covered_total

    # Subsidy: each month's own result.
    monthly = select(SubsidyPolicy).where(SubsidyPolicy.kind.in_(MONTHLY_KINDS))
    terms = [PolicyTerms.of(p) for p in session.scalars(monthly)]
    codes = {p.id: p.code for p in session.scalars(select(SubsidyPolicy))}
    for month in period.months:
        if cached:
            locked, lines = rc.month_lines(session, month)
        else:
            result = rc.reconcile(session, month)
            locked, lines = result.locked, result.elders
        if locked:
            figures.months_locked.append(str(month))
        policy = in_force(terms, month.first)
        policy_code = codes.get(policy.id, "") if policy else ""
        month_payable = 0
        for line in lines:
            tier = figures.by_tier.setdefault(line.care_level, Money())
            tier.entitled_fen += line.entitlement_fen
            tier.payable_fen += line.payable_fen
            by_policy = figures.by_policy.setdefault(policy_code, Money())
            by_policy.entitled_fen += line.entitlement_fen
            by_policy.payable_fen += line.payable_fen
            figures.entitled_fen += line.entitlement_fen
            figures.payable_fen += line.payable_fen
            month_payable += line.payable_fen
            station = stations.get(line.station_id) or stations[None]
            station.entitled_fen += line.entitlement_fen
            station.payable_fen += line.payable_fen
            station.verified += line.verified
            figures.visits_verified += line.verified
        figures.adjustment_fen += sum(rc.adjustments_of(session, month).values())
        if policies_of(session, month):  # otherwise there is nothing to pay
            meals = meal_month(session, month, cached=cached).total()
            figures.meals_subsidised += meals.paid_meals
            figures.meal_elder_fen += meals.elder_fen
            figures.meal_operator_fen += meals.operator_fen
        figures.trend.append((str(month), month_payable))

    # Assessments done in the period and due now.
    figures.assessments_done = int(
        session.scalar(
            select(func.count(Assessment.id)).where(
                Assessment.kind == KIND_ASSESSMENT,
                Assessment.assessed_on.between(period.first, period.last),
            )
        )
        or 0
    )
    figures.assessments_due = sum(
        1 for due in due_list(session, today, interval_months, 0) if due.due_on <= today
    )

    # Emergency calls: from the call to the first check-in at the door.
    arrivals: dict[int, tuple[dt.datetime, dt.datetime | None, int]] = {}
    for rid, eid, called, arrived in session.execute(
        select(
            ServiceRequest.id, ServiceRequest.elder_id, ServiceRequest.created_at, Visit.check_in_at
        )
        .outerjoin(Visit, Visit.request_id == ServiceRequest.id)
        .where(
            ServiceRequest.origin == RequestOrigin.EMERGENCY,
            ServiceRequest.service_date.between(period.first, period.last),
        )
    ):
        known = arrivals.get(rid)
        if known is None or (arrived is not None and (known[1] is None or arrived < known[1])):
            arrivals[rid] = (called, arrived, eid)
    minutes = []
    for called, arrived, eid in arrivals.values():
        station = stations[elders[eid][0] if eid in elders else None]
        station.emergencies += 1
        if arrived is None:
            continue
        waited = (arrived - called).total_seconds() / 60
        minutes.append(waited)
        if waited <= PROMISE_MINUTES:
            figures.within_promise += 1
            station.within_promise += 1
    figures.emergencies = len(arrivals)
    figures.emergencies_reached = len(minutes)
    figures.median_response_min = statistics.median(minutes) if minutes else None

    figures.stations = sorted(
        (s for s in stations.values() if s.station_id is not None or s.elders_served),
        key=lambda s: s.code,
    )
    return figures
