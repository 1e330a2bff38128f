"""The month's sums agree to the fen at every level, whatever the visits and entitlements."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from carehub.core.enums import CareLevel, Hardship
from carehub.subsidy.months import Month
from carehub.subsidy.policy.entitlement import ElderTerms, entitlement_fen
from carehub.subsidy.reconciliation.ledger import FEN_FIELDS, elder_line, roll_up, total
from tests.unit.subsidy_terms import policy_terms

statuses = st.sampled_from(["verified", "flagged", "rejected"])
visit_lists = st.lists(st.tuples(statuses, st.integers(0, 20_000)), max_size=40)
elders = st.lists(
    st.tuples(
        st.integers(0, 100_000),
        visit_lists,
        st.integers(0, 5),
        st.integers(0, 3),
        st.integers(0, 50_000),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(elders)
def test_totals_agree_at_every_level(rows) -> None:
    lines = [
        elder_line(i, f"E{i}", station, "mild", entitled, visits, carried)
        for i, (entitled, visits, station, _provider, carried) in enumerate(rows)
    ]
    provider_of = {i: f"P{p}" for i, (_e, _v, _s, p, _c) in enumerate(rows)}
    for line in lines:
        assert line.payable_fen + line.excess_fen == line.verified_fen
        assert line.payable_fen + line.unused_fen == line.entitlement_fen
        assert 0 <= line.payable_fen <= line.entitlement_fen
        assert all(isinstance(getattr(line, name), int) for name in FEN_FIELDS)
    by_station = roll_up(lines, lambda line: line.station_id)
    by_provider = roll_up(lines, lambda line: provider_of[line.elder_id])
    month = total(by_station.values())
    for name in FEN_FIELDS:
        expected = sum(getattr(line, name) for line in lines)
        assert month.fen[name] == expected
        assert total(by_provider.values()).fen[name] == expected
    assert month.elders == len(lines)
    assert sum(month.visits.values()) == sum(len(visits) for _e, visits, *_ in rows)


NOV = Month(2026, 11)


def test_care_level_amount_for_a_whole_month() -> None:
    elder = ElderTerms(1, CareLevel.MODERATE, Hardship.DIBAO)
    assert entitlement_fen(NOV, elder, [policy_terms()]) == 40000


def test_not_eligible_or_hospitalised_days_earn_nothing() -> None:
    assert entitlement_fen(NOV, ElderTerms(1, "moderate", "none"), [policy_terms()]) == 0
    away = ElderTerms(
        1, "moderate", "dibao", periods=[("hospitalised", dt.date(2026, 11, 16), None)]
    )
    assert entitlement_fen(NOV, away, [policy_terms()]) == 40000 * 15 // 30


def test_a_new_policy_applies_from_its_date() -> None:
    later = policy_terms(
        id=2,
        effective_from=dt.date(2026, 11, 11),
        amounts={"mild": 0, "moderate": 70000, "severe": 0},
    )
    elder = ElderTerms(1, "moderate", "dibao")
    assert entitlement_fen(NOV, elder, [policy_terms(), later]) == (40000 * 10 + 70000 * 20) // 30


def test_age_band_amount_with_supplement_tai_an() -> None:
    tai_an = policy_terms(
        kind="age_band_amount",
        eligible_hardships=frozenset(),
        age_bands=((60, 79, 8000), (80, 89, 10000), (90, 99, 20000)),
        supplement=8000,
    )
    born = dt.date(1940, 5, 1)  # 86
    assert entitlement_fen(NOV, ElderTerms(1, "mild", "none", born), [tai_an]) == 10000
    assert entitlement_fen(NOV, ElderTerms(1, "severe", "none", born), [tai_an]) == 18000
    assert entitlement_fen(NOV, ElderTerms(1, "mild", "none", dt.date(1970, 1, 1)), [tai_an]) == 0


def test_age_band_hours_yiwu_turns_90_mid_month() -> None:
    yiwu = policy_terms(
        kind="age_band_hours",
        eligible_hardships=frozenset(),
        age_bands=((90, 120, 240),),
        supplement=240,
        hour_value_fen=3000,
    )
    elder = ElderTerms(1, "mild", "none", dt.date(1936, 11, 21))  # 90 from the 21st
    assert entitlement_fen(NOV, elder, [yiwu]) == 12000 * 10 // 30
    dependent = ElderTerms(1, "severe", "none", dt.date(1930, 1, 1))
    assert entitlement_fen(NOV, dependent, [yiwu]) == 24000


def test_month_arithmetic() -> None:
    assert str(Month.parse("2026-12").next()) == "2027-01"
    assert str(Month.parse("2026-01").previous()) == "2025-12"
    assert Month.parse("2024-02").days == 29
