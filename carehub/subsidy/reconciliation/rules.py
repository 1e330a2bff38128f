"""Visit verification: one function per rule, each named by its reason code.

A rule *fires* when the visit breaks it. Every rule can be switched off, made to reject
instead of flag, and tuned through the ``SUBSIDY_RULES`` setting, e.g.
``{"far_from_home": {"radius_m": 300}, "late_upload": {"enabled": false}}``.
Rules that compare a visit with others (overlap, duplicate, reused fix) read sets the
month's checker works out once, so a month of 300,000 visits stays linear.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from carehub.core.enums import ElderStatus

LatLon = tuple[float, float]

VERIFIED, FLAGGED, REJECTED = "verified", "flagged", "rejected"
FLAG, REJECT = "flag", "reject"


@dataclass(slots=True)
class VisitFacts:
    """A completed visit with what the rules need to judge it. (Slots rather than frozen:
    building a frozen instance costs about a second more per city month.)"""

    id: int
    elder_id: int
    caregiver_id: int | None
    service_type_id: int
    request_id: int
    day: dt.date
    check_in_at: dt.datetime | None
    check_out_at: dt.datetime | None
    check_in: LatLon | None
    check_out: LatLon | None
    home: LatLon | None
    standard_minutes: int
    caregivers_needed: int = 1
    required_skill: str | None = None
    caregiver_skills: frozenset[str] = frozenset()
    elder_status: str = ElderStatus.ACTIVE.value
    received_at: dt.datetime | None = None
    # The service type's own too_short threshold (percent), overriding the rule's setting.
    min_percent: int | None = None
    # The caregiver's shift (local wall times) and the zone the day is read in.
    shift: tuple[dt.time, dt.time] | None = None
    zone: dt.tzinfo | None = None


@dataclass
class MonthFacts:
    """What the cross-visit rules found over the whole month."""

    overlapping: set[int] = field(default_factory=set)
    duplicates: set[int] = field(default_factory=set)
    reused_fixes: set[int] = field(default_factory=set)


Params = Mapping[str, Any]


def distance_m(a: LatLon, b: LatLon) -> float:
    """Haversine distance in metres: within a few centimetres of the geodesic at the
    hundreds of metres this rule measures, and fast enough for a city's month."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def missing_check(visit: VisitFacts, month: MonthFacts, params: Params) -> bool:
    """Both the check-in and the check-out must be recorded."""
    return visit.check_in_at is None or visit.check_out_at is None


def far_from_home(visit: VisitFacts, month: MonthFacts, params: Params) -> bool:
    """Check-in and check-out within ``radius_m`` of the elder's home; a missing fix or an
    elder without coordinates cannot show that."""
    if visit.home is None or visit.check_in is None or visit.check_out is None:
        return True
    radius = float(params["radius_m"])
    return (
        distance_m(visit.check_in, visit.home) > radius
        or distance_m(visit.check_out, visit.home) > radius
    )


def too_short(visit: VisitFacts, month: MonthFacts, params: Params) -> bool:
    """At least ``min_percent`` of the service's standard duration: the service type's own
    threshold when it has one (a meal drop is judged as a drop), else the rule's."""
    if visit.check_in_at is None or visit.check_out_at is None:
        return False  # missing_check speaks for it
    seconds = (visit.check_out_at - visit.check_in_at).total_seconds()
    percent = visit.min_percent if visit.min_percent is not None else int(params["min_percent"])
    return seconds * 100 < percent * visit.standard_minutes * 60


def overlap(visit: VisitFacts, month: MonthFacts, params: Params) -> bool:
    """One caregiver cannot be at two doors at once."""
    return visit.id in month.overlapping


def elder_inactive(visit: VisitFacts, month: MonthFacts, params: Params) -> bool:
    """The elder was active that day: not hospitalised, deceased or moved away."""
    return visit.elder_status != ElderStatus.ACTIVE.value


