"""Per-meal ("double") subsidies: for each verified meal of a month, an amount to the elder
and one to the canteen's operator, under the per-meal policy in force that day, for
eligible elders and at most the policy's daily cap of meals a day. Summed per canteen
(station) and operator (the station's provider), in integer fen.

A meal is a completed visit of a ``meal*`` service (delivered, or served at the canteen)
whose verification result is *verified* (an auditor's approval counts): the month's own
reconciliation, so a locked month's meals are its locked results.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, select

from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.registry.models import Elder, ServiceType, Station
from carehub.subsidy.models import KIND_PER_MEAL, SubsidyPolicy, VisitResult
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation import reconcile as rc
from carehub.subsidy.reconciliation.rules import VERIFIED


@dataclass(frozen=True)
class MealTerms:
    id: int
    code: str
    effective_from: dt.date
    effective_to: dt.date | None
    elder_fen: int
    operator_fen: int
    daily_cap: int
    min_age: int
    max_age: int
    hardships: frozenset[str]

    @classmethod
    def of(cls, policy: SubsidyPolicy) -> MealTerms:
        return cls(
            policy.id,
            policy.code,
            policy.effective_from,
            policy.effective_to,
            policy.meal_elder_fen,
            policy.meal_operator_fen,
            policy.meal_daily_cap,
            policy.meal_min_age,
            policy.meal_max_age,
            frozenset(policy.eligible_hardships or ()),
        )

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def covers(self, age: int | None, hardship: str) -> bool:
        if age is None or not self.min_age <= age <= self.max_age:
            return False
        return not self.hardships or hardship in self.hardships


def policy_on(policies: list[MealTerms], day: dt.date) -> MealTerms | None:
    found = [p for p in policies if p.in_force_on(day)]
    return max(found, key=lambda p: p.effective_from) if found else None


@dataclass
class MealLine:
    key: str  # station code, or provider
    label: str
    meals: int = 0  # verified meals
    paid_meals: int = 0  # of them, subsidised (eligible, within the daily cap)
    elder_fen: int = 0
    operator_fen: int = 0

    @property
    def total_fen(self) -> int:
        return self.elder_fen + self.operator_fen


@dataclass
class MealMonth:
    month: Month
    locked: bool
    canteens: list[MealLine] = field(default_factory=list)
    operators: list[MealLine] = field(default_factory=list)

    def total(self) -> MealLine:
        line = MealLine("TOTAL", "")
        for canteen in self.canteens:
            line.meals += canteen.meals
            line.paid_meals += canteen.paid_meals
            line.elder_fen += canteen.elder_fen
            line.operator_fen += canteen.operator_fen
        return line


def _age(born: dt.date | None, day: dt.date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def policies_of(session: AnySession, month: Month) -> list[MealTerms]:
    """The per-meal policies in force on some day of the month."""
    found = [
        MealTerms.of(p)
        for p in session.scalars(select(SubsidyPolicy).where(SubsidyPolicy.kind == KIND_PER_MEAL))
    ]
    return [
        p
        for p in found
        if p.effective_from <= month.last
        and (p.effective_to is None or p.effective_to >= month.first)
    ]


def _verified_meals(
    session: AnySession, month: Month, cached: bool
) -> list[tuple[int, int, dt.date]]:
    """(visit, elder, day) of the month's verified meals: a locked month's from its stored
    results (without the rest of its snapshot), an open month's from its reconciliation."""
    meal = and_(
        ServiceRequest.service_date.between(month.first, month.last),
        ServiceType.code.like("meal%"),
    )
    joined = (
        select()
        .select_from(Visit)
        .join(ServiceRequest, ServiceRequest.id == Visit.request_id)
        .join(ServiceType, ServiceType.id == ServiceRequest.service_type_id)
    )
    if rc.is_locked(session, month):
        rows = session.execute(
            joined.add_columns(
                VisitResult.visit_id, VisitResult.elder_id, ServiceRequest.service_date
            )
            .join(VisitResult, VisitResult.visit_id == Visit.id)
            .where(meal, VisitResult.month == str(month), VisitResult.status == VERIFIED)
        )
        return sorted((vid, eid, day) for vid, eid, day in rows)
    ids = set(session.scalars(joined.add_columns(Visit.id).where(meal)))
    result = rc.reconcile(session, month, cached=cached)
    return sorted(
        (v.visit_id, v.elder_id, v.day)
        for v in result.visits.values()
        if v.visit_id in ids and v.status == VERIFIED
    )


def meal_month(session: AnySession, month: Month, cached: bool = True) -> MealMonth:
    locked = rc.is_locked(session, month)
    policies = policies_of(session, month)
    verified = _verified_meals(session, month, cached)
    elders = {
        eid: (station_id, born, str(hardship))
        for eid, station_id, born, hardship in session.execute(
            select(Elder.id, Elder.station_id, Elder.birth_date, Elder.hardship)
        )
    }
    stations = {
        sid: (code, name, provider or "")
        for sid, code, name, provider in session.execute(
            select(Station.id, Station.code, Station.name, Station.provider)
        )
    }
    per_day: dict[tuple[int, dt.date], int] = defaultdict(int)
    for _vid, eid, day in verified:
        per_day[(eid, day)] += 1
    canteens: dict[int | None, MealLine] = {}
    for (eid, day), meals in sorted(per_day.items()):
        station_id, born, hardship = elders.get(eid, (None, None, ""))
        code, name, _provider = (
            stations.get(station_id, ("", "", "")) if station_id else ("", "", "")
        )
        line = canteens.setdefault(station_id, MealLine(code, name))
        line.meals += meals
        policy = policy_on(policies, day)
        if policy is None or not policy.covers(_age(born, day), hardship):
            continue
        paid = min(meals, policy.daily_cap)
        line.paid_meals += paid
        line.elder_fen += paid * policy.elder_fen
        line.operator_fen += paid * policy.operator_fen
    operators: dict[str, MealLine] = {}
    for station_id, line in canteens.items():
        provider = stations[station_id][2] if station_id in stations else ""
        group = operators.setdefault(provider, MealLine(provider, provider))
        group.meals += line.meals
        group.paid_meals += line.paid_meals
        group.elder_fen += line.elder_fen
        group.operator_fen += line.operator_fen
    return MealMonth(
        month,
        locked,
        sorted(canteens.values(), key=lambda x: x.key),
        sorted(operators.values(), key=lambda x: x.key),
    )


def export_rows(found: MealMonth) -> list[list[str | int]]:
    rows: list[list[str | int]] = [
        ["month", "scope", "code", "name", "meals", "paid_meals", "elder_fen", "operator_fen"]
    ]
    for scope, lines in (("canteen", found.canteens), ("operator", found.operators)):
        for line in lines:
            rows.append(
                [
                    str(found.month),
                    scope,
                    line.key,
                    line.label,
                    line.meals,
                    line.paid_meals,
                    line.elder_fen,
                    line.operator_fen,
                ]
            )
    total = found.total()
    rows.append(
        [
            str(found.month),
            "total",
            "TOTAL",
            "",
            total.meals,
            total.paid_meals,
            total.elder_fen,
            total.operator_fen,
        ]
    )
    return rows
