"""Each verification rule fires on the visit that breaks it and stays quiet on one that does not."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from carehub.subsidy.reconciliation import rules
from carehub.subsidy.reconciliation.rules import FLAGGED, REJECTED, VERIFIED, Settings, VisitFacts

HOME = (39.1195, 117.1970)
T0 = dt.datetime(2026, 10, 12, 2, 0, tzinfo=dt.UTC)


def visit(**kw: object) -> VisitFacts:
    fields: dict[str, object] = dict(
        id=1,
        elder_id=1,
        caregiver_id=1,
        service_type_id=1,
        request_id=1,
        day=dt.date(2026, 10, 12),
        check_in_at=T0,
        check_out_at=T0 + dt.timedelta(minutes=30),
        check_in=HOME,
        check_out=(HOME[0] + 0.0002, HOME[1]),
        home=HOME,
        standard_minutes=30,
        required_skill="meal",
        caregiver_skills=frozenset({"meal"}),
    )
    fields.update(kw)
    return VisitFacts(**fields)  # type: ignore[arg-type]


def at(n: int) -> dict[str, object]:
    """Another elder's home and fixes, so the reused-fix rule stays out of the way."""
    home = (HOME[0] + n * 0.01, HOME[1])
    return {"home": home, "check_in": home, "check_out": (home[0] + 0.0001, home[1])}


def reasons(*visits: VisitFacts, **overrides: dict[str, object]) -> dict[int, list[str]]:
    judged = rules.verify(list(visits), Settings.from_overrides(overrides))
    return {vid: found for vid, (_outcome, found) in judged.items()}


def test_a_clean_visit_is_verified() -> None:
    assert rules.verify([visit()], Settings.from_overrides()) == {1: (VERIFIED, [])}


def test_missing_check_out_fires_and_rejects() -> None:
    outcome = rules.verify([visit(check_out_at=None)], Settings.from_overrides())
    assert outcome[1] == (REJECTED, ["missing_check"])


def test_missing_check_quiet_with_both_times() -> None:
    assert "missing_check" not in reasons(visit())[1]


def test_far_from_home_fires_at_250_m() -> None:
    far = (HOME[0] + 0.00225, HOME[1])  # about 250 m north
    assert reasons(visit(check_in=far))[1] == ["far_from_home"]


def test_far_from_home_quiet_at_150_m_and_tunable() -> None:
    near = (HOME[0] + 0.00135, HOME[1])  # about 150 m
    assert reasons(visit(check_in=near))[1] == []
    assert reasons(visit(check_in=near), far_from_home={"radius_m": 100})[1] == ["far_from_home"]


def test_too_short_fires_below_70_percent() -> None:
    short = visit(check_out_at=T0 + dt.timedelta(minutes=20))  # 67 % of 30 min
    assert reasons(short)[1] == ["too_short"]


def test_too_short_quiet_at_70_percent() -> None:
    assert reasons(visit(check_out_at=T0 + dt.timedelta(minutes=21)))[1] == []


def test_too_short_reads_the_service_types_own_threshold() -> None:
    # A meal drop of three standard minutes handed over in one is fine at its 30 %; the
    # rule's 70 % would have flagged it.
    drop = visit(standard_minutes=3, check_out_at=T0 + dt.timedelta(minutes=1), min_percent=30)
    assert reasons(drop)[1] == []
    assert reasons(dataclasses.replace(drop, min_percent=None))[1] == ["too_short"]


def test_too_short_still_fires_on_a_three_minute_cleaning() -> None:
    cleaning = visit(standard_minutes=90, check_out_at=T0 + dt.timedelta(minutes=3))
    assert reasons(cleaning)[1] == ["too_short"]
    # Its own threshold counts too: 3 of 90 minutes is below even 10 %.
    assert reasons(dataclasses.replace(cleaning, min_percent=10))[1] == ["too_short"]


def test_overlap_fires_on_both_visits() -> None:
    a = visit(id=1, elder_id=1)
    b = visit(
        id=2,
        elder_id=2,
        request_id=2,
        check_in_at=T0 + dt.timedelta(minutes=20),
        check_out_at=T0 + dt.timedelta(minutes=50),
        **at(2),
    )
    found = reasons(a, b)
    assert found == {1: ["overlap"], 2: ["overlap"]}


def test_overlap_quiet_for_back_to_back_visits_or_other_caregivers() -> None:
    a = visit(id=1)
    b = visit(
        id=2,
        elder_id=2,
        request_id=2,
        check_in_at=T0 + dt.timedelta(minutes=30),
        check_out_at=T0 + dt.timedelta(minutes=60),
        **at(2),
    )
    c = visit(id=3, elder_id=3, request_id=3, caregiver_id=9, **at(3))
    assert reasons(a, b, c) == {1: [], 2: [], 3: []}


