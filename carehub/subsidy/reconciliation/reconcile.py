"""A month's reconciliation: every completed visit judged and priced, every elder's line,
and the station, provider and month totals.

An open month is worked out from the live records (the web pages keep the rules'
verdicts in the database while their inputs are unchanged, see ``month_figures``); a locked
month is read from the snapshot taken when it was locked, so nothing changed since can
alter it. Loading uses plain column queries (no ORM objects) because a city month holds
some 300,000 visits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import and_, or_, select

from carehub.core.enums import VisitStatus
from carehub.core.time import local_zone
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.registry.assessments import Assessment
from carehub.registry.models import (
    Caregiver,
    Elder,
    ElderStatusPeriod,
    ServiceType,
    Skill,
    Station,
    caregiver_skills,
)
from carehub.subsidy.models import (
    MONTHLY_KINDS,
    Adjustment,
    LedgerLine,
    MonthLock,
    SubsidyPolicy,
    VisitReceipt,
    VisitResult,
    VisitReview,
)
from carehub.subsidy.months import Month
from carehub.subsidy.policy import entitlement as policies
from carehub.subsidy.policy.pricing import PriceBook
from carehub.subsidy.reconciliation.ledger import ElderLine, Summary, elder_line, roll_up, total
from carehub.subsidy.reconciliation.rules import (
    FLAGGED,
    REJECTED,
    VERIFIED,
    Settings,
    VisitFacts,
    current_settings,
    verify,
)

APPROVED = "approved"
DECISIONS = {APPROVED: VERIFIED, "rejected": REJECTED}


NO_REASONS: list[str] = []  # shared by the verified visits: a city month has 300,000


@dataclass(slots=True)
class VisitOutcome:
    visit_id: int
    elder_id: int
    day: dt.date
    outcome: str  # what the rules said
    reasons: list[str]
    value_fen: int
    decision: str | None = None  # the auditor's, if any

    @property
    def status(self) -> str:
        return DECISIONS.get(self.decision or "", self.outcome)


@dataclass
class StationInfo:
    id: int | None
    code: str
    name: str
    provider: str


@dataclass
class Reconciliation:
    month: Month
    locked: bool
    elders: list[ElderLine]
    visits: dict[int, VisitOutcome]
    stations: dict[int | None, StationInfo]
    adjustments: dict[int, int] = field(default_factory=dict)  # elder id -> fen
    # When the rules last ran over the month, if the figures came from stored or kept ones.
    computed_at: dt.datetime | None = None
    # Stored figures older than the records: a task is working the month out again.
    stale: bool = False
    # A city month has some 30,000 lines and a page asks for the sums several times.
    _by_station: list[Summary] | None = field(default=None, init=False, repr=False, compare=False)

    def by_station(self) -> list[Summary]:
        if self._by_station is None:
            self._by_station = self._roll_up_stations()
        return list(self._by_station)

    def _roll_up_stations(self) -> list[Summary]:
        adjust: dict[Hashable, int] = defaultdict(int)
        station_of = {line.elder_id: line.station_id for line in self.elders}
        for elder_id, amount in self.adjustments.items():
            adjust[station_of.get(elder_id)] += amount
        groups = roll_up(self.elders, lambda line: line.station_id, adjust)
        for key, group in groups.items():
            info = self.stations.get(key) or StationInfo(None, "", "", "")  # type: ignore[call-overload]
            group.label, group.provider = info.code, info.provider
        return sorted(groups.values(), key=lambda g: g.label)

    def by_provider(self) -> list[Summary]:
        groups: dict[str, Summary] = {}
        for station in self.by_station():
            group = groups.setdefault(station.provider, Summary(key=station.provider))
            group.label = group.provider = station.provider
            group.merge(station)
        return sorted(groups.values(), key=lambda g: g.label)

    def totals(self) -> Summary:
        return total(self.by_station())

    def station_name(self, station_id: int | None) -> str:
        info = self.stations.get(station_id)
        return info.name if info else ""

    def as_json(self) -> dict[str, object]:
        stations = []
        for summary in self.by_station():
            info = self.stations.get(summary.key)  # type: ignore[call-overload]
            stations.append(
                {
                    "station_code": summary.label,
                    "station_name": info.name if info else "",
                    "provider": summary.provider,
                    **summary.as_json(),
                }
            )
        return {
            "month": str(self.month),
            "elders": [line.as_json() for line in self.elders],
            "stations": stations,
            "totals": self.totals().as_json(),
        }

    def only_station(self, station_id: int) -> Reconciliation:
        elders = [line for line in self.elders if line.station_id == station_id]
        keep = {line.elder_id for line in elders}
        return Reconciliation(
            self.month,
            self.locked,
            elders,
            {vid: v for vid, v in self.visits.items() if v.elder_id in keep},
            self.stations,
            {eid: fen for eid, fen in self.adjustments.items() if eid in keep},
            self.computed_at,
            self.stale,
        )


def is_locked(session: AnySession, month: Month) -> bool:
    return bool(
        session.scalar(
            select(MonthLock.id).where(MonthLock.month == str(month), MonthLock.locked.is_(True))
        )
    )


def reconcile(
    session: AnySession, month: Month, settings: Settings | None = None, cached: bool = False
) -> Reconciliation:
    """The month's figures. ``cached`` reads the verdicts stored in the database when a
    fingerprint of every input still matches, and never works a large month out in the
    request (see ``month_figures``); reviews and adjustments are always read afresh."""
    settings = settings or current_settings()
    if not cached:
        if is_locked(session, month):
            return _from_snapshot(session, month)
        return _live(session, month, settings)
    from carehub.subsidy.reconciliation import month_figures

    return month_figures.reconcile(session, month, settings)


def _stations(session: AnySession) -> dict[int | None, StationInfo]:
    rows = session.execute(select(Station.id, Station.code, Station.name, Station.provider))
    found: dict[int | None, StationInfo] = {
        sid: StationInfo(sid, code, name, provider or "") for sid, code, name, provider in rows
    }
    found[None] = StationInfo(None, "", "", "")
    return found


def adjustments_of(session: AnySession, month: Month) -> dict[int, int]:
    found: dict[int, int] = defaultdict(int)
    for elder_id, amount in session.execute(
        select(Adjustment.elder_id, Adjustment.amount_fen).where(Adjustment.month == str(month))
    ):
        found[elder_id] += amount
    return dict(found)


@dataclass(frozen=True)
class ElderRow:
    """What an elder's line is made of, before the auditors' decisions."""

    elder_id: int
    code: str
    station_id: int | None
    care_level: str
    entitlement_fen: int
    carried_in_fen: int
    visit_ids: list[int]

    def line(self, visits: dict[int, VisitOutcome]) -> ElderLine:
        return elder_line(
            self.elder_id,
            self.code,
            self.station_id,
            self.care_level,
            self.entitlement_fen,
            [(visits[vid].status, visits[vid].value_fen) for vid in self.visit_ids],
            self.carried_in_fen,
        )


@dataclass
class Judged:
    """An open month as the rules and policies see it: every visit's verdict and value and
    every elder's entitlement. Auditors' decisions are laid over it by ``assemble``."""

    month: Month
    visits: dict[int, VisitOutcome]
    elders: list[ElderRow]
    _lines: dict[int, ElderLine] = field(default_factory=dict)

    def line(self, row: ElderRow) -> ElderLine:
        """The line with no decisions, kept: the same for every request until an input
        changes."""
        found = self._lines.get(row.elder_id)
        if found is None:
            found = self._lines[row.elder_id] = row.line(self.visits)
        return found


def _live(session: AnySession, month: Month, settings: Settings) -> Reconciliation:
    return assemble(session, judge_month(session, month, settings))


def judge_month(session: AnySession, month: Month, settings: Settings) -> Judged:
    monthly = select(SubsidyPolicy).where(SubsidyPolicy.kind.in_(MONTHLY_KINDS))
    terms = [policies.PolicyTerms.of(p) for p in session.scalars(monthly)]
    elders = _elder_terms(session, month)
    homes, info = _elder_places(session)
    facts = _visit_facts(session, month, elders, homes)
    visits, per_elder = _outcomes(facts, verify(facts, settings), PriceBook.load(session))
    carried = _carried_in(session, month, terms)
    elder_rows: list[ElderRow] = []
    for eid in sorted(info, key=lambda e: info[e][0]):
        elder = elders[eid]
        entitled = policies.entitlement_fen(month, elder, terms)
        carry = carried.get(eid, 0)
        if not entitled and not carry and eid not in per_elder:
            continue
        code, station_id = info[eid]
        elder_rows.append(
            ElderRow(
                eid,
                code,
                station_id,
                elder.level_on(month.last, policies.in_force(terms, month.last)),
                entitled,
                carry,
                per_elder.get(eid, []),
            )
        )
    return Judged(month, visits, elder_rows)


def _elder_places(
    session: AnySession,
) -> tuple[dict[int, tuple[float, float] | None], dict[int, tuple[str, int | None]]]:
    """Every elder's home (None without coordinates), and their code and station."""
    homes: dict[int, tuple[float, float] | None] = {}
    info: dict[int, tuple[str, int | None]] = {}
    for eid, code, station_id, lat, lon in session.execute(
        select(Elder.id, Elder.code, Elder.station_id, Elder.lat, Elder.lon)
    ):
        homes[eid] = (lat, lon) if lat is not None and lon is not None else None
        info[eid] = (code, station_id)
    return homes, info


