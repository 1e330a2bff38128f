"""Planning runs started from the web: stored as queued by the request, solved by a task on a
Celery worker (``carehub.dispatch.planning.tasks.plan_run``), so the request returns at once and a
restarted web process loses nothing.

Progress goes to the run's row on a separate short transaction (``plan_day`` writes nothing
until the solver is done, so that never waits on it). A run whose process died stays
"running" in the database; it is shown as failed once it has been silent too long.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from carehub.core import audit
from carehub.core import time as clock
from carehub.core.errors import ConflictError
from carehub.db import AnySession
from carehub.dispatch.planning import fanout
from carehub.dispatch.planning.fanout import solving
from carehub.dispatch.planning.models import (
    ACTIVE,
    RUN_FAILED,
    RUN_QUEUED,
    RUN_RUNNING,
    PlanningRun,
)
from carehub.dispatch.planning.services import plan_day, validate_stations
from carehub.extensions import db

log = logging.getLogger(__name__)

# Messages stored on failed runs; English msgids, translated when shown.
STALE = "The run stopped responding (the server may have restarted)."
BROKE_RULE = "The plan broke a hard rule and was not stored."
CRASHED = "The run failed: %(error)s"
PLAN_TASK = "carehub.dispatch.planning.tasks.plan_run"


class RunConflict(ConflictError):
    def __init__(self, run: PlanningRun) -> None:
        super().__init__(run.id)
        self.run = run


def stale_after(run: PlanningRun) -> dt.timedelta:
    margin = float(current_app.config["PLANNING_STALE_S"])
    return dt.timedelta(seconds=2 * (run.time_limit_s or 0) + margin)


def expire_stale(session: AnySession) -> int:
    """Mark runs silent for too long as failed; the caller commits."""
    now = clock.now()
    count = 0
    for run in session.scalars(select(PlanningRun).where(PlanningRun.status.in_(ACTIVE))):
        last = run.heartbeat_at or run.started_at
        if last + stale_after(run) < now:
            run.status, run.error, run.finished_at = RUN_FAILED, STALE, now
            count += 1
    if count:
        session.flush()
    return count


def active_clash(
    session: AnySession, day: dt.date, codes: Sequence[str], before_id: int | None = None
) -> PlanningRun | None:
    """A queued or running run of ``day`` sharing a station with ``codes``."""
    query = select(PlanningRun).where(
        PlanningRun.service_date == day, PlanningRun.status.in_(ACTIVE)
    )
    if before_id is not None:
        query = query.where(PlanningRun.id < before_id)
    wanted = set(codes)
    return next(
        (r for r in session.scalars(query.order_by(PlanningRun.id)) if wanted & set(r.stations)),
        None,
    )


def queue_run(
    session: AnySession,
    day: dt.date,
    codes: Sequence[str],
    time_limit_s: float,
    created_by: str,
) -> PlanningRun:
    """Store a queued run, committed, unless one for the same day and stations is active.

    Raises ``PlanningError`` for unknown stations and ``RunConflict`` for a clash.
    """
    stations = validate_stations(session, codes)
    expire_stale(session)
    clash = active_clash(session, day, [s.code for s in stations])
    if clash is not None:
        session.commit()
        raise RunConflict(clash)
    now = clock.now()
    run = PlanningRun(
        service_date=day,
        stations=[s.code for s in stations],
        status=RUN_QUEUED,
        started_at=now,
        heartbeat_at=now,
        time_limit_s=time_limit_s,
        created_by=created_by,
    )
    session.add(run)
    session.commit()
    # Two requests may both have passed the check above; the later run gives way.
    clash = active_clash(session, day, run.stations, before_id=run.id)
    if clash is not None:
        session.delete(run)
        session.commit()
        raise RunConflict(clash)
    return run


def launch(run_id: int) -> str:
    """Hand a queued run to the workers; the task's id."""
    from carehub.worker import enqueue

    try:
        return enqueue(PLAN_TASK, run_id, queue=current_app.config["PLAN_QUEUE"])
    except Exception as exc:
        # No broker (Redis down): the run would wait for ever; it fails now, saying why.
        db.session.rollback()
        _fail(db.session, run_id, CRASHED, f"not handed to the workers: {exc!r}")
        raise


class _Reporter:
    """Writes (done, total) and a heartbeat to the run's row, committed at once."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.done = 0
        self.total = 0

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        try:
            with db.engine.begin() as conn:
                conn.execute(
                    update(PlanningRun)
                    .where(PlanningRun.id == self.run_id)
                    .values(progress_done=done, progress_total=total, heartbeat_at=clock.now())
                )
        except SQLAlchemyError:
            # Progress is for show: a locked database (another process planning on SQLite)
            # must not fail the run; the next report tries again.
            log.warning("planning run %s: progress not recorded", self.run_id, exc_info=True)


def execute(app: Flask, run_id: int) -> None:
    """Solve a queued run; any failure ends as a failed run with its message."""
    with app.app_context():
        session = db.session
        try:
            _solve(session, run_id)
        except Exception as exc:
            log.exception("planning run %s failed", run_id)
            session.rollback()
            _fail(session, run_id, CRASHED, str(exc) or type(exc).__name__)
        finally:
            db.session.remove()


def _solve(session: AnySession, run_id: int) -> None:
    run = session.get(PlanningRun, run_id)
    # A run already "running" was taken by a worker process that died (its message came back
    # to the queue): nothing of it was committed but the status, so it is solved again.
    if run is None or run.status not in (RUN_QUEUED, RUN_RUNNING):
        return
    queued_s = (clock.now() - run.started_at).total_seconds()
    run.status, run.heartbeat_at = RUN_RUNNING, clock.now()
    session.commit()
    reporter = _Reporter(run_id)
    executor, workers = solving(run)
    with audit.acting_as(f"web:{run.created_by or 'planning'}"):
        plan_day(
            session,
            run.service_date,
            run.stations,
            time_limit_s=run.time_limit_s or float(current_app.config["PLAN_TIME_LIMIT_S"]),
            created_by=run.created_by,
            workers=workers,
            run=run,
            progress=reporter,
            executor=executor,
        )
        run.progress_done = run.progress_total = reporter.total
        _note_timings(run, queued_s, executor)
        if run.status == RUN_FAILED and not run.error:
            run.error = BROKE_RULE
        session.commit()


def _note_timings(run: PlanningRun, queued_s: float, executor: Executor | None) -> None:
    """Keep on the run, and log, how long it waited for a worker, its steps' seconds and its
    circle tasks' figures (fan-out)."""
    noted: dict[str, Any] = {**(run.input_summary or {}), "queued_s": round(queued_s, 2)}
    traces = getattr(executor, "traces", None)
    if traces is not None:
        noted["fanout"] = fanout.summary(traces)
    run.input_summary = noted
    log.info(
        "planning run %s: queued %.1f s, steps %s, circle tasks %s",
        run.id,
        queued_s,
        noted.get("phase_s"),
        noted.get("fanout"),
    )


def _fail(session: AnySession, run_id: int, message: str, detail: str) -> None:
    run = session.get(PlanningRun, run_id)
    if run is None:
        return
    run.status, run.finished_at = RUN_FAILED, clock.now()
    run.error = message.replace("%(error)s", detail[:400])
    session.commit()
