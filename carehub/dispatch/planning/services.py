"""Plan a day from the database and record the run.

Re-planning a day replaces the visits that are merely planned and not pinned; pinned,
published and checked-in visits stay and the rest is planned around them.

Nothing is written until the solver is done: a run started from the web reports progress
on its own connection meanwhile, which a write lock held here would block (SQLite locks the
file, PostgreSQL the run's row).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from carehub.core import time as clock
from carehub.core.enums import RequestStatus, VisitStatus
from carehub.db import AnySession
from carehub.dispatch import adapters, meal_rounds
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.dispatch.planning import kpis as planning_kpis
from carehub.dispatch.planning import shortfall as planning_shortfall
from carehub.dispatch.planning.models import RUN_DONE, RUN_FAILED, RUN_PUBLISHED, PlanningRun
from carehub.dispatch.planning.phases import Phases
from carehub.geo.matrix import MatrixProvider, provider
from carehub.geo.travel import current_model
from carehub.registry.models import Caregiver, Elder, Station
from carehub.routing import Plan, Problem, SolverParams, Unassigned, validate
from carehub.routing.circles import WORKERS, CirclePlan, Progress, solve_circles, warm
from carehub.routing.deadline import Deadline
from carehub.routing.problem import REASON_CAPACITY, REASON_NO_CAREGIVER

DEFAULT_TIME_LIMIT_S = 20.0
# Checking the plan and writing its visits, the audit trail and the figures, set aside from
# the time limit before solving: seconds per visit of the day, and once, on a machine whose
# load average is up to WRITE_LOAD_PER_CORE; a busier one takes longer in proportion. Measured
# on the city weekday (9,882 requests, 5,700 visits written) on the shared 2-core machine:
# 11 s at load average 5, 16-30 s at 9-10. The demo district's weekday (290 requests) checks
# and writes in 0.2 s; a fixed part of 2 s left one station's day at a 4 s limit no time to
# search at all (docs/benchmarks.md).
WRITE_S_PER_VISIT = 0.0011
WRITE_S = 0.5
WRITE_LOAD_PER_CORE = 2.5


def write_reserve(visits: int, load: float | None = None, cores: int | None = None) -> float:
    """Seconds to keep for checking and writing a plan of ``visits`` visits, by the
    machine's load average (one minute) and cores, read now when not given."""
    if load is None:
        try:
            load = os.getloadavg()[0]
        except OSError:
            load = 0.0
    cores = cores or os.cpu_count() or 1
    busy = max(1.0, load / cores / WRITE_LOAD_PER_CORE)
    return (WRITE_S + WRITE_S_PER_VISIT * visits) * busy


REASON_NO_SHIFT = "no caregiver on shift"
CLOSED = (RequestStatus.CANCELLED, RequestStatus.DONE)


class PlanningError(ValueError):
    pass


def travel_seconds(problem: Problem, plan: Plan) -> int:
    total = 0
    for route in plan.used_routes():
        cg = problem.caregiver(route.caregiver)
        travel = problem.travel[cg.mode]
        locs = [cg.start_location]
        for i, s in enumerate(route.stops):
            # Trips to the kitchen count: a meal round is collected before its drops.
            locs += [
                problem.kitchen(c.kitchen).location for c in route.collections if c.before == i
            ]
            locs.append(problem.visit(s.visit).location)
        locs.append(cg.end_location)
        total += sum(travel[a][b] for a, b in zip(locs, locs[1:], strict=False))
    return total


def _stations(session: AnySession, codes: Sequence[str] | None) -> list[Station]:
    query = select(Station).where(Station.active.is_(True)).order_by(Station.code)
    if codes:
        query = query.where(Station.code.in_(codes))
    found = list(session.scalars(query))
    missing = sorted(set(codes or ()) - {s.code for s in found})
    if missing:
        raise PlanningError(f"unknown or inactive station: {', '.join(missing)}")
    return found


