"""An independent check of a plan against its problem.

Shares no code with the solver: every arrival is recomputed from the matrices, so a solver
bug cannot hide behind its own bookkeeping.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from carehub.routing.problem import Caregiver, Collection, Plan, Problem, Route, Stop, Visit


@dataclass(frozen=True)
class Violation:
    # window, timing, shift, skill, gender, sync, break, max_work, pinned, capacity, coverage,
    # caregiver, collect, ride
    kind: str
    message: str


def validate(problem: Problem, plan: Plan) -> list[Violation]:
    visits = {v.id: v for v in problem.visits}
    served: dict[str, list[tuple[str, int]]] = defaultdict(list)
    out = _check_routes(problem, plan, visits, served)
    out.extend(_check_unassigned(plan, visits, served))
    listed = {u.visit for u in plan.unassigned}
    for v in problem.visits:
        out.extend(_check_served(v, served.get(v.id, []), v.id in listed))
    return out


def _check_routes(
    problem: Problem,
    plan: Plan,
    visits: dict[str, Visit],
    served: dict[str, list[tuple[str, int]]],
) -> list[Violation]:
    """Each route on its own; ``served`` gets (caregiver, start) of every visit served."""
    out: list[Violation] = []
    caregivers = {c.id: c for c in problem.caregivers}
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
        out.extend(_check_rounds(problem, cg, route, visits))
    return out


def _check_unassigned(
    plan: Plan, visits: dict[str, Visit], served: dict[str, list[tuple[str, int]]]
) -> list[Violation]:
    out: list[Violation] = []
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
    return out


def _check_served(v: Visit, by: list[tuple[str, int]], listed: bool) -> list[Violation]:
    """Visit ``v`` served by exactly the caregivers it needs, at one start, by its pins;
    or, not served, ``listed`` unassigned."""
    out: list[Violation] = []
    if not by:
        if not listed:
            out.append(Violation("coverage", f"visit {v.id!r} neither served nor unassigned"))
        return out
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
            out.append(Violation("pinned", f"visit {v.id!r} pinned to {pin!r}, not served by them"))
    if len({t for _, t in by}) > 1:
        out.append(Violation("sync", f"visit {v.id!r} caregivers start at different times"))
    return out


def _check_route(
    problem: Problem, cg: Caregiver, route: Route, visits: list[Visit], stops: list
) -> list[Violation]:
    check = _RouteCheck(problem, cg, route)
    check.shift_and_break(bool(stops))
    batches: dict[int, list[Collection]] = defaultdict(list)
    for c in route.collections:
        batches[c.before].append(c)
    position = {id(s): i for i, s in enumerate(route.stops)}
    for visit, stop in zip(visits, stops, strict=True):
        for col in batches.get(position[id(stop)], []):
            check.collection(col)
        check.stop(visit, stop)
    check.end()
    return check.out


class _RouteCheck:
    """One route walked from its departure: every start no earlier than travel (and the
    break, once it falls between two places) allows."""

    def __init__(self, problem: Problem, cg: Caregiver, route: Route) -> None:
        self.problem, self.cg, self.route = problem, cg, route
        self.out: list[Violation] = []
        self.travel = problem.travel[cg.mode]
        self.name = f"caregiver {cg.id!r}"
        self.b = route.break_start
        lunch = cg.lunch
        self.dur = lunch.duration if lunch is not None and self.b is not None else 0
        self.break_placed = False
        self.loc, self.ready = cg.start_location, route.departure
        self.load = 0
        self.kitchens = {k.id: k for k in problem.kitchens}

    def _add(self, kind: str, message: str) -> None:
        self.out.append(Violation(kind, message))

    def shift_and_break(self, working: bool) -> None:
        cg, route, name, b, brk = self.cg, self.route, self.name, self.b, self.cg.lunch
        if brk is not None and b is None and working:
            self._add("break", f"{name} has no lunch break")
        if brk is None and b is not None:
            self._add("break", f"{name} takes a break it does not have")
        if brk is not None and b is not None and not (brk.start <= b <= brk.end - brk.duration):
            self._add("break", f"{name} lunch at {b} outside its window")
        if route.departure < cg.shift_start:
            self._add("shift", f"{name} leaves at {route.departure}, before the shift")
        if route.arrival > cg.shift_end:
            self._add("shift", f"{name} returns at {route.arrival}, after the shift")
        if b is not None and (b < cg.shift_start or b + self.dur > cg.shift_end):
            self._add("break", f"{name} lunch outside the shift")
        if b is not None and (b + self.dur <= route.departure or b >= route.arrival):
            self.break_placed = True

    def _earliest(self, location: int, start: int) -> int:
        """The earliest start at ``location``, with the break when it falls before it."""
        earliest = self.ready + self.travel[self.loc][location]
        b = self.b
        if b is not None and not self.break_placed and self.ready <= b and b + self.dur <= start:
            earliest += self.dur
            self.break_placed = True
        return earliest

    def collection(self, col: Collection) -> None:
        kitchen = self.kitchens.get(col.kitchen)
        if kitchen is None:
            return  # reported by _check_rounds
        earliest = self._earliest(kitchen.location, col.start)
        if col.start < earliest:
            self._add(
                "timing",
                f"{self.name} starts collecting at {col.kitchen!r} at {col.start}, "
                f"cannot before {earliest}",
            )
        leaves = col.start + self.problem.meals.load
        b = self.b
        if b is not None and b < leaves and col.start < b + self.dur:
            self._add("break", f"{self.name} lunch overlaps collecting at {col.kitchen!r}")
        self.loc, self.ready = kitchen.location, leaves

    def stop(self, visit: Visit, stop: Stop) -> None:
        name, b = self.name, self.b
        earliest = self._earliest(visit.location, stop.start)
        if stop.start < earliest:
            self._add(
                "timing", f"{name} starts {visit.id!r} at {stop.start}, cannot before {earliest}"
            )
        if not visit.allows(stop.start):
            self._add("window", f"{name} starts {visit.id!r} at {stop.start}, outside its windows")
        if visit.pinned_time is not None and stop.start != visit.pinned_time:
            self._add("pinned", f"{visit.id!r} pinned at {visit.pinned_time}, starts {stop.start}")
        self._matches(visit)
        if b is not None and b < stop.start + visit.service and stop.start < b + self.dur:
            self._add("break", f"{name} lunch overlaps {visit.id!r}")
        self.load += visit.demand
        self.loc, self.ready = visit.location, stop.start + visit.service

    def _matches(self, visit: Visit) -> None:
        name, cg = self.name, self.cg
        if visit.skill is not None and visit.skill not in cg.skills:
            self._add("skill", f"{name} lacks skill {visit.skill!r} for {visit.id!r}")
        if visit.gender is not None and visit.gender != cg.gender:
            self._add(
                "gender", f"{visit.id!r} needs gender {visit.gender!r}, {name} is {cg.gender!r}"
            )
        if cg.id in visit.excluded:
            self._add("excluded", f"{visit.id!r} must not be served by {name}")

    def end(self) -> None:
        cg, route, name = self.cg, self.route, self.name
        earliest_end = self._earliest(cg.end_location, route.arrival)
        if route.arrival < earliest_end:
            self._add("timing", f"{name} returns at {route.arrival}, cannot before {earliest_end}")
        if self.b is not None and not self.break_placed:
            self._add("break", f"{name} lunch at {self.b} does not fit between visits")
        if cg.max_work is not None and route.arrival - route.departure > cg.max_work:
            worked = route.arrival - route.departure
            self._add("max_work", f"{name} works {worked}s, over {cg.max_work}s")
        if cg.capacity is not None and self.load > cg.capacity:
            self._add("capacity", f"{name} carries {self.load}, over {cg.capacity}")


def _check_rounds(
    problem: Problem, cg: Caregiver, route: Route, visits: dict[str, Visit]
) -> list[Violation]:
    """Meal rounds: each drop collected once before it on this route at its kitchen, not
    before the kitchen is ready, never more on board than the box, and hot on arrival."""
    out: list[Violation] = []
    name = f"caregiver {cg.id!r}"
    kitchens = {k.id: k for k in problem.kitchens}
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
        out.extend(_check_batch(problem, name, route, col, visits, where, collected))
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
    out.extend(_check_box(name, route, problem.meals.box.get(cg.mode, 0), collected))
    return out


def _check_batch(
    problem: Problem,
    name: str,
    route: Route,
    col: Collection,
    visits: dict[str, Visit],
    where: dict[str, int],
    collected: dict[str, list[Collection]],
) -> list[Violation]:
    """The meals of one collection: from its kitchen, each dropped after it and hot; each
    meal found is noted in ``collected``."""
    out: list[Violation] = []
    rules = problem.meals
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
            out.append(Violation("collect", f"{name} collects {meal!r} but does not drop it after"))
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
    return out


def _check_box(
    name: str, route: Route, box: int, collected: dict[str, list[Collection]]
) -> list[Violation]:
    """Meals on board: a batch is loaded before stop `before`, each meal leaves at its drop."""
    out: list[Violation] = []
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