def _caregiver_skills(session: AnySession) -> dict[int, frozenset[str]]:
    skills: dict[int, set[str]] = defaultdict(set)
    for cid, code in session.execute(
        select(caregiver_skills.c.caregiver_id, Skill.code).join(
            Skill, Skill.id == caregiver_skills.c.skill_id
        )
    ):
        skills[cid].add(code)
    return {cid: frozenset(codes) for cid, codes in skills.items()}


def _visit_facts(
    session: AnySession,
    month: Month,
    elders: dict[int, policies.ElderTerms],
    homes: dict[int, tuple[float, float] | None],
) -> list[VisitFacts]:
    """What the rules need to know of each completed visit of the month."""
    services = _service_terms(session)
    frozen = _caregiver_skills(session)
    shifts = {
        cid: (start, end)
        for cid, start, end in session.execute(
            select(Caregiver.id, Caregiver.shift_start, Caregiver.shift_end)
        )
    }
    zone = local_zone()
    receipts, rows = _completed_in(session, month)
    no_skills: frozenset[str] = frozenset()
    facts: list[VisitFacts] = []
    for vid, rid, eid, sid, cid, day, t_in, t_out, lat_in, lon_in, lat_out, lon_out in rows:
        minutes, needed, skill, percent = services[sid]
        elder = elders.get(eid)
        facts.append(
            VisitFacts(
                id=vid,
                elder_id=eid,
                caregiver_id=cid,
                service_type_id=sid,
                request_id=rid,
                day=day,
                check_in_at=t_in,
                check_out_at=t_out,
                check_in=(lat_in, lon_in) if lat_in is not None and lon_in is not None else None,
                check_out=(lat_out, lon_out)
                if lat_out is not None and lon_out is not None
                else None,
                home=homes.get(eid),
                standard_minutes=minutes,
                caregivers_needed=needed,
                required_skill=skill,
                caregiver_skills=frozen.get(cid, no_skills) if cid is not None else no_skills,
                elder_status=elder.status_on(day) if elder else "active",
                received_at=receipts.get(vid),
                min_percent=percent,
                shift=shifts.get(cid) if cid is not None else None,
                zone=zone,
            )
        )
    return facts


