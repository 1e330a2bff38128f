"""Monthly entitlement under effective-dated policies.

A change of policy, care level or status takes effect on its date: the month is cut into
stretches over which nothing changes, each stretch earns its share of the monthly figure,
and the sum is rounded down to the fen once, so an unchanged month earns exactly the
monthly amount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from carehub.core.enums import CareLevel, ElderStatus, Hardship
from carehub.subsidy.models import (
    DEFAULT_TIERS,
    KIND_AGE_AMOUNT,
    KIND_AGE_HOURS,
    KIND_CARE_LEVEL,
    SubsidyPolicy,
)
from carehub.subsidy.months import Month


@dataclass(frozen=True)
class PolicyTerms:
    """A policy's figures, detached from the session so a month can be computed in bulk."""

    id: int
    kind: str
    effective_from: dt.date
    effective_to: dt.date | None
    eligible_hardships: frozenset[str]
    amounts: dict[str, int]
    age_bands: tuple[tuple[int, int, int], ...]
    supplement: int
    hour_value_fen: int
    carry_over: bool
    tiers: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TIERS))

    @classmethod
    def of(cls, policy: SubsidyPolicy) -> PolicyTerms:
        return cls(
            id=policy.id,
            kind=policy.kind,
            effective_from=policy.effective_from,
            effective_to=policy.effective_to,
            eligible_hardships=frozenset(policy.eligible_hardships or ()),
            amounts={
                CareLevel.MILD: policy.amount_mild_fen,
                CareLevel.MODERATE: policy.amount_moderate_fen,
                CareLevel.SEVERE: policy.amount_severe_fen,
            },
            age_bands=tuple(
                (int(b["min_age"]), int(b.get("max_age", 200)), int(b["value"]))
                for b in policy.age_bands or ()
            ),
            supplement=policy.supplement or 0,
            hour_value_fen=policy.hour_value_fen or 0,
            carry_over=bool(policy.carry_over),
            tiers={**DEFAULT_TIERS, **(policy.level_tiers or {})},
        )

    def tier_of(self, ability_level: str) -> str:
        return self.tiers.get(ability_level, CareLevel.NONE.value)

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def monthly_fen(self, level: str, hardship: str, age: int | None) -> int:
        """The full-month figure for an elder in these circumstances, in fen."""
        if self.kind == KIND_CARE_LEVEL:
            if hardship not in self.eligible_hardships:
                return 0
            return self.amounts.get(level, 0)
        # Age-band schemes with an empty list of categories cover every elder of age.
        if self.eligible_hardships and hardship not in self.eligible_hardships:
            return 0
        base = next((v for lo, hi, v in self.age_bands if age is not None and lo <= age <= hi), 0)
        if base == 0:
            return 0
        dependent = level == CareLevel.SEVERE or hardship == Hardship.DISABLED
        units = base + (self.supplement if dependent else 0)
        if self.kind == KIND_AGE_HOURS:
            return units * self.hour_value_fen // 60
        if self.kind == KIND_AGE_AMOUNT:
            return units
        return 0


def in_force(policies: Sequence[PolicyTerms], day: dt.date) -> PolicyTerms | None:
    """The latest-starting policy in force on a day."""
    best: PolicyTerms | None = None
    for policy in policies:
        if policy.in_force_on(day) and (
            best is None or policy.effective_from > best.effective_from
        ):
            best = policy
    return best


@dataclass(frozen=True)
class LevelEntry:
    """One entry of an elder's care-level history: a capability level the policy in force
    maps to a tier, or (an override) the tier itself."""

    effective_from: dt.date
    ability_level: str | None
    care_level: str
    previous_care_level: str

    def tier(self, policy: PolicyTerms | None) -> str:
        if self.ability_level is None:
            return self.care_level
        if policy is None:
            return self.care_level
        return policy.tier_of(self.ability_level)


@dataclass
class ElderTerms:
    """What entitlement depends on, for one elder."""

    elder_id: int
    care_level: str
    hardship: str
    birth_date: dt.date | None = None
    assessed_on: dt.date | None = None
    # The level before ``assessed_on``, when a locked month recorded one.
    earlier_level: str | None = None
    # (status, start, end) periods; the elder is active outside them.
    periods: list[tuple[str, dt.date, dt.date | None]] = field(default_factory=list)
    # The assessment history, by effective date; when present it decides the level.
    history: list[LevelEntry] = field(default_factory=list)

    def level_on(self, day: dt.date, policy: PolicyTerms | None = None) -> str:
        if self.history:
            found: LevelEntry | None = None
            for entry in self.history:
                if entry.effective_from <= day:
                    found = entry
            if found is not None:
                return found.tier(policy)
            return self.history[0].previous_care_level
        if self.assessed_on is not None and day < self.assessed_on and self.earlier_level:
            return self.earlier_level
        return self.care_level

    def status_on(self, day: dt.date) -> str:
        found = ElderStatus.ACTIVE.value
        for status, start, end in self.periods:
            if start <= day and (end is None or day <= end):
                found = status
        return found

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _cuts(month: Month, elder: ElderTerms, policies: Sequence[PolicyTerms]) -> list[dt.date]:
    days: set[dt.date] = {month.first}
    for policy in policies:
        days.add(policy.effective_from)
        if policy.effective_to is not None:
            days.add(policy.effective_to + dt.timedelta(days=1))
    for _status, start, end in elder.periods:
        days.add(start)
        if end is not None:
            days.add(end + dt.timedelta(days=1))
    if elder.assessed_on is not None:
        days.add(elder.assessed_on)
    for entry in elder.history:
        days.add(entry.effective_from)
    if elder.birth_date is not None:
        born = elder.birth_date
        # 29 February birthdays fall on 1 March in other years.
        day = min(born.day, Month(month.year, born.month).days)
        days.add(dt.date(month.year, born.month, day))
    return sorted(day for day in days if month.contains(day))


def entitlement_fen(month: Month, elder: ElderTerms, policies: Sequence[PolicyTerms]) -> int:
    """The elder's entitlement for the month, before any carried-over amount."""
    cuts = _cuts(month, elder, policies)
    ends = [*cuts[1:], month.last + dt.timedelta(days=1)]
    earned = 0  # fen-days: monthly fen times days, divided by the month's length once
    for start, end in zip(cuts, ends, strict=True):
        if elder.status_on(start) != ElderStatus.ACTIVE:
            continue
        policy = in_force(policies, start)
        if policy is None:
            continue
        level = elder.level_on(start, policy)
        monthly = policy.monthly_fen(level, elder.hardship, elder.age_on(start))
        earned += monthly * (end - start).days
    return earned // month.days


def carries_over(month: Month, policies: Sequence[PolicyTerms]) -> bool:
    policy = in_force(policies, month.first)
    return bool(policy and policy.carry_over)
