"""Circles: a pair pinned to caregivers of two circles is planned with both of them."""

from __future__ import annotations

from carehub.routing import Problem, Visit, validate
from carehub.routing import circles as circles_module
from carehub.routing.circles import Circles, solve_circles
from carehub.routing.params import SolverParams
from carehub.routing.repair.exchange import Exchanged
from carehub.routing.repair.replan import Replan

from .helpers import PARAMS, H, caregiver, problem, served_by, start_of, visit


def _west_and_east(target: Visit, skills: dict[str, str] | None = None) -> tuple[Problem, Circles]:
    """Caregivers A, B in the west and C, D in the east (D near b1, B near a1); `target` and a1
    are west's visits, b1 east's. `skills` gives some caregivers a skill."""
    skills = skills or {}
    places = {"A": 0, "B": 1, "C": 9, "D": 8}
    p = problem(
        [target, visit("a1", 1), visit("b1", 8)],
        [
            caregiver(
                c, start_location=loc, **({"skills": frozenset({skills[c]})} if c in skills else {})
            )
            for c, loc in places.items()
        ],
    )
    circles = Circles(
        visit_circle={target.id: "west", "a1": "west", "b1": "east"},
        caregiver_circle={"A": "west", "B": "west", "C": "east", "D": "east"},
        neighbours={"west": ["east"], "east": ["west"]},
    )
    return p, circles


def test_pair_pinned_across_circles_joins_them() -> None:
    lift = visit(
        "lift", 5, 10 * H, 11 * H, caregivers_needed=2, pinned_caregiver="A", pinned_partner="D"
    )
    p, circles = _west_and_east(lift)
    result = solve_circles(p, circles, PARAMS, workers=1)
    assert validate(p, result.plan) == []
    assert sorted(served_by(result.plan)["lift"]) == ["A", "D"]
    assert len(set(start_of(result.plan, "lift"))) == 1
    assert not result.plan.unassigned


def test_pair_left_by_its_circle_takes_a_caregiver_from_the_next() -> None:
    # West has one bather, east the other: neither circle nor east's caregivers alone can
    # bathe with two, one of each can.
    bath = visit("bath", 3, 10 * H, 11 * H, skill="bathing", caregivers_needed=2)
    p, circles = _west_and_east(bath, {"A": "bathing", "D": "bathing"})
    result = solve_circles(p, circles, PARAMS, workers=1)
    assert validate(p, result.plan) == []
    assert sorted(served_by(result.plan)["bath"]) == ["A", "D"]
    assert ("bath", "D") in result.lent
    assert not result.plan.unassigned


def test_left_over_visits_go_to_neighbours_only_never_across_the_district() -> None:
    # Only a caregiver of the far circle could serve the nursing visit; far is not among
    # west's neighbours, so the visit stays unassigned rather than being sent across.
    nursing = visit("nurse", 2, 10 * H, 11 * H, skill="nursing")
    p = problem(
        [nursing, visit("a1", 1), visit("b1", 8), visit("f1", 9)],
        [
            caregiver("A"),
            caregiver("B", start_location=8),
            caregiver("F", start_location=9, skills=frozenset({"nursing"})),
        ],
    )
    circles = Circles(
        visit_circle={"nurse": "west", "a1": "west", "b1": "east", "f1": "far"},
        caregiver_circle={"A": "west", "B": "east", "F": "far"},
        neighbours={"west": ["east"], "east": ["west", "far"], "far": ["east"]},
    )
    result = solve_circles(p, circles, PARAMS, workers=1)
    assert validate(p, result.plan) == []
    assert [u.visit for u in result.plan.unassigned] == ["nurse"]
    assert "nurse" not in served_by(result.plan)