def _service_terms(session: AnySession) -> dict[int, tuple[int, int, str | None, int | None]]:
    """Each service type's standard minutes, caregivers needed, skill and minimum share."""
    return {
        sid: (minutes, needed, skill, percent)
        for sid, minutes, needed, skill, percent in session.execute(
            select(
                ServiceType.id,
                ServiceType.duration_min,
                ServiceType.caregivers_needed,
                Skill.code,
                ServiceType.min_visit_percent,
            ).outerjoin(Skill, ServiceType.skill_id == Skill.id)
        )
    }


def _completed_in(session: AnySession, month: Month) -> tuple[dict[int, dt.datetime], Any]:
    """The month's completed visits (rows) and when each one's receipt came in."""
    in_month = and_(
        Visit.status == VisitStatus.COMPLETED,
        ServiceRequest.service_date >= month.first,
        ServiceRequest.service_date <= month.last,
    )
    joined = select().select_from(Visit).join(ServiceRequest, Visit.request_id == ServiceRequest.id)
    receipts: dict[int, dt.datetime] = dict(
        session.execute(
            joined.add_columns(VisitReceipt.visit_id, VisitReceipt.received_at)
            .join(VisitReceipt, VisitReceipt.visit_id == Visit.id)
            .where(in_month)
        ).all()
    )
    rows = session.execute(
        joined.add_columns(
            Visit.id,
            Visit.request_id,
            ServiceRequest.elder_id,
            ServiceRequest.service_type_id,
            Visit.caregiver_id,
            ServiceRequest.service_date,
            Visit.check_in_at,
            Visit.check_out_at,
            Visit.check_in_lat,
            Visit.check_in_lon,
            Visit.check_out_lat,
            Visit.check_out_lon,
        ).where(in_month)
    )
    return receipts, rows


