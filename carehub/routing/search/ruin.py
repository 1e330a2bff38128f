"""Ruin and recreate: OR-Tools' iterated local search, and the polish that runs it after
guided local search.

On a circle's day, guided local search reaches its first local optimum in about half a second
and then gains little for many seconds; ruin and recreate (SISR string removals, local
cheapest insertion, simulated annealing on the reference solution) keeps finding shorter
routes from there. OR-Tools' insertion places a pair's two copies one at a time and cannot
see that they must start together, so while it runs every pair stays where guided local
search put it: the same two caregivers, the same start. Each meal it placed stays with its
caregiver and drop time the same way (see `_hold`).

On a day the compiled search can state (`sisr.suitable`: no lunch breaks, meal rounds or
loads) the polish runs that search instead, about eighty times as many ruins and recreates
a second, and reads its routes back through the OR-Tools model (`_compiled`); other days,
and a start its arrays cannot time, get OR-Tools' iterated local search as before.
"""

from __future__ import annotations

import time
from collections.abc import Container, Sequence
from dataclasses import dataclass, replace

from carehub.routing.params import SolverParams
from carehub.routing.problem import Plan, Problem, Unassigned, Visit
from carehub.routing.rounds import route_order
from carehub.routing.screen import screen
from carehub.routing.search import Solve, sisr
from carehub.routing.validate import validate

TEXT = """
use_iterated_local_search: true
iterated_local_search_parameters {
  perturbation_strategy: RUIN_AND_RECREATE
  ruin_recreate_parameters {
    ruin_strategies { sisr { max_removed_sequence_size: %(seq)d avg_num_removed_visits: %(avg)d
                             bypass_factor: 0.01 } }
    ruin_composition_strategy: RUN_ALL_SEQUENTIALLY
    recreate_strategy { heuristic: LOCAL_CHEAPEST_INSERTION }
  }
  improve_perturbed_solution: %(improve)s
  reference_solution_acceptance_strategy {
    simulated_annealing { cooling_schedule_strategy: EXPONENTIAL %(temps)s }
  }
  best_solution_acceptance_strategy { greedy_descent {} }
}
"""

# Only local cheapest insertion reads a first-solution hint, which is how a warm start
# reaches iterated local search; the descent is what each recreate is improved with.
FIRST_SOLUTION = "LOCAL_CHEAPEST_INSERTION"
METAHEURISTIC = "GREEDY_DESCENT"


@dataclass(frozen=True)
class Settings:
    seq: int = 10  # SISR: longest removed string
    avg: int = 20  # SISR: mean number of removed visits
    improve: bool = False  # local search after each recreate (slower iterations)
    # Simulated annealing's initial and final temperature in cost units; None lets OR-Tools
    # derive them from sampled arc costs.
    temps: tuple[float, float] | None = None

    def overrides(self) -> str:
        temps = (
            "automatic_temperatures: true"
            if self.temps is None
            else f"initial_temperature: {self.temps[0]:g} final_temperature: {self.temps[1]:g}"
        )
        return TEXT % {
            "seq": self.seq,
            "avg": self.avg,
            "temps": temps,
            "improve": "true" if self.improve else "false",
        }


# Chosen on district-day circles (docs/benchmarks.md); temperatures in seconds of travel.
POLISH = Settings(temps=(1000.0, 10.0))

HELD_MEAL_PRIORITY = 1  # a placed meal is dropped at an emergency's penalty, if at all
MEAL_SKILL = "meal"  # the skill of the catalogue's meal delivery


def hold_pairs(problem: Problem, plan: Plan) -> tuple[Problem, tuple[Unassigned, ...]]:
    """``problem`` with each pair the plan serves pinned to its two caregivers and start, and
    without the pairs it left out, which come back as they were. Meals the plan drops are
    pinned to their caregiver and drop time as well (see `_hold`)."""
    served: dict[str, list[tuple[str, int]]] = {}
    for r in plan.routes:
        for s in r.stops:
            served.setdefault(s.visit, []).append((r.caregiver, s.start))
    visits = []
    for v in problem.visits:
        held = _hold(v, served.get(v.id))
        if held is not None:
            visits.append(held)
    kept = {v.id for v in visits}
    left = tuple(u for u in plan.unassigned if u.visit not in kept)
    return replace(problem, visits=tuple(visits)), left