def missing_skill(visit: VisitFacts, month: MonthFacts, params: Params) -> bool:
    """The caregiver holds the skill the service requires."""
    if visit.required_skill is None:
        return False
    return visit.caregiver_id is None or visit.required_skill not in visit.caregiver_skills


def late_upload(visit: VisitFacts, month: MonthFacts, params: Params) -> bool:
    """The check-out reached the server within ``max_hours`` of being recorded on the phone."""
    if visit.received_at is None or visit.check_out_at is None:
        return False
    delay = visit.received_at - visit.check_out_at
    return delay > dt.timedelta(hours=float(params["max_hours"]))


def duplicate(visit: VisitFacts, month: MonthFacts, params: Params) -> bool:
    """No second visit for the same elder, service and day."""
    return visit.id in month.duplicates


def reused_fix(visit: VisitFacts, month: MonthFacts, params: Params) -> bool:
    """The same GPS fix recorded at different elders' homes is a copied location."""
    return visit.id in month.reused_fixes


def outside_shift(visit: VisitFacts, month: MonthFacts, params: Params) -> bool:
    """Checked in and out within the caregiver's shift on the visit's day, give or take
    ``grace_min`` minutes: a visit from 08:33 to 00:30 the next day was not worked."""
    if visit.shift is None or visit.check_in_at is None or visit.check_out_at is None:
        return False
    zone = visit.zone or dt.UTC
    grace = dt.timedelta(minutes=int(params["grace_min"]))
    opens = dt.datetime.combine(visit.day, visit.shift[0], tzinfo=zone) - grace
    closes = dt.datetime.combine(visit.day, visit.shift[1], tzinfo=zone) + grace
    return visit.check_in_at < opens or visit.check_out_at > closes


RuleCheck = Callable[[VisitFacts, MonthFacts, Params], bool]


@dataclass(frozen=True)
class Rule:
    code: str
    check: RuleCheck
    defaults: dict[str, Any]


RULES: tuple[Rule, ...] = (
    Rule("missing_check", missing_check, {"action": REJECT}),
    Rule("far_from_home", far_from_home, {"radius_m": 200}),
    Rule("too_short", too_short, {"min_percent": 70}),
    Rule("overlap", overlap, {}),
    Rule("elder_inactive", elder_inactive, {}),
    Rule("missing_skill", missing_skill, {}),
    Rule("late_upload", late_upload, {"max_hours": 72}),
    Rule("duplicate", duplicate, {}),
    Rule("reused_fix", reused_fix, {"decimals": 6}),
    Rule("outside_shift", outside_shift, {"grace_min": 30}),
)
REASON_CODES = tuple(rule.code for rule in RULES)


@dataclass(frozen=True)
class Settings:
    """Each rule's parameters: the defaults overlaid with the ``SUBSIDY_RULES`` setting."""

    params: dict[str, dict[str, Any]]

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> Settings:
        overrides = overrides or {}
        unknown = set(overrides) - set(REASON_CODES)
        if unknown:
            raise ValueError(f"unknown subsidy rule(s): {', '.join(sorted(unknown))}")
        params = {}
        for rule in RULES:
            merged = {"enabled": True, "action": FLAG, **rule.defaults}
            merged.update(overrides.get(rule.code, {}))
            if merged["action"] not in (FLAG, REJECT):
                raise ValueError(f"{rule.code}: action must be 'flag' or 'reject'")
            params[rule.code] = merged
        return cls(params)

    def enabled(self, code: str) -> bool:
        return bool(self.params[code]["enabled"])


def current_settings() -> Settings:
    from flask import current_app, has_app_context

    if not has_app_context():
        return Settings.from_overrides()
    return Settings.from_overrides(current_app.config.get("SUBSIDY_RULES") or {})