def validate_stations(session: AnySession, codes: Sequence[str] | None) -> list[Station]:
    """The active stations of ``codes`` (every active one when empty); PlanningError names
    the codes that are unknown or inactive."""
    return _stations(session, codes)


def _default_matrices() -> MatrixProvider:
    from flask import current_app, has_app_context

    config = current_app.config if has_app_context() else {}
    return provider(config, current_model())


def day_requests(session: AnySession, day: dt.date, station_ids: list[int]) -> list[ServiceRequest]:
    """The day's requests of these stations' elders, with what building the day reads."""
    return list(
        session.scalars(
            select(ServiceRequest)
            .join(Elder, ServiceRequest.elder_id == Elder.id)
            .where(ServiceRequest.service_date == day, Elder.station_id.in_(station_ids))
            .options(
                selectinload(ServiceRequest.visits),
                selectinload(ServiceRequest.elder).selectinload(Elder.status_periods),
                selectinload(ServiceRequest.service_type),
            )
        )
    )


def station_caregivers(session: AnySession, station_ids: list[int]) -> list[Caregiver]:
    """The active caregivers of these stations, with their skills and station."""
    return list(
        session.scalars(
            select(Caregiver)
            .where(Caregiver.station_id.in_(station_ids), Caregiver.active.is_(True))
            .options(selectinload(Caregiver.skills), selectinload(Caregiver.station))
        )
    )


def plan_day(
    session: AnySession,
    day: dt.date,
    station_codes: Sequence[str] | None = None,
    *,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    publish: bool = False,
    created_by: str | None = None,
    matrices: MatrixProvider | None = None,
    workers: int = WORKERS,
    run: PlanningRun | None = None,
    progress: Progress | None = None,
    deadline: Deadline | None = None,
    executor: Executor | None = None,
    as_of: dt.datetime | None = None,
) -> PlanningRun:
    """Plan ``day`` for the stations (all active ones by default); flushes, never commits.

    ``run``: a run already stored (queued from the web) to fill in rather than a new one.
    The time limit covers the whole call: loading, matrices, solving and writing; a
    ``deadline`` given instead (the CLI's, from the process's start) bounds it the same way.
    ``executor``: where the circles are solved (worker tasks), instead of this process's pool.
    ``as_of``: the instant the plan starts from instead of now (the start of the day plans
    it whole, as the night before would).
    """
    phases = Phases()
    deadline = deadline or Deadline.after(time_limit_s)
    stations = _stations(session, station_codes)
    if len(stations) > 1 and executor is None:
        warm(workers)  # one station's day is a single part, solved here without the pool
    if run is None:
        run = _new_run(day, stations, created_by, time_limit_s)
    requests, caregivers = _load(session, day, stations)
    phases.lap("load")
    at = as_of or clock.now()
    if not adapters.caregivers_left(day, stations, requests, caregivers, at):
        return _nobody_on_duty(session, run, requests)
    matrices = matrices or _default_matrices()
    # Planning during the day starts from now: nothing is placed in the past.
    data = adapters.build_day(day, stations, requests, caregivers, matrices, now=at)
    phases.lap("build")
    unassigned = [{"request_id": rid, "reason": why} for rid, why in sorted(data.skipped.items())]
    if not data.problem.visits:
        return _nothing_to_plan(session, run, data, requests, unassigned)

    solving = _Solving(time_limit_s, deadline, workers, executor, phases.watching(progress))
    result = _solve(data, solving)
    phases.lap("solve")
    phases.split_solve()
    _record_solve(run, data, result)
    violations = validate(data.problem, result.plan)
    phases.lap("validate")
    if violations:
        # Never store a plan that breaks a hard rule; the run says why.
        return _refused(session, run, data, [v.message for v in violations], unassigned)

    run.shortfall = _advice(data, result.plan, stations, caregivers, matrices, solving)
    phases.lap("advice")
    return _store(session, run, data, result, requests, unassigned, publish, phases)