def test_lending_runs_guided_local_search_alone(monkeypatch) -> None:
    # Lending is there to place what the circle left, and ruin and recreate cannot place a
    # pair: the lending solve gets guided local search for its whole share. Only east's D
    # can nurse, so west's nursing visit is lent.
    nursing = visit("nurse", 3, 10 * H, 11 * H, skill="nursing")
    p, circles = _west_and_east(nursing, {"D": "nursing"})
    # Without the exact insertion and the exchanges the visit is left to lending.
    monkeypatch.setattr(circles_module, "insert", lambda part, plan, *a, **k: Replan(plan, ()))
    monkeypatch.setattr(circles_module, "exchange", lambda part, plan, *a: Exchanged(plan, ()))
    seen: list[SolverParams] = []
    lend = circles_module._lend

    def spy(problem, wanted, lenders, routes, params):
        seen.append(params)
        return lend(problem, wanted, lenders, routes, params)

    monkeypatch.setattr(circles_module, "_lend", spy)
    # Lending needs LEND_MIN_S + SETUP_S left once pass 1 (half of it guided local search,
    # which runs to its limit) is done.
    result = solve_circles(p, circles, SolverParams(time_limit_s=3.0), workers=1)
    assert [s.polish_share for s in seen] == [0.0]
    assert validate(p, result.plan) == []
    assert served_by(result.plan)["nurse"] == ["D"]
    assert ("nurse", "D") in result.lent


def test_lending_keeps_a_share_of_the_time_left_for_the_polish_after_it(monkeypatch) -> None:
    nursing = visit("nurse", 3, 10 * H, 11 * H, skill="nursing")
    p, circles = _west_and_east(nursing, {"D": "nursing"})
    monkeypatch.setattr(circles_module, "insert", lambda part, plan, *a, **k: Replan(plan, ()))
    monkeypatch.setattr(circles_module, "exchange", lambda part, plan, *a: Exchanged(plan, ()))
    deadline = circles_module.Deadline.after(3.0)
    asked: list[tuple[float, float]] = []
    lend = circles_module._lend

    def spy(problem, wanted, lenders, routes, params):
        asked.append((params.time_limit_s, deadline.left()))
        return lend(problem, wanted, lenders, routes, params)

    monkeypatch.setattr(circles_module, "_lend", spy)
    solve_circles(p, circles, SolverParams(time_limit_s=3.0), workers=1, deadline=deadline)
    # One circle lends to: it and the polish after it get half each.
    [(limit, left)] = asked
    assert 0 < limit <= left / 2 + 0.01


def _polish_deadline(monkeypatch, p: Problem, circles: Circles) -> tuple[float, float]:
    """When the second polish must end, and the run's deadline, solving with a reserve of
    4 s of which 3 s are spare."""
    ends: list[float] = []

    def spy(*args):
        ends.append(args[-1].end)
        return 0

    monkeypatch.setattr(circles_module, "polish_again", spy)
    deadline = circles_module.Deadline.after(4.5)
    solve_circles(p, circles, PARAMS, workers=1, deadline=deadline, reserve_s=4.0, spare_s=3.0)
    [end] = ends
    return end, deadline.end


def test_a_plan_leaving_nothing_open_gives_the_spare_reserve_to_the_polish(monkeypatch) -> None:
    # The nurse visit nobody can make stays open for its reason; nothing else is left.
    p, circles = _west_and_east(visit("t", 2, 10 * H, 12 * H, skill="nursing"))
    end, deadline = _polish_deadline(monkeypatch, p, circles)
    assert end == deadline - 1.0


def test_a_plan_leaving_visits_open_keeps_the_spare_reserve(monkeypatch) -> None:
    # West's one caregiver works an hour, and nobody else may serve its visits.
    p = problem(
        [visit("w1", 1, 9 * H, 10 * H), visit("w2", 1, 9 * H, 10 * H)],
        [caregiver("A", shift_start=9 * H, shift_end=10 * H)],
    )
    circles = Circles(
        visit_circle={"w1": "west", "w2": "west"}, caregiver_circle={"A": "west"}, neighbours={}
    )
    end, deadline = _polish_deadline(monkeypatch, p, circles)
    assert end == deadline - 4.0


def test_a_part_with_no_time_left_gets_its_greedy_plan_without_a_search() -> None:
    p, _ = _west_and_east(visit("t", 2, 10 * H, 12 * H))
    past = circles_module.Deadline(end=0.0)  # long gone: nothing left to share
    plan = circles_module._solve_part(circles_module.Part(p, PARAMS, past.end))
    assert circles_module.NO_SEARCH in plan.notes and not plan.fallback
    assert validate(p, plan) == []
    assert not plan.unassigned