def find_overlaps(visits: Iterable[VisitFacts]) -> set[int]:
    by_caregiver: dict[int, list[VisitFacts]] = defaultdict(list)
    for visit in visits:
        if visit.caregiver_id is not None and visit.check_in_at and visit.check_out_at:
            by_caregiver[visit.caregiver_id].append(visit)
    found: set[int] = set()
    for own in by_caregiver.values():
        own.sort(key=lambda v: (v.check_in_at, v.id))
        latest: VisitFacts | None = None  # the visit ending last among those seen
        for visit in own:
            assert visit.check_in_at and visit.check_out_at
            if (
                latest is not None
                and latest.check_out_at
                and visit.check_in_at < latest.check_out_at
            ):
                found.update((visit.id, latest.id))
            if latest is None or (latest.check_out_at and visit.check_out_at > latest.check_out_at):
                latest = visit
    return found


def find_duplicates(visits: Iterable[VisitFacts]) -> set[int]:
    """Visits past the first for an elder, service and day, allowing one visit per caregiver
    the service needs (two caregivers for a severe bath are not a duplicate)."""
    groups: dict[tuple[int, int, dt.date], list[VisitFacts]] = defaultdict(list)
    for visit in visits:
        groups[(visit.elder_id, visit.service_type_id, visit.day)].append(visit)
    found: set[int] = set()
    far_future = dt.datetime.max.replace(tzinfo=dt.UTC)
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda v: (v.check_in_at or far_future, v.id))
        first_request = group[0].request_id
        seen: set[int | None] = set()
        for index, visit in enumerate(group):
            extra = index >= visit.caregivers_needed or visit.request_id != first_request
            if extra or visit.caregiver_id in seen:
                found.add(visit.id)
            seen.add(visit.caregiver_id)
    return found


def find_reused_fixes(visits: Iterable[VisitFacts], decimals: int = 6) -> set[int]:
    elders_at: dict[LatLon, set[int]] = defaultdict(set)
    fixes: list[tuple[int, LatLon]] = []
    for visit in visits:
        for fix in (visit.check_in, visit.check_out):
            if fix is not None:
                key = (round(fix[0], decimals), round(fix[1], decimals))
                elders_at[key].add(visit.elder_id)
                fixes.append((visit.id, key))
    return {visit_id for visit_id, key in fixes if len(elders_at[key]) > 1}


def month_facts(visits: list[VisitFacts], settings: Settings) -> MonthFacts:
    facts = MonthFacts()
    if settings.enabled("overlap"):
        facts.overlapping = find_overlaps(visits)
    if settings.enabled("duplicate"):
        facts.duplicates = find_duplicates(visits)
    if settings.enabled("reused_fix"):
        facts.reused_fixes = find_reused_fixes(
            visits, int(settings.params["reused_fix"]["decimals"])
        )
    return facts


def judge(visit: VisitFacts, month: MonthFacts, settings: Settings) -> tuple[str, list[str]]:
    """The visit's outcome and the reason codes of every rule that fired."""
    return _judge(visit, month, _enabled(settings))


def _enabled(settings: Settings) -> list[tuple[Rule, Params, bool]]:
    """The enabled rules in order, with their parameters and whether they reject."""
    found: list[tuple[Rule, Params, bool]] = []
    for rule in RULES:
        params = settings.params[rule.code]
        if params["enabled"]:
            found.append((rule, params, params["action"] == REJECT))
    return found


def _judge(
    visit: VisitFacts, month: MonthFacts, rules: list[tuple[Rule, Params, bool]]
) -> tuple[str, list[str]]:
    reasons: list[str] = []
    outcome = VERIFIED
    for rule, params, rejects in rules:
        if not rule.check(visit, month, params):
            continue
        reasons.append(rule.code)
        if rejects:
            outcome = REJECTED
        elif outcome == VERIFIED:
            outcome = FLAGGED
    return outcome, reasons


def verify(visits: list[VisitFacts], settings: Settings) -> dict[int, tuple[str, list[str]]]:
    month = month_facts(visits, settings)
    rules = _enabled(settings)  # looked up once, not for each of a month's visits
    return {visit.id: _judge(visit, month, rules) for visit in visits}