def _load(
    session: AnySession, day: dt.date, stations: Sequence[Station]
) -> tuple[list[ServiceRequest], list[Caregiver]]:
    ids = [s.id for s in stations]
    return day_requests(session, day, ids), station_caregivers(session, ids)


def _nothing_to_plan(
    session: AnySession,
    run: PlanningRun,
    data: adapters.DayInput,
    requests: Sequence[ServiceRequest],
    unassigned: list[dict[str, Any]],
) -> PlanningRun:
    _drop_replaceable(session, requests)
    run.input_summary = data.summary()
    return _finish(session, run, unassigned, RUN_DONE)


def _refused(
    session: AnySession,
    run: PlanningRun,
    data: adapters.DayInput,
    violations: list[str],
    unassigned: list[dict[str, Any]],
) -> PlanningRun:
    run.input_summary = {**data.summary(), "violations": violations[:20]}
    return _finish(session, run, unassigned, RUN_FAILED)


def _store(
    session: AnySession,
    run: PlanningRun,
    data: adapters.DayInput,
    result: CirclePlan,
    requests: Sequence[ServiceRequest],
    unassigned: list[dict[str, Any]],
    publish: bool,
    phases: Phases,
) -> PlanningRun:
    """Write the valid plan in place of the day's replaceable visits and finish the run."""
    plan = result.plan
    # Replaced only now that a valid plan stands in for them.
    _drop_replaceable(session, requests)
    rows = _write_plan(session, data, result)
    unassigned += [
        {"request_id": data.requests[u.visit].id, "reason": _reason(data.problem, u)}
        for u in plan.unassigned
    ]
    run.travel_minutes = round(travel_seconds(data.problem, plan) / 60)
    run.visits_planned = len(rows)
    run.visits_lent = sum(1 for v in rows if v.lent)
    status = RUN_DONE
    if publish:
        _publish(requests, rows)
        status = RUN_PUBLISHED
    phases.lap("rows")
    run = _finish(session, run, unassigned, status)
    phases.lap("flush_and_figures")
    run.input_summary = {**run.input_summary, "phase_s": phases.seconds}
    return run


def _new_run(
    day: dt.date, stations: Sequence[Station], created_by: str | None, time_limit_s: float
) -> PlanningRun:
    # Added to the session when finished, so no query before writes it.
    return PlanningRun(
        service_date=day,
        stations=[s.code for s in stations],
        started_at=clock.now(),
        created_by=created_by,
        time_limit_s=time_limit_s,
    )


def _nobody_on_duty(
    session: AnySession, run: PlanningRun, requests: Sequence[ServiceRequest]
) -> PlanningRun:
    """Nobody on duty, or every shift over or away (planning today in the evening). No
    routing problem exists without a caregiver; every request waits, with the reason."""
    wanted = [r for r in requests if r.status not in CLOSED]
    _drop_replaceable(session, requests)
    run.input_summary = {"requests": len(wanted), "caregivers": 0}
    unassigned: list[dict[str, object]] = [
        {"request_id": r.id, "reason": REASON_NO_SHIFT} for r in wanted
    ]
    return _finish(session, run, unassigned, RUN_DONE)


@dataclass(frozen=True)
class _Solving:
    """How a run's circles are solved: its limit and deadline, and where."""

    time_limit_s: float
    deadline: Deadline
    workers: int
    executor: Executor | None
    progress: Progress | None


def _solve(data: adapters.DayInput, solving: _Solving) -> CirclePlan:
    limit = solving.time_limit_s
    return solve_circles(
        data.problem,
        data.circles,
        SolverParams(time_limit_s=limit),
        workers=solving.workers,
        executor=solving.executor,
        progress=solving.progress,
        deadline=solving.deadline,
        # Writing, and a tenth for the shortfall advice, come out of the same limit; a plan
        # that leaves nothing open to advise on gives the tenth to its search.
        reserve_s=write_reserve(len(data.problem.visits)) + planning_shortfall.SHARE * limit,
        spare_s=planning_shortfall.SHARE * limit,
    )


