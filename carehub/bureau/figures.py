"""The programme's figures for a month, quarter or year, computed from the records: what a
civil-affairs bureau reports upward, for the whole programme or one district or station,
broken down by district and by station. Subsidy figures are the subsidy module's own month
results (a locked month from its snapshot), so they agree with the locked ledger to the fen.
Every figure counts an elder at their station, and a station in its district.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from carehub.assessment.services import due_list
from carehub.core.enums import ElderStatus, RequestOrigin, VisitStatus
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.registry import coverage
from carehub.registry.assessments import KIND_ASSESSMENT, Assessment
from carehub.registry.models import Elder, ElderStatusPeriod, ServiceType, Station
from carehub.subsidy.meals.services import meal_month, policies_of
from carehub.subsidy.models import MONTHLY_KINDS, SubsidyPolicy
from carehub.subsidy.months import Month
from carehub.subsidy.policy.entitlement import PolicyTerms, in_force
from carehub.subsidy.reconciliation import reconcile as rc
from carehub.subsidy.reconciliation.ledger import ElderLine

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
class Group:
    """One station's or one district's share of the figures."""

    code: str  # the station's code, or the district's name
    name: str
    district: str = ""
    station_id: int | None = None
    elders_served: int = 0
    person_times: int = 0
    verified: int = 0
    entitled_fen: int = 0
    payable_fen: int = 0
    adjustment_fen: int = 0
    meals_subsidised: int = 0
    meal_fen: int = 0  # to elders and operators
    active_elders: int = 0
    over_80: int = 0
    over_80_visited: int = 0
    meal_helped: int = 0
    circle_total: int = 0
    inside_circle: int = 0
    assessments_done: int = 0
    assessments_due: int = 0
    emergencies: int = 0
    within_promise: int = 0
    stations: int = 0
    months: dict[str, int] = field(default_factory=dict)  # month -> payable fen

    SUMMED = (
        "elders_served",
        "person_times",
        "verified",
        "entitled_fen",
        "payable_fen",
        "adjustment_fen",
        "meals_subsidised",
        "meal_fen",
        "active_elders",
        "over_80",
        "over_80_visited",
        "meal_helped",
        "circle_total",
        "inside_circle",
        "assessments_done",
        "assessments_due",
        "emergencies",
        "within_promise",
        "stations",
    )

    def add(self, other: Group) -> None:
        for name in self.SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for month, fen in other.months.items():
            self.months[month] = self.months.get(month, 0) + fen


NO_DISTRICT = ""


@dataclass(frozen=True)
class Scope:
    """The whole programme, one district, or one station (within its district)."""

    district: str | None = None
    station_code: str | None = None

    def holds(self, station: Group | None) -> bool:
        if self.district is None and self.station_code is None:
            return True
        if station is None or station.station_id is None:
            return False
        if self.district is not None and station.district != self.district:
            return False
        return self.station_code is None or station.code == self.station_code


class ScopeError(ValueError):
    pass


@dataclass
class Figures:
    period: Period
    scope: Scope = field(default_factory=Scope)
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
    stations: list[Group] = field(default_factory=list)
    districts: list[Group] = field(default_factory=list)

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


def districts_of(session: AnySession) -> list[str]:
    """The districts the stations name, in order; an unnamed district is left out."""
    return sorted(
        d for d in session.scalars(select(Station.district).distinct()) if d != NO_DISTRICT
    )


def check_scope(session: AnySession, scope: Scope) -> None:
    """A district no station names, or a station not in the chosen district, is an error."""
    if scope.district is not None and scope.district not in districts_of(session):
        raise ScopeError(f"district:{scope.district}")
    if scope.station_code is not None:
        found = session.scalar(select(Station.district).where(Station.code == scope.station_code))
        if found is None:
            raise ScopeError(f"station:{scope.station_code}")
        if scope.district is not None and found != scope.district:
            raise ScopeError(f"station:{scope.station_code}")


def compute(
    session: AnySession,
    period: Period,
    today: dt.date,
    interval_months: int = 12,
    cached: bool = True,
    scope: Scope | None = None,
) -> Figures:
    tally = _Tally.read(session, period, scope or Scope())
    served = _count_visits(tally)
    _count_register(tally, served)
    _count_circles(tally)
    _count_subsidy(tally, cached)
    _count_assessments(tally, today, interval_months)
    _count_emergencies(tally)
    _add_up(tally)
    return tally.figures


_ElderFacts = tuple[int | None, dt.date | None, ElderStatus, bool]


@dataclass
class _Tally:
    """What every count reads and adds to: the stations by id (None for no station), the
    ones the scope shows, and each elder's station, birth date, status and whether located."""

    session: AnySession
    period: Period
    figures: Figures
    stations: dict[int | None, Group]
    shown: set[int | None]
    elders: dict[int, _ElderFacts]

    @classmethod
    def read(cls, session: AnySession, period: Period, scope: Scope) -> _Tally:
        stations: dict[int | None, Group] = {
            sid: Group(code, name, district or NO_DISTRICT, sid)
            for sid, code, name, district in session.execute(
                select(Station.id, Station.code, Station.name, Station.district)
            )
        }
        stations[None] = Group("", "", NO_DISTRICT, None)
        shown = {sid for sid, group in stations.items() if scope.holds(group)}
        elders = {
            eid: (station_id, born, status, lat is not None and lon is not None)
            for eid, station_id, born, status, lat, lon in session.execute(
                select(
                    Elder.id, Elder.station_id, Elder.birth_date, Elder.status, Elder.lat, Elder.lon
                )
            )
        }
        return cls(session, period, Figures(period, scope), stations, shown, elders)

    def station_of(self, eid: int | None) -> int | None:
        row = self.elders.get(eid) if eid is not None else None
        return row[0] if row and row[0] in self.stations else None


