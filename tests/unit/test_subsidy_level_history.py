"""The entitlement read from the care-level history: a month split at an assessment, the
policy's own mapping of capability levels to tiers, and overrides."""

from __future__ import annotations

import datetime as dt

from carehub.subsidy.models import DEFAULT_TIERS
from carehub.subsidy.months import Month
from carehub.subsidy.policy.entitlement import ElderTerms, LevelEntry, entitlement_fen
from tests.unit.subsidy_terms import policy_terms

NOV = Month(2026, 11)  # 30 days


def _elder(*entries: LevelEntry) -> ElderTerms:
    # The elder's current tier field says severe: the history must win over it.
    return ElderTerms(1, "severe", "dibao", history=list(entries))


def test_a_level_change_on_the_16th_splits_the_month() -> None:
    elder = _elder(
        LevelEntry(dt.date(2025, 3, 1), "mild", "mild", "none"),
        LevelEntry(dt.date(2026, 11, 16), "moderate", "moderate", "mild"),
    )
    # 15 days at 200 yuan and 15 at 400: 300 yuan.
    assert entitlement_fen(NOV, elder, [policy_terms()]) == 30000


def test_without_a_change_in_the_month_the_month_is_whole() -> None:
    elder = _elder(LevelEntry(dt.date(2025, 3, 1), "mild", "mild", "none"))
    assert entitlement_fen(NOV, elder, [policy_terms()]) == 20000


def test_days_before_the_first_assessment_keep_the_level_before_it() -> None:
    elder = _elder(LevelEntry(dt.date(2026, 11, 11), "severe", "severe", "mild"))
    # 10 days mild, 20 days severe: (10 * 20000 + 20 * 60000) / 30.
    assert entitlement_fen(NOV, elder, [policy_terms()]) == (10 * 20000 + 20 * 60000) // 30


def test_the_policy_in_force_maps_capability_levels_to_tiers() -> None:
    elder = _elder(LevelEntry(dt.date(2025, 3, 1), "complete", "severe", "none"))
    strict = policy_terms(tiers={**DEFAULT_TIERS, "complete": "moderate"})
    assert entitlement_fen(NOV, elder, [policy_terms()]) == 60000
    assert entitlement_fen(NOV, elder, [strict]) == 40000


def test_an_override_sets_the_tier_itself() -> None:
    elder = _elder(
        LevelEntry(dt.date(2025, 3, 1), "mild", "mild", "none"),
        LevelEntry(dt.date(2026, 11, 1), None, "severe", "mild"),
    )
    assert entitlement_fen(NOV, elder, [policy_terms()]) == 60000


def test_intact_elders_earn_nothing_under_a_care_levelpolicy_terms() -> None:
    elder = _elder(LevelEntry(dt.date(2025, 3, 1), "intact", "none", "none"))
    assert entitlement_fen(NOV, elder, [policy_terms()]) == 0
