"""Which caregivers could ever serve a visit, and why a visit nobody can serve is left out.

Visits that fail here are reported before solving and kept out of the model, so the reason is
exact and the solver does not waste effort on them.
"""

from __future__ import annotations

from dataclasses import dataclass

from carehub.routing.problem import (
    REASON_NO_CAREGIVER,
    REASON_WINDOW,
    Caregiver,
    Problem,
    Visit,
)


@dataclass(frozen=True)
class Screened:
    candidates: dict[str, tuple[int, ...]]  # visit id -> indices of caregivers able to serve it
    rejected: dict[str, str]  # visit id -> reason


def reachable_alone(problem: Problem, cg: Caregiver, visit: Visit) -> bool:
    """Could this caregiver serve this visit if it were the only one of the day?"""
    if visit.kitchen is not None:
        return _meal_alone(problem, cg, visit)
    travel = problem.travel[cg.mode]
    there = travel[cg.start_location][visit.location]
    back = travel[visit.location][cg.end_location]
    start = visit.earliest_start(cg.shift_start + there)
    if start is None or start + visit.service + back > cg.shift_end:
        return False
    return cg.max_work is None or there + visit.service + back <= cg.max_work


def _meal_alone(problem: Problem, cg: Caregiver, visit: Visit) -> bool:
    """A meal alone: to its kitchen, not before it is ready, load, and to the door within the
    hot-food limit (leaving later when the window opens later)."""
    travel, rules = problem.travel[cg.mode], problem.meals
    kitchen = problem.kitchen(visit.kitchen or "")
    there = travel[cg.start_location][kitchen.location]
    ride = travel[kitchen.location][visit.location]
    back = travel[visit.location][cg.end_location]
    if ride > rules.max_ride:
        return False
    leave = max(cg.shift_start + there, kitchen.ready) + rules.load
    start = visit.earliest_start(leave + ride)
    if start is None or start + visit.service + back > cg.shift_end:
        return False
    work = there + rules.load + ride + visit.service + back
    return cg.max_work is None or work <= cg.max_work


def _carries(problem: Problem, cg: Caregiver, visit: Visit) -> bool:
    return visit.kitchen is None or problem.meals.box.get(cg.mode, 0) > 0


def screen(problem: Problem) -> Screened:
    candidates: dict[str, tuple[int, ...]] = {}
    rejected: dict[str, str] = {}
    for v in problem.visits:
        able = [
            k
            for k, c in enumerate(problem.caregivers)
            if c.can_serve(v) and _carries(problem, c, v)
        ]
        if not set(v.pins) <= {problem.caregivers[k].id for k in able}:
            able = []
        if len(able) < v.caregivers_needed:
            rejected[v.id] = REASON_NO_CAREGIVER
            continue
        able = [k for k in able if reachable_alone(problem, problem.caregivers[k], v)]
        reach_pin = set(v.pins) <= {problem.caregivers[k].id for k in able}
        if len(able) < v.caregivers_needed or not reach_pin:
            rejected[v.id] = REASON_WINDOW
            continue
        candidates[v.id] = tuple(able)
    return Screened(candidates, rejected)