def _count_visits(tally: _Tally) -> dict[int, set[str]]:
    """Completed visits in the period, by elder and service; returns each served elder's
    service codes."""
    period, stations, figures = tally.period, tally.stations, tally.figures
    services = dict(tally.session.execute(select(ServiceType.id, ServiceType.code)).all())
    served: dict[int, set[str]] = defaultdict(set)
    person_times: dict[str, int] = defaultdict(int)
    for eid, sid in tally.session.execute(
        select(ServiceRequest.elder_id, ServiceRequest.service_type_id)
        .join(Visit, Visit.request_id == ServiceRequest.id)
        .where(
            Visit.status == VisitStatus.COMPLETED,
            ServiceRequest.service_date.between(period.first, period.last),
            ServiceRequest.origin != RequestOrigin.EMERGENCY,
        )
    ):
        station_id = tally.station_of(eid)
        if station_id not in tally.shown:
            continue
        code = services.get(sid, "")
        served[eid].add(code)
        person_times[code] += 1
        stations[station_id].person_times += 1
    figures.person_times = dict(sorted(person_times.items()))
    figures.elders_served = len(served)
    for eid in served:
        stations[tally.station_of(eid)].elders_served += 1
    return served


def _count_register(tally: _Tally, served: dict[int, set[str]]) -> None:
    """Shares among elders on the register at the period's end (not deceased or moved away)."""
    period = tally.period
    gone = set(
        tally.session.scalars(
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
    for eid, (_sid, born, status, _located) in tally.elders.items():
        station_id = tally.station_of(eid)
        if station_id not in tally.shown:
            continue
        if status in (ElderStatus.DECEASED, ElderStatus.MOVED) or eid in gone:
            continue
        group = tally.stations[station_id]
        group.active_elders += 1
        age = _age(born, period.last)
        if age is not None and age >= 80:
            group.over_80 += 1
            if eid in served:
                group.over_80_visited += 1
        if any(code.startswith("meal") for code in served.get(eid, ())):
            group.meal_helped += 1


def _count_circles(tally: _Tally) -> None:
    """The circles as they are today, over the elders on the register today."""
    report = coverage.compute(tally.session)
    outside = {u.elder_id for u in report.uncovered}
    for eid, (_sid, _born, status, located) in tally.elders.items():
        station_id = tally.station_of(eid)
        if station_id not in tally.shown or status in (ElderStatus.DECEASED, ElderStatus.MOVED):
            continue
        tally.stations[station_id].circle_total += 1
        if located and eid not in outside:
            tally.stations[station_id].inside_circle += 1


def _count_subsidy(tally: _Tally, cached: bool) -> None:
    """Subsidy: each month's own result."""
    session, figures = tally.session, tally.figures
    monthly = select(SubsidyPolicy).where(SubsidyPolicy.kind.in_(MONTHLY_KINDS))
    terms = [PolicyTerms.of(p) for p in session.scalars(monthly)]
    codes = {p.id: p.code for p in session.scalars(select(SubsidyPolicy))}
    for month in tally.period.months:
        if cached:
            locked, lines = rc.month_lines(session, month)
        else:
            result = rc.reconcile(session, month)
            locked, lines = result.locked, result.elders
        if locked:
            figures.months_locked.append(str(month))
        policy = in_force(terms, month.first)
        policy_code = codes.get(policy.id, "") if policy else ""
        month_payable = _count_month_lines(tally, month, lines, policy_code)
        for eid, amount in rc.adjustments_of(session, month).items():
            station_id = tally.station_of(eid)
            if station_id in tally.shown:
                tally.stations[station_id].adjustment_fen += amount
        if policies_of(session, month):  # otherwise there is nothing to pay
            _count_meals(tally, month, cached)
        figures.trend.append((str(month), month_payable))


def _count_month_lines(
    tally: _Tally, month: Month, lines: Sequence[ElderLine], policy_code: str
) -> int:
    """One month's reconciliation lines into tiers, policies and stations; the month's
    payable fen."""
    figures, stations = tally.figures, tally.stations
    month_payable = 0
    for group in stations.values():
        group.months.setdefault(str(month), 0)
    for line in lines:
        station = stations.get(line.station_id) or stations[None]
        if station.station_id not in tally.shown:
            continue
        tier = figures.by_tier.setdefault(line.care_level, Money())
        tier.entitled_fen += line.entitlement_fen
        tier.payable_fen += line.payable_fen
        by_policy = figures.by_policy.setdefault(policy_code, Money())
        by_policy.entitled_fen += line.entitlement_fen
        by_policy.payable_fen += line.payable_fen
        month_payable += line.payable_fen
        station.entitled_fen += line.entitlement_fen
        station.payable_fen += line.payable_fen
        station.verified += line.verified
        station.months[str(month)] += line.payable_fen
    return month_payable


def _count_meals(tally: _Tally, month: Month, cached: bool) -> None:
    """One month's subsidised meals, by the canteen's station."""
    figures, stations = tally.figures, tally.stations
    codes_shown = {stations[sid].code for sid in tally.shown if sid is not None}
    meals = meal_month(tally.session, month, cached=cached)
    by_code = {g.code: g for g in stations.values() if g.station_id is not None}
    for canteen in meals.canteens:
        if canteen.key in codes_shown or (not canteen.key and None in tally.shown):
            figures.meals_subsidised += canteen.paid_meals
            figures.meal_elder_fen += canteen.elder_fen
            figures.meal_operator_fen += canteen.operator_fen
            group = by_code.get(canteen.key) or stations[None]
            group.meals_subsidised += canteen.paid_meals
            group.meal_fen += canteen.total_fen


def _count_assessments(tally: _Tally, today: dt.date, interval_months: int) -> None:
    """Assessments done in the period and due now."""
    period = tally.period
    for (eid,) in tally.session.execute(
        select(Assessment.elder_id).where(
            Assessment.kind == KIND_ASSESSMENT,
            Assessment.assessed_on.between(period.first, period.last),
        )
    ):
        station_id = tally.station_of(eid)
        if station_id in tally.shown:
            tally.stations[station_id].assessments_done += 1
    for due in due_list(tally.session, today, interval_months, 0):
        station_id = tally.station_of(due.elder.id)
        if due.due_on <= today and station_id in tally.shown:
            tally.stations[station_id].assessments_due += 1


def _count_emergencies(tally: _Tally) -> None:
    """Emergency calls: from the call to the first check-in at the door."""
    period, figures = tally.period, tally.figures
    arrivals: dict[int, tuple[dt.datetime, dt.datetime | None, int]] = {}
    for rid, eid, called, arrived in tally.session.execute(
        select(
            ServiceRequest.id, ServiceRequest.elder_id, ServiceRequest.created_at, Visit.check_in_at
        )
        .outerjoin(Visit, Visit.request_id == ServiceRequest.id)
        .where(
            ServiceRequest.origin == RequestOrigin.EMERGENCY,
            ServiceRequest.service_date.between(period.first, period.last),
        )
    ):
        if tally.station_of(eid) not in tally.shown:
            continue
        known = arrivals.get(rid)
        if known is None or (arrived is not None and (known[1] is None or arrived < known[1])):
            arrivals[rid] = (called, arrived, eid)
    minutes = []
    for called, arrived, eid in arrivals.values():
        station = tally.stations[tally.station_of(eid)]
        station.emergencies += 1
        if arrived is None:
            continue
        waited = (arrived - called).total_seconds() / 60
        minutes.append(waited)
        if waited <= PROMISE_MINUTES:
            station.within_promise += 1
    figures.emergencies = len(arrivals)
    figures.emergencies_reached = len(minutes)
    figures.median_response_min = statistics.median(minutes) if minutes else None


def _add_up(tally: _Tally) -> None:
    """The totals are the sums of the stations shown, so every breakdown adds up to them."""
    figures, stations, shown = tally.figures, tally.stations, tally.shown
    total = Group("TOTAL", "")
    for shown_id in shown:
        total.add(stations[shown_id])
    figures.visits_verified = total.verified
    figures.entitled_fen = total.entitled_fen
    figures.payable_fen = total.payable_fen
    figures.adjustment_fen = total.adjustment_fen
    figures.active_elders = total.active_elders
    figures.over_80, figures.over_80_visited = total.over_80, total.over_80_visited
    figures.meal_helped = total.meal_helped
    figures.circle_total, figures.inside_circle = total.circle_total, total.inside_circle
    figures.assessments_done = total.assessments_done
    figures.assessments_due = total.assessments_due
    figures.within_promise = total.within_promise

    listed = [
        g
        for key, g in stations.items()
        if key in shown and (key is not None or g.elders_served or g.payable_fen or g.emergencies)
    ]
    for g in listed:
        g.stations = 1 if g.station_id is not None else 0
    figures.stations = sorted(listed, key=lambda g: (g.district, g.code))
    districts: dict[str, Group] = {}
    for g in figures.stations:
        districts.setdefault(g.district, Group(g.district, g.district, g.district)).add(g)
    figures.districts = sorted(districts.values(), key=lambda g: (g.code == NO_DISTRICT, g.code))