def _record_solve(run: PlanningRun, data: adapters.DayInput, result: CirclePlan) -> None:
    run.input_summary = data.summary()
    run.solve_seconds = round(result.seconds, 2)
    run.fallback = result.plan.fallback
    run.objective = result.plan.objective


def _advice(
    data: adapters.DayInput,
    plan: Plan,
    stations: Sequence[Station],
    caregivers: Sequence[Caregiver],
    matrices: MatrixProvider,
    solving: _Solving,
) -> dict[str, Any] | None:
    """The shortfall advice. It takes its tenth, or what the deadline still leaves beyond
    writing when that is more (up to its cap): groups it cannot reach in time are reported
    unproven."""
    limit = solving.time_limit_s
    advice_s = min(
        planning_shortfall.budget(limit),
        max(
            planning_shortfall.SHARE * limit,
            solving.deadline.left() - write_reserve(len(data.problem.visits)),
        ),
    )
    return planning_shortfall.compute(data, plan, stations, caregivers, matrices, advice_s)


def _write_plan(session: AnySession, data: adapters.DayInput, result: CirclePlan) -> list[Visit]:
    """The plan's visits and meal rounds added to the session; the requests it serves
    scheduled."""
    plan = result.plan
    rows = adapters.plan_to_visits(data, plan, result.lent)
    session.add_all(rows)
    meal_rounds.write(session, data, plan, rows)
    served = {s.visit for r in plan.routes for s in r.stops}
    for vid, request in data.requests.items():
        if vid in served and request.status == RequestStatus.OPEN:
            request.status = RequestStatus.SCHEDULED
    return rows


def _publish(requests: Sequence[ServiceRequest], rows: Sequence[Visit]) -> None:
    """The day's planned visits, kept and new, published now."""
    at = clock.now()
    for request in requests:
        for visit in request.visits:
            if visit.status == VisitStatus.PLANNED:
                visit.status = VisitStatus.PUBLISHED
                visit.published_at = at
    for visit in rows:
        visit.status = VisitStatus.PUBLISHED
        visit.published_at = at


def _reason(problem: Problem, left: Unassigned) -> str:
    """The solver's reason, except that "no room" for a visit nobody could ever take (no
    caregiver of the day has its skill or gender) names that instead."""
    if left.reason == REASON_CAPACITY and not adapters.anyone_can(problem, left.visit):
        return REASON_NO_CAREGIVER
    return left.reason


def _drop_replaceable(session: AnySession, requests: Sequence[ServiceRequest]) -> None:
    """Delete the visits a new plan replaces: planned, not pinned."""
    for request in requests:
        for visit in list(request.visits):
            if visit.status == VisitStatus.PLANNED and not visit.pinned:
                request.visits.remove(visit)
                session.delete(visit)
    session.flush()
    meal_rounds.drop_empty(session, {r.service_date for r in requests})


def _finish(
    session: AnySession, run: PlanningRun, unassigned: list[dict[str, object]], status: str
) -> PlanningRun:
    run.unassigned = sorted(unassigned, key=lambda u: (str(u["reason"]), int(str(u["request_id"]))))
    run.status = status
    run.finished_at = clock.now()
    session.add(run)
    session.flush()
    if status != RUN_FAILED:
        run.kpis = planning_kpis.compute(session, run)
    return run


def planned_visits(session: AnySession, day: dt.date) -> list[Visit]:
    return list(
        session.scalars(
            select(Visit)
            .join(ServiceRequest, Visit.request_id == ServiceRequest.id)
            .where(ServiceRequest.service_date == day, Visit.status != VisitStatus.CANCELLED)
            .order_by(Visit.caregiver_id, Visit.route_seq)
        )
    )
