"""What re-planning a published day needs, shared by a caregiver called in sick
(``sick``) and the insertion of one request (``insert``): the day's routes read back from
the visits as a ``routing.Plan``, the part of the problem a re-plan may touch, and the
wall clock as the planner's seconds.

Published visits may be pushed later; pinned ones and those under way or done keep their
time, and every caregiver keeps their visits and order (``routing.repair.replan.insert``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

from flask import current_app

from carehub.core.enums import VisitStatus
from carehub.core.time import local_zone
from carehub.dispatch import adapters, meal_rounds
from carehub.dispatch.models import Visit
from carehub.geo.matrix import MatrixProvider, provider
from carehub.geo.travel import current_model
from carehub.routing import Plan, Problem
from carehub.routing.problem import Route, Stop
from carehub.routing.problem import Visit as RVisit
from carehub.routing.subproblem import subproblem

UNDER_WAY = (VisitStatus.CHECKED_IN, VisitStatus.COMPLETED)
# A request the adapters could not turn into a routing visit (see ``DayInput.skipped``).
REASON_SKIPPED = "elder not plannable"


@dataclass(frozen=True)
class Shift:
    """Another caregiver's visit pushed later to make room."""

    visit: Visit
    start: dt.datetime

    @property
    def minutes(self) -> int:
        assert self.visit.planned_start is not None
        return round((self.start - self.visit.planned_start).total_seconds() / 60)


def matrices() -> MatrixProvider:
    """The travel matrices of the app's settings and travel model."""
    return provider(current_app.config, current_model())


def read_routes(
    data: adapters.DayInput, rows: list[Visit], codes: dict[int, str]
) -> tuple[Plan, frozenset[str]]:
    """Every caregiver's visits of the day as routes, and the visits that must not move."""
    problem = data.problem
    by_cg: dict[str, dict[str, int]] = defaultdict(dict)
    fixed: set[str] = set()
    rounds = meal_rounds.planned_rounds(rows, codes, data.day)
    for v in rows:
        code = codes.get(v.caregiver_id or 0)
        vid = adapters.visit_id(v.request)
        if code is None or v.planned_start is None or vid not in data.requests:
            continue
        by_cg[code][vid] = adapters.local_seconds(v.planned_start, data.day)
        if v.pinned or v.status in UNDER_WAY or v.check_in_at is not None:
            fixed.add(vid)
    routes = []
    for c in problem.caregivers:
        starts = sorted(by_cg.get(c.id, {}).items(), key=lambda kv: (kv[1], kv[0]))
        if not starts:
            routes.append(Route(c.id, c.shift_start, (), c.shift_start))
            continue
        travel = problem.travel[c.mode]
        first, last = problem.visit(starts[0][0]), problem.visit(starts[-1][0])
        departure = max(0, starts[0][1] - travel[c.start_location][first.location])
        end = starts[-1][1] + last.service + travel[last.location][c.end_location]
        stops = tuple(Stop(vid, start, start) for vid, start in starts)
        cols = meal_rounds.collections(problem, [s.visit for s in stops], rounds.get(c.id, ()))
        departure = min(departure, stops[0].start, *(k.start for k in cols if k.before == 0))
        routes.append(Route(c.id, departure, stops, end, collections=cols))
    return Plan(tuple(routes)), frozenset(fixed)


def loosened(v: RVisit, fixed: frozenset[str], codes: set[str]) -> RVisit:
    """Published visits may be pushed later: only pinned or started ones keep their time.
    Their caregiver is kept by the published routes themselves."""
    if v.id not in fixed:
        return replace(v, pinned_caregiver=None, pinned_time=None)
    if v.pinned_caregiver is not None and v.pinned_caregiver not in codes:
        # A pair partner outside the part: the published start holds the pair together.
        return replace(v, pinned_caregiver=None)
    return v


def part(
    problem: Problem, plan: Plan, codes: set[str], new: list[str], fixed: frozenset[str]
) -> tuple[Problem, Plan]:
    """The routes of the caregivers ``codes`` as a problem of their own, holding their
    visits (loosened) and the ``new`` ones to insert."""
    routes = tuple(r for r in plan.routes if r.caregiver in codes)
    held = {s.visit for r in routes for s in r.stops} | set(new)
    cgs = [c for c in problem.caregivers if c.id in codes]
    visits = [loosened(v, fixed, codes) for v in problem.visits if v.id in held]
    return subproblem(problem, visits, cgs), Plan(routes)


def now_seconds(day: dt.date, now: dt.datetime) -> int:
    today = now.astimezone(local_zone()).date()
    return adapters.local_seconds(now, day) if day == today else 0


def visit_length(visit: Visit) -> dt.timedelta:
    if visit.planned_start is not None and visit.planned_end is not None:
        return visit.planned_end - visit.planned_start
    return dt.timedelta(minutes=visit.request.service_type.duration_min)