def _outcomes(
    facts: list[VisitFacts], judged: dict[int, tuple[str, list[str]]], prices: PriceBook
) -> tuple[dict[int, VisitOutcome], dict[int, list[int]]]:
    """Each visit's verdict and value, and each elder's visits in order."""
    visits: dict[int, VisitOutcome] = {}
    per_elder: dict[int, list[int]] = defaultdict(list)
    for fact in facts:
        outcome, reasons = judged[fact.id]
        visits[fact.id] = VisitOutcome(
            fact.id,
            fact.elder_id,
            fact.day,
            outcome,
            reasons or NO_REASONS,
            prices.price_on(fact.service_type_id, fact.day),
        )
        per_elder[fact.elder_id].append(fact.id)
    return visits, per_elder


def assemble(session: AnySession, judged: Judged) -> Reconciliation:
    """The month from the rules' verdicts plus the auditors' decisions as they stand now."""
    visits = judged.visits
    decided: dict[int, str] = {}
    if visits:
        # A month's visits have neighbouring ids: the range keeps other months' reviews out.
        near = VisitReview.visit_id.between(min(visits), max(visits))
        for vid, decision in session.execute(
            select(VisitReview.visit_id, VisitReview.decision).where(near)
        ):
            if vid in visits:
                decided[vid] = decision
    if decided:
        visits = dict(visits)
        for vid, decision in decided.items():
            visits[vid] = replace(visits[vid], decision=decision)
    touched = {visits[vid].elder_id for vid in decided}
    lines = [
        row.line(visits) if row.elder_id in touched else judged.line(row) for row in judged.elders
    ]
    return Reconciliation(
        judged.month,
        False,
        lines,
        visits,
        _stations(session),
        adjustments_of(session, judged.month),
    )


def _elder_terms(session: AnySession, month: Month) -> dict[int, policies.ElderTerms]:
    earlier = dict(
        session.execute(
            select(LedgerLine.elder_id, LedgerLine.care_level).where(
                LedgerLine.month == str(month.previous())
            )
        ).all()
    )
    elders = {
        eid: policies.ElderTerms(eid, str(level), str(hardship), born, assessed, earlier.get(eid))
        for eid, level, hardship, born, assessed in session.execute(
            select(
                Elder.id,
                Elder.care_level,
                Elder.hardship,
                Elder.birth_date,
                Elder.care_level_assessed_on,
            )
        )
    }
    periods = session.execute(
        select(
            ElderStatusPeriod.elder_id,
            ElderStatusPeriod.status,
            ElderStatusPeriod.start_date,
            ElderStatusPeriod.end_date,
        )
        .where(
            ElderStatusPeriod.start_date <= month.last,
            or_(ElderStatusPeriod.end_date.is_(None), ElderStatusPeriod.end_date >= month.first),
        )
        .order_by(ElderStatusPeriod.start_date, ElderStatusPeriod.id)
    )
    for eid, status, start, end in periods:
        if eid in elders:
            elders[eid].periods.append((str(status), start, end))
    # The care-level history up to the month's end (the latest entry before the month
    # decides its first day).
    history = session.execute(
        select(
            Assessment.elder_id,
            Assessment.effective_from,
            Assessment.ability_level,
            Assessment.care_level,
            Assessment.previous_care_level,
        )
        .where(Assessment.effective_from <= month.last)
        .order_by(Assessment.effective_from, Assessment.id)
    )
    for eid, start, ability, tier, before in history:
        if eid in elders:
            elders[eid].history.append(policies.LevelEntry(start, ability, tier, before))
    return elders