def _hold(v: Visit, served: list[tuple[str, int]] | None) -> Visit | None:
    """The visit as ruin and recreate sees it; None to leave it out.

    A pair keeps its two caregivers and start. A meal the plan drops keeps its caregiver and
    drop time: local cheapest insertion places a pickup-and-delivery pair wherever it likes,
    not where the hint has it, and from such a start the recreate never came back to the
    plan's meal rounds (docs/benchmarks.md). Held, a meal goes back to its own slot, the
    pickup before it no earlier than the hot-food rule allows (`solver._Model`), and the
    other visits move around the rounds.
    """
    if v.caregivers_needed == 2:
        if served is None or len(served) != 2:
            return None
        (first, start), (second, _) = served
        return replace(v, pinned_caregiver=first, pinned_partner=second, pinned_time=start)
    if v.kitchen is not None and served:
        ((caregiver, start),) = served
        return replace(
            v, pinned_caregiver=caregiver, pinned_time=start, priority=HELD_MEAL_PRIORITY
        )
    if is_meal(v) and served:
        # The most urgent penalty: a meal is a lunch promised for today, and at its own
        # priority's penalty the search traded meals for other visits (seed 2 of the
        # district day: 4 meals out, 6 other visits in). `polish` also refuses any plan that
        # drops one.
        return replace(v, priority=HELD_MEAL_PRIORITY)
    return v


def is_meal(v: Visit) -> bool:
    """A meal drop of a round, or a meal delivered as a visit of its own (the catalogue's
    meal delivery, skill ``meal``)."""
    return v.kitchen is not None or v.skill == MEAL_SKILL


def _penalty(
    problem: Problem, params: SolverParams, left: Sequence[Unassigned], rejected: Container[str]
) -> int:
    """What the left-out pairs cost in the first model: both copies dropped. Those the screen
    ``rejected`` were never in it."""
    visits = [problem.visit(u.visit) for u in left if u.visit not in rejected]
    return sum(params.drop_penalty[v.priority] * v.caregivers_needed for v in visits)


def _drops_meals(problem: Problem, start: Plan, found: Plan) -> bool:
    """Whether ``found`` leaves out a meal ``start`` delivers."""
    delivered = {s.visit for r in start.routes for s in r.stops}
    return any(u.visit in delivered and is_meal(problem.visit(u.visit)) for u in found.unassigned)


READ_BACK_S = 0.1  # kept from the compiled search for timing its routes in the model


def _compiled(held: Problem, plan: Plan, params: SolverParams, solve: Solve) -> Plan | None:
    """Ruin and recreate in compiled code (`sisr`), its routes then timed by the OR-Tools
    model with a descent from them; None for a day the compiled search cannot state."""
    started = time.monotonic()
    budget = params.time_limit_s - READ_BACK_S
    if budget <= 0:
        return None
    routes = sisr.improve(held, plan, replace(params, time_limit_s=budget))
    if routes is None:
        return None
    left = max(params.time_limit_s - (time.monotonic() - started), READ_BACK_S)
    search = replace(
        params,
        time_limit_s=left,
        metaheuristic=METAHEURISTIC,
        polish_share=0.0,
        fallback=False,
    )
    try:
        return solve(held, search, routes)
    except RuntimeError:
        return None


def polish(
    problem: Problem,
    plan: Plan,
    params: SolverParams,
    solve: Solve,
    settings: Settings | None = None,
) -> Plan:
    """Ruin and recreate from ``plan`` for ``params.time_limit_s``; the better of the two.

    The search starts from ``plan`` itself (its routes locked as the first solution) and
    keeps its best, so it returns nothing worse than ``plan``; it never drops a meal
    ``plan`` delivers.
    """
    settings = settings or POLISH
    held, left = hold_pairs(problem, plan)
    found = _compiled(held, plan, params, solve)
    if found is None:
        search = replace(
            params,
            first_solution=FIRST_SOLUTION,
            metaheuristic=METAHEURISTIC,
            search_overrides=params.search_overrides + settings.overrides(),
            fallback=False,
            keep_start=True,
        )
        try:
            found = solve(held, search, [route_order(r) for r in plan.routes])
        except RuntimeError:
            return plan  # no solution within the limit: keep what guided local search found
    if found.objective is None or plan.objective is None:
        return plan
    objective = found.objective + _penalty(problem, params, left, screen(problem).rejected)
    if objective > plan.objective or _drops_meals(problem, plan, found):
        return plan
    # The held problem knows the pins; the routes are the original problem's all the same.
    unassigned = {u.visit: u for u in (*found.unassigned, *left)}
    polished = Plan(
        found.routes,
        tuple(unassigned[v.id] for v in problem.visits if v.id in unassigned),
        objective=objective,
        notes=(*plan.notes, "ruin and recreate"),
    )
    # A plan read back from iterated local search is checked like any other before it
    # replaces one that guided local search proved (its lunch starts, for one, are left open
    # by the search and placed on reading).
    return plan if validate(problem, polished) else polished
