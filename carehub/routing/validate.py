"""An independent check of a plan against its problem.

Shares no code with the solver: every arrival is recomputed from the matrices, so a solver
bug cannot hide behind its own bookkeeping.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from carehub.routing.problem import Caregiver, Plan, Problem, Route, Visit


@dataclass(frozen=True)
class Violation:
    kind: str  # window, timing, shift, skill, gender, sync, break, max_work, pinned, capacity, coverage, caregiver
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
    for visit, stop in zip(visits, stops, strict=True):
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