def _carried_in(
    session: AnySession, month: Month, terms: list[policies.PolicyTerms]
) -> dict[int, int]:
    """Unused entitlement of the previous month, when the policy carries it over and that
    month is locked (an open month's unused amount is not settled yet)."""
    if not policies.carries_over(month, terms):
        return {}
    return dict(
        session.execute(
            select(LedgerLine.elder_id, LedgerLine.unused_fen).where(
                LedgerLine.month == str(month.previous()), LedgerLine.unused_fen > 0
            )
        ).all()
    )


def _ledger_lines(session: AnySession, month: Month) -> list[ElderLine]:
    return [
        ElderLine(
            elder_id=row.elder_id,
            elder_code=row.elder_code,
            station_id=row.station_id,
            care_level=row.care_level,
            entitlement_fen=row.entitlement_fen,
            carried_in_fen=row.carried_in_fen,
            verified_fen=row.verified_fen,
            payable_fen=row.payable_fen,
            excess_fen=row.excess_fen,
            unused_fen=row.unused_fen,
            flagged_fen=row.flagged_fen,
            verified=row.verified_visits,
            flagged=row.flagged_visits,
            rejected=row.rejected_visits,
        )
        for row in session.scalars(
            select(LedgerLine).where(LedgerLine.month == str(month)).order_by(LedgerLine.elder_code)
        )
    ]


def month_lines(session: AnySession, month: Month) -> tuple[bool, list[ElderLine]]:
    """Whether the month is locked, and its elder lines: a locked month's straight from its
    ledger (without the visit results a full snapshot reads), an open month's as the month
    page has them (kept between requests while the inputs are unchanged)."""
    if is_locked(session, month):
        return True, _ledger_lines(session, month)
    return False, reconcile(session, month, cached=True).elders


def _from_snapshot(session: AnySession, month: Month) -> Reconciliation:
    key = str(month)
    lines = _ledger_lines(session, month)
    visits: dict[int, VisitOutcome] = {}
    rows = session.execute(
        select(
            VisitResult.visit_id,
            VisitResult.elder_id,
            ServiceRequest.service_date,
            VisitResult.status,
            VisitResult.reasons,
            VisitResult.value_fen,
        )
        .join(Visit, Visit.id == VisitResult.visit_id)
        .join(ServiceRequest, ServiceRequest.id == Visit.request_id)
        .where(VisitResult.month == key)
    )
    for vid, eid, day, status, reasons, value in rows:
        # The snapshot keeps the final status; the rules' own outcome is in the reasons.
        visits[vid] = VisitOutcome(vid, eid, day, status, list(reasons or []), value)
    return Reconciliation(
        month, True, lines, visits, _stations(session), adjustments_of(session, month)
    )


def reviewable_ids(result: Reconciliation, reason: str | None = None) -> list[int]:
    """Flagged and rejected visits, the ones an auditor may decide on."""
    found = [
        v
        for v in result.visits.values()
        if v.outcome in (FLAGGED, REJECTED) and (reason is None or reason in v.reasons)
    ]
    return [v.visit_id for v in sorted(found, key=lambda v: (v.day, v.visit_id))]


def draft_month(session: AnySession, first_day: dt.date) -> str:
    """The month-end draft for auditors: the closed month reconciled as it stands, summed up
    for the job's run record. An open month is always worked out afresh, so nothing is stored
    that a later review or late visit could leave stale."""
    result = reconcile(session, Month.of(first_day))
    totals = result.totals().as_json()
    visits = totals["visits"]
    assert isinstance(visits, dict)
    return (
        f"{len(result.elders)} elders, payable {totals['payable_fen']} fen, "
        f"flagged {visits.get('flagged', 0)} visits ({totals['flagged_fen']} fen pending)"
        + (" [locked]" if result.locked else "")
    )
