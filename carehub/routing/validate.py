"""An independent check of a plan against its problem.

Shares no code with the solver: every arrival is recomputed from the matrices, so a solver
bug cannot hide behind its own bookkeeping.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from carehub.routing.problem import Caregiver, Collection, Plan, Problem, Route, Visit


@dataclass(frozen=True)
class Violation:
    # window, timing, shift, skill, gender, sync, break, max_work, pinned, capacity, coverage,
    # caregiver, collect, ride
    kind: str
    message: str


def validate(problem: Problem, plan: Plan) -> list[Violation]:
    out: list[Violation] = []
    visits = {v.id: v for v in problem.visits}
    caregivers = {c.id: c for c in problem.caregivers}
    served: dict[str, list[tuple[str, int]]] = defaultdict(list)
    seen_caregivers: set[str] = set()

    for route in plan.routes:
        cg = caregivers.get(route.caregiver)
        if cg is None:
            out.append(Violation("caregiver", f"route for unknown caregiver {route.caregiver!r}"))
            continue
        if cg.id in seen_caregivers:
            out.append(Violation("caregiver", f"caregiver {cg.id!r} has two routes"))
        seen_caregivers.add(cg.id)
        known = [s for s in route.stops if s.visit in visits]
        for s in route.stops:
            if s.visit not in visits:
                out.append(
                    Violation("coverage", f"route {cg.id!r} serves unknown visit {s.visit!r}")
                )
        for s in known:
            served[s.visit].append((cg.id, s.start))
        out.extend(_check_route(problem, cg, route, [visits[s.visit] for s in known], known))
        out.extend(_check_rounds(problem, cg, route))

    unassigned = [u.visit for u in plan.unassigned]
    for vid in sorted(set(unassigned)):
        if unassigned.count(vid) > 1:
            out.append(Violation("coverage", f"visit {vid!r} listed unassigned twice"))
        if vid not in visits:
            out.append(Violation("coverage", f"unknown visit {vid!r} listed unassigned"))
        elif vid in served:
            out.append(Violation("coverage", f"visit {vid!r} both served and unassigned"))
    for u in plan.unassigned:
        if not u.reason:
            out.append(Violation("coverage", f"visit {u.visit!r} unassigned without a reason"))

    for v in problem.visits:
        by = served.get(v.id, [])
        if not by:
            if v.id not in unassigned:
                out.append(Violation("coverage", f"visit {v.id!r} neither served nor unassigned"))
            continue
        if len(by) != v.caregivers_needed:
            out.append(
                Violation(
                    "sync" if v.caregivers_needed > 1 else "coverage",
                    f"visit {v.id!r} served {len(by)} times, needs {v.caregivers_needed}",
                )
            )
        if len({cg for cg, _ in by}) != len(by):
            out.append(Violation("sync", f"visit {v.id!r} served twice by one caregiver"))
        for pin in v.pins:
            if pin not in {cg for cg, _ in by}:
                out.append(
                    Violation("pinned", f"visit {v.id!r} pinned to {pin!r}, not served by them")
                )
        if len({t for _, t in by}) > 1:
            out.append(Violation("sync", f"visit {v.id!r} caregivers start at different times"))
    return out


def _check_route(
    problem: Problem, cg: Caregiver, route: Route, visits: list[Visit], stops: list
) -> list[Violation]:
    out: list[Violation] = []
    travel = problem.travel[cg.mode]
    name = f"caregiver {cg.id!r}"
    brk = cg.lunch
    b = route.break_start
    if brk is not None and b is None and stops:
        out.append(Violation("break", f"{name} has no lunch break"))
    if brk is None and b is not None:
        out.append(Violation("break", f"{name} takes a break it does not have"))
    if brk is not None and b is not None and not (brk.start <= b and b + brk.duration <= brk.end):
        out.append(Violation("break", f"{name} lunch at {b} outside its window"))
    dur = brk.duration if brk is not None and b is not None else 0
    break_placed = False

    if route.departure < cg.shift_start:
        out.append(Violation("shift", f"{name} leaves at {route.departure}, before the shift"))
    if route.arrival > cg.shift_end:
        out.append(Violation("shift", f"{name} returns at {route.arrival}, after the shift"))
    if b is not None and (b < cg.shift_start or b + dur > cg.shift_end):
        out.append(Violation("break", f"{name} lunch outside the shift"))
    if b is not None and (b + dur <= route.departure or b >= route.arrival):
        break_placed = True

    loc, ready = cg.start_location, route.departure
    load = 0
    kitchens = {k.id: k for k in problem.kitchens}
    batches: dict[int, list[Collection]] = defaultdict(list)
    for c in route.collections:
        batches[c.before].append(c)
    position = {id(s): i for i, s in enumerate(route.stops)}
    for visit, stop in zip(visits, stops, strict=True):
        for col in batches.get(position[id(stop)], []):
            kitchen = kitchens.get(col.kitchen)
            if kitchen is None:
                continue  # reported by _check_rounds
            earliest = ready + travel[loc][kitchen.location]
            if b is not None and not break_placed and ready <= b and b + dur <= col.start:
                earliest += dur
                break_placed = True
            if col.start < earliest:
                out.append(
                    Violation(
                        "timing",
                        f"{name} starts collecting at {col.kitchen!r} at {col.start}, "
                        f"cannot before {earliest}",
                    )
                )
            leaves = col.start + problem.meals.load
            if b is not None and b < leaves and col.start < b + dur:
                out.append(
                    Violation("break", f"{name} lunch overlaps collecting at {col.kitchen!r}")
                )
            loc, ready = kitchen.location, leaves
        earliest = ready + travel[loc][visit.location]
        if b is not None and not break_placed and ready <= b and b + dur <= stop.start:
            earliest += dur
            break_placed = True
        if stop.start < earliest:
            out.append(
                Violation(
                    "timing",
                    f"{name} starts {visit.id!r} at {stop.start}, cannot before {earliest}",
                )
            )
        if not visit.allows(stop.start):
            out.append(
                Violation(
                    "window", f"{name} starts {visit.id!r} at {stop.start}, outside its windows"
                )
            )
        if visit.pinned_time is not None and stop.start != visit.pinned_time:
            out.append(
                Violation(
                    "pinned", f"{visit.id!r} pinned at {visit.pinned_time}, starts {stop.start}"
                )
            )
        if visit.skill is not None and visit.skill not in cg.skills:
            out.append(Violation("skill", f"{name} lacks skill {visit.skill!r} for {visit.id!r}"))
        if visit.gender is not None and visit.gender != cg.gender:
            out.append(
                Violation(
                    "gender", f"{visit.id!r} needs gender {visit.gender!r}, {name} is {cg.gender!r}"
                )
            )
        if cg.id in visit.excluded:
            out.append(Violation("excluded", f"{visit.id!r} must not be served by {name}"))
        if b is not None and b < stop.start + visit.service and stop.start < b + dur:
            out.append(Violation("break", f"{name} lunch overlaps {visit.id!r}"))
        load += visit.demand
        loc, ready = visit.location, stop.start + visit.service

    earliest_end = ready + travel[loc][cg.end_location]
    if b is not None and not break_placed and ready <= b and b + dur <= route.arrival:
        earliest_end += dur
        break_placed = True
    if route.arrival < earliest_end:
        out.append(
            Violation("timing", f"{name} returns at {route.arrival}, cannot before {earliest_end}")
        )
    if b is not None and not break_placed:
        out.append(Violation("break", f"{name} lunch at {b} does not fit between visits"))
    if cg.max_work is not None and route.arrival - route.departure > cg.max_work:
        out.append(
            Violation(
                "max_work", f"{name} works {route.arrival - route.departure}s, over {cg.max_work}s"
            )
        )
    if cg.capacity is not None and load > cg.capacity:
        out.append(Violation("capacity", f"{name} carries {load}, over {cg.capacity}"))
    return out


def _check_rounds(problem: Problem, cg: Caregiver, route: Route) -> list[Violation]:
    """Meal rounds: each drop collected once before it on this route at its kitchen, not
    before the kitchen is ready, never more on board than the box, and hot on arrival."""
    out: list[Violation] = []
    name = f"caregiver {cg.id!r}"
    kitchens = {k.id: k for k in problem.kitchens}
    visits = {v.id: v for v in problem.visits}
    rules = problem.meals
    box = rules.box.get(cg.mode, 0)
    where = {s.visit: i for i, s in enumerate(route.stops)}
    collected: dict[str, list[Collection]] = defaultdict(list)
    for col in route.collections:
        kitchen = kitchens.get(col.kitchen)
        if kitchen is None:
            out.append(Violation("collect", f"{name} collects at unknown kitchen {col.kitchen!r}"))
            continue
        if col.start < kitchen.ready:
            out.append(
                Violation(
                    "collect",
                    f"{name} collects at {col.kitchen!r} at {col.start}, "
                    f"before it is ready at {kitchen.ready}",
                )
            )
        if col.before >= len(route.stops):
            out.append(Violation("collect", f"{name} collects at {col.kitchen!r} after its drops"))
        for meal in col.meals:
            v = visits.get(meal)
            if v is None or v.kitchen != col.kitchen:
                out.append(
                    Violation(
                        "collect", f"{name} collects {meal!r} at {col.kitchen!r}, not its kitchen"
                    )
                )
                continue
            if where.get(meal, -1) < col.before:
                out.append(
                    Violation("collect", f"{name} collects {meal!r} but does not drop it after")
                )
                continue
            collected[meal].append(col)
            drop = route.stops[where[meal]]
            leaves = col.start + rules.load
            if drop.start > leaves + rules.max_ride:
                out.append(
                    Violation(
                        "ride",
                        f"{name} drops {meal!r} at {drop.start}, {drop.start - leaves}s after "
                        f"leaving {col.kitchen!r} (at most {rules.max_ride}s)",
                    )
                )
    for s in route.stops:
        v = visits.get(s.visit)
        if v is None or v.kitchen is None:
            continue
        n = len(collected.get(v.id, []))
        if n != 1:
            out.append(
                Violation(
                    "collect", f"{name} drops {v.id!r} collected {n} times at {v.kitchen!r} before"
                )
            )
    # Meals on board: a batch is loaded before stop `before`, each meal leaves at its drop.
    on_board = 0
    arriving: dict[int, int] = defaultdict(int)
    for col in route.collections:
        arriving[col.before] += len(col.meals)
    for i, s in enumerate(route.stops):
        on_board += arriving.get(i, 0)
        if on_board > box:
            out.append(
                Violation(
                    "capacity", f"{name} carries {on_board} meals before {s.visit!r}, box {box}"
                )
            )
        if s.visit in collected:
            on_board -= 1
    return out