def test_elder_inactive_fires_when_hospitalised() -> None:
    assert reasons(visit(elder_status="hospitalised"))[1] == ["elder_inactive"]


def test_elder_inactive_quiet_when_active() -> None:
    assert reasons(visit(elder_status="active"))[1] == []


def test_missing_skill_fires() -> None:
    assert reasons(visit(required_skill="bathing"))[1] == ["missing_skill"]


def test_missing_skill_quiet_when_held_or_not_needed() -> None:
    assert reasons(visit(required_skill=None, caregiver_skills=frozenset()))[1] == []


def test_late_upload_fires_after_72_hours() -> None:
    late = visit(received_at=T0 + dt.timedelta(hours=73))
    assert reasons(late)[1] == ["late_upload"]


def test_late_upload_quiet_within_limit_and_switchable() -> None:
    assert reasons(visit(received_at=T0 + dt.timedelta(hours=70)))[1] == []
    late = visit(received_at=T0 + dt.timedelta(hours=100))
    assert reasons(late, late_upload={"enabled": False})[1] == []


def test_duplicate_fires_on_the_second_visit() -> None:
    first = visit(id=1)
    second = visit(
        id=2,
        request_id=2,
        caregiver_id=2,
        check_in_at=T0 + dt.timedelta(hours=3),
        check_out_at=T0 + dt.timedelta(hours=3, minutes=30),
    )
    assert reasons(first, second) == {1: [], 2: ["duplicate"]}


def test_duplicate_quiet_for_two_caregivers_a_service_needs() -> None:
    a = visit(id=1, caregivers_needed=2)
    b = visit(id=2, caregiver_id=2, caregivers_needed=2)
    assert reasons(a, b) == {1: [], 2: []}


def test_reused_fix_fires_at_another_elders_home() -> None:
    fix = (HOME[0] + 0.0003, HOME[1] + 0.0003)
    a = visit(id=1, check_in=fix)
    b = visit(id=2, elder_id=2, request_id=2, caregiver_id=2, check_in=fix)
    assert reasons(a, b) == {1: ["reused_fix"], 2: ["reused_fix"]}


def test_reused_fix_quiet_for_the_same_elder() -> None:
    a = visit(id=1)
    b = visit(id=2, request_id=2, service_type_id=2, caregiver_id=2)
    assert reasons(a, b) == {1: [], 2: []}


def test_a_flagging_rule_can_be_made_to_reject() -> None:
    short = visit(check_out_at=T0 + dt.timedelta(minutes=5))
    assert rules.verify([short], Settings.from_overrides())[1][0] == FLAGGED
    strict = Settings.from_overrides({"too_short": {"action": "reject"}})
    assert rules.verify([short], strict)[1][0] == REJECTED


def test_unknown_rule_names_are_refused() -> None:
    with pytest.raises(ValueError, match="nonsense"):
        Settings.from_overrides({"nonsense": {}})


def test_every_rule_has_its_test_pair() -> None:
    names = {name for name in globals() if name.startswith("test_")}
    for code in rules.REASON_CODES:
        assert sum(code in name for name in names) >= 2, code


def test_distance_is_close_to_the_geodesic() -> None:
    from carehub.geo.travel import distance_m

    far = (HOME[0] + 0.00225, HOME[1] + 0.001)
    assert rules.distance_m(HOME, far) == pytest.approx(distance_m(HOME, far), rel=5e-3)


def test_visit_facts_are_plain_data() -> None:
    assert dataclasses.is_dataclass(visit())


SHANGHAI = dt.timezone(dt.timedelta(hours=8))
SHIFT = (dt.time(8), dt.time(17))


def test_outside_shift_fires_on_a_visit_into_the_night() -> None:
    # 08:33 to 00:30 the next day, Shanghai time, against an 08:00-17:00 shift.
    late = visit(
        check_in_at=dt.datetime(2026, 10, 12, 8, 33, tzinfo=SHANGHAI),
        check_out_at=dt.datetime(2026, 10, 13, 0, 30, tzinfo=SHANGHAI),
        shift=SHIFT,
        zone=SHANGHAI,
    )
    assert "outside_shift" in reasons(late)[1]


def test_outside_shift_quiet_within_the_shift_and_its_grace() -> None:
    inside = visit(
        check_in_at=dt.datetime(2026, 10, 12, 7, 45, tzinfo=SHANGHAI),
        check_out_at=dt.datetime(2026, 10, 12, 8, 15, tzinfo=SHANGHAI),
        shift=SHIFT,
        zone=SHANGHAI,
    )
    assert "outside_shift" not in reasons(inside)[1]
    assert "outside_shift" not in reasons(visit(shift=None))[1]