def test_a_part_with_time_left_is_searched() -> None:
    p, _ = _west_and_east(visit("t", 2, 10 * H, 12 * H))
    ahead = circles_module.Deadline.after(3600)
    plan = circles_module._solve_part(circles_module.Part(p, PARAMS, ahead.end))
    assert circles_module.NO_SEARCH not in plan.notes
    assert validate(p, plan) == [] and not plan.unassigned


def test_a_spent_deadline_plans_every_circle_greedily_and_says_so() -> None:
    p, circles = _west_and_east(visit("t", 2, 10 * H, 12 * H))
    spent = circles_module.Deadline(end=0.0)
    result = solve_circles(p, circles, PARAMS, workers=1, deadline=spent)
    assert validate(p, result.plan) == []
    assert any("2 circles planned greedily" in n for n in result.plan.notes)


def test_a_spent_deadline_still_inserts_what_the_circles_left_into_the_neighbours() -> None:
    # West's only caregiver works an hour: two half-hour visits at the same place overflow
    # it. East's D, free all day next door, takes the second by insertion, which costs
    # milliseconds and is not skipped because pass 1 used up the time.
    p = problem(
        [visit("w1", 1, 9 * H, 10 * H), visit("w2", 1, 9 * H, 10 * H), visit("e1", 8)],
        [caregiver("A", shift_start=9 * H, shift_end=10 * H), caregiver("D", start_location=2)],
    )
    circles = Circles(
        visit_circle={"w1": "west", "w2": "west", "e1": "east"},
        caregiver_circle={"A": "west", "D": "east"},
        neighbours={"west": ["east"], "east": ["west"]},
    )
    spent = circles_module.Deadline(end=0.0)
    result = solve_circles(p, circles, PARAMS, workers=1, deadline=spent)
    assert validate(p, result.plan) == []
    assert not result.plan.unassigned
    [(lent, lender)] = result.lent
    assert lent in {"w1", "w2"} and lender == "D"


def _man_needed_in_the_west() -> tuple[Problem, Circles]:
    """West's visit v needs a man and west has only W, a woman. East's M, the only man, is
    x's preferred caregiver, so east's own plan gives him x at v's hour; east's F is free."""
    v = visit("v", 3, 10 * H, 10 * H + 1800, service=H, gender="M")
    x = visit("x", 6, 10 * H, 10 * H + 1800, service=H, preferred_caregiver="M")
    p = problem(
        [v, x],
        [
            caregiver("W", gender="F", start_location=2),
            caregiver("M", gender="M", start_location=7),
            caregiver("F", gender="F", start_location=7),
        ],
    )
    circles = Circles(
        visit_circle={"v": "west", "x": "east"},
        caregiver_circle={"W": "west", "M": "east", "F": "east"},
        neighbours={"west": ["east"], "east": ["west"]},
    )
    return p, circles


def test_a_visit_its_circle_left_is_placed_by_an_exchange_with_the_next(monkeypatch) -> None:
    p, circles = _man_needed_in_the_west()
    chains: list[tuple[str, ...]] = []
    real = circles_module.exchange

    def spy(*args, **kwargs):
        done = real(*args, **kwargs)
        chains.append(done.placed)
        return done

    monkeypatch.setattr(circles_module, "exchange", spy)
    result = solve_circles(p, circles, PARAMS, workers=1)
    assert validate(p, result.plan) == []
    assert chains == [("v",)]
    assert served_by(result.plan) == {"v": ["M"], "x": ["F"]}
    assert not result.plan.unassigned


def test_a_spent_deadline_still_places_by_an_exchange_what_insertion_could_not() -> None:
    # M takes x greedily, and v needs M at x's hour: only the exchange (x to F, v to M)
    # places v. It costs milliseconds and is not skipped because pass 1 used up the time.
    p, circles = _man_needed_in_the_west()
    spent = circles_module.Deadline(end=0.0)
    result = solve_circles(p, circles, PARAMS, workers=1, deadline=spent)
    assert validate(p, result.plan) == []
    assert served_by(result.plan) == {"v": ["M"], "x": ["F"]}
    assert not result.plan.unassigned


def test_warm_can_wait_until_the_solver_processes_have_started() -> None:
    # The day bench times its first plan after this; a process still starting would take
    # its start-up from that plan's pass 1.
    circles_module.warm(2, wait_ready=True)
    assert not circles_module._pool(2)._pending_work_items
