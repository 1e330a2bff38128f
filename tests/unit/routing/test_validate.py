"""Each hard constraint: a plan that keeps it passes, a plan that breaks it is reported."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from carehub.routing import Break, Plan, Problem, Route, Stop, Unassigned, validate

from .helpers import H, caregiver, problem, visit

# One visit two places out (600 s by e-bike), window 9:00-10:00, half an hour of service.
V = visit("v", 2, 9 * H, 10 * H)


def route(
    cid: str, start: int, departure: int | None = None, back: int | None = None, **kw
) -> Route:
    departure = start - 600 if departure is None else departure
    back = start + 1800 + 600 if back is None else back
    return Route(cid, departure, (Stop("v", start - 0, start),), back, **kw)


@dataclass(frozen=True)
class Case:
    kind: str
    good_problem: Problem
    good: Plan
    bad_problem: Problem
    bad: Plan


def _cases() -> dict[str, Case]:
    one = problem([V], [caregiver("A")])
    ok = Plan((route("A", 9 * H),))
    cases = {
        "window": Case("window", one, ok, one, Plan((route("A", 10 * H + 60),))),
        "timing": Case("timing", one, ok, one, Plan((route("A", 9 * H, departure=9 * H - 300),))),
    }
    short = problem([V], [caregiver("A", shift_end=10 * H)])
    cases["shift"] = Case("shift", short, ok, short, Plan((route("A", 9 * H + 3000),)))
    skilled = problem(
        [visit("v", 2, 9 * H, 10 * H, skill="nursing")], [caregiver("A", skills={"nursing"})]
    )
    unskilled = problem([visit("v", 2, 9 * H, 10 * H, skill="nursing")], [caregiver("A")])
    cases["skill"] = Case("skill", skilled, ok, unskilled, ok)
    female = problem([visit("v", 2, 9 * H, 10 * H, gender="F")], [caregiver("A", gender="F")])
    male = problem([visit("v", 2, 9 * H, 10 * H, gender="F")], [caregiver("A", gender="M")])
    cases["gender"] = Case("gender", female, ok, male, ok)
    pair = problem(
        [visit("v", 2, 9 * H, 10 * H, caregivers_needed=2)], [caregiver("A"), caregiver("B")]
    )
    together = Plan((route("A", 9 * H), route("B", 9 * H)))
    apart = Plan((route("A", 9 * H), route("B", 9 * H + 600)))
    cases["sync"] = Case("sync", pair, together, pair, apart)
    cases["sync_count"] = Case("sync", pair, together, pair, Plan((route("A", 9 * H),)))
    lunch = problem([V], [caregiver("A", lunch=Break(9 * H, 11 * H, 1800))])
    cases["break"] = Case(
        "break",
        lunch,
        Plan((route("A", 9 * H, break_start=10 * H),)),
        lunch,
        Plan((route("A", 9 * H, break_start=9 * H + 600),)),
    )
    cases["break_missing"] = Case(
        "break", lunch, Plan((route("A", 9 * H, break_start=10 * H),)), lunch, ok
    )
    capped = problem([V], [caregiver("A", max_work=3000)])
    cases["max_work"] = Case(
        "max_work", capped, ok, capped, Plan((route("A", 9 * H, departure=8 * H),))
    )
    pin_t = problem([visit("v", 2, 9 * H, 10 * H, pinned_time=9 * H)], [caregiver("A")])
    cases["pinned_time"] = Case("pinned", pin_t, ok, pin_t, Plan((route("A", 9 * H + 60),)))
    pin_c = problem(
        [visit("v", 2, 9 * H, 10 * H, pinned_caregiver="B")], [caregiver("A"), caregiver("B")]
    )
    cases["pinned_caregiver"] = Case(
        "pinned", pin_c, Plan((route("B", 9 * H),)), pin_c, Plan((route("A", 9 * H),))
    )
    pin_pair = problem(
        [
            visit(
                "v", 2, 9 * H, 10 * H, caregivers_needed=2, pinned_caregiver="A", pinned_partner="C"
            )
        ],
        [caregiver("A"), caregiver("B"), caregiver("C")],
    )
    cases["pinned_partner"] = Case(
        "pinned",
        pin_pair,
        Plan((route("A", 9 * H), route("C", 9 * H))),
        pin_pair,
        Plan((route("A", 9 * H), route("B", 9 * H))),
    )
    load = problem([visit("v", 2, 9 * H, 10 * H, demand=10)], [caregiver("A", capacity=10)])
    over = problem([visit("v", 2, 9 * H, 10 * H, demand=10)], [caregiver("A", capacity=5)])
    cases["capacity"] = Case("capacity", load, ok, over, ok)
    two = problem([V], [caregiver("A"), caregiver("B")])
    cases["served_twice"] = Case(
        "coverage", two, ok, two, Plan((route("A", 9 * H), route("B", 9 * H)))
    )
    cases["not_served"] = Case(
        "coverage", one, Plan((), (Unassigned("v", "capacity"),)), one, Plan(())
    )
    cases["served_and_unassigned"] = Case(
        "coverage", one, ok, one, Plan(ok.routes, (Unassigned("v", "capacity"),))
    )
    return cases


CASES = _cases()


@pytest.mark.parametrize("name", sorted(CASES))
def test_kept_constraint_is_clean(name: str) -> None:
    case = CASES[name]
    assert validate(case.good_problem, case.good) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_constraint_is_reported(name: str) -> None:
    case = CASES[name]
    kinds = {v.kind for v in validate(case.bad_problem, case.bad)}
    assert case.kind in kinds


def test_travel_mode_uses_its_own_matrix() -> None:
    walker = problem([V], [caregiver("A", mode="walk")])
    # On foot the trip takes 1800 s, so leaving 600 s ahead is too late.
    kinds = {v.kind for v in validate(walker, Plan((route("A", 9 * H),)))}
    assert "timing" in kinds
    assert (
        validate(walker, Plan((route("A", 9 * H, departure=9 * H - 1800, back=9 * H + 3600),)))
        == []
    )
