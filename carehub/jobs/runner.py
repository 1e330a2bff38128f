"""Run a job exactly once per scheduled time, whichever scheduler process gets there first.

A run starts by inserting its ``job_runs`` row (job, scheduled time, attempt) in its own
transaction: the unique key lets one process win and the others skip. The task's work and
the row's ``succeeded`` are then committed together, and only while the row still says
``running``; a run whose lease expired has been handed to a retry and must not commit.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import traceback

from flask import Flask
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from carehub.alerts import services as alerts
from carehub.core import audit
from carehub.core.enums import RunOutcome
from carehub.core.time import format_local, now
from carehub.db import AnySession
from carehub.extensions import db
from carehub.jobs import catalog
from carehub.jobs.models import JobRun

log = logging.getLogger(__name__)

_ERROR_LIMIT = 4000


class LeaseLost(RuntimeError):
    """The run's lease expired before it finished; its work was rolled back."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def backoff(app: Flask, attempt: int) -> dt.timedelta:
    """The wait before attempt ``attempt + 1``: the base, doubled for each attempt made."""
    return dt.timedelta(seconds=app.config["JOB_RETRY_BASE_S"] * 2 ** (attempt - 1))


def execute(app: Flask, job_id: str, scheduled_for: dt.datetime, attempt: int = 1) -> int | None:
    """Claim and run one attempt of a job's run; the run's id, or None if already claimed."""
    if scheduled_for.tzinfo is None:
        raise ValueError("scheduled_for must be timezone-aware")
    scheduled_for = scheduled_for.astimezone(dt.UTC)
    with app.app_context():
        definition = catalog.find(app, job_id)
        session = db.session
        run_id = _claim(app, session, job_id, scheduled_for, attempt)
        if run_id is None:
            log.info("%s at %s (attempt %s) is claimed elsewhere", job_id, scheduled_for, attempt)
            return None
        try:
            with audit.acting_as(f"job:{job_id}"):
                summary = definition.task(session, scheduled_for)
                _finish(session, run_id, summary)
                alerts.resolve_job_failures(session, job_id, now())
                session.commit()
        except LeaseLost:
            session.rollback()
            log.warning("%s at %s lost its lease; its work was rolled back", job_id, scheduled_for)
        except Exception as exc:
            session.rollback()
            log.exception("%s at %s (attempt %s) failed", job_id, scheduled_for, attempt)
            message = f"{type(exc).__name__}: {exc}"
            detail = "".join(traceback.format_exception(exc))
            _record_failure(app, session, run_id, message, detail)
            session.commit()
        return run_id


def _claim(
    app: Flask, session: AnySession, job_id: str, scheduled_for: dt.datetime, attempt: int
) -> int | None:
    started = now()
    run = JobRun(
        job_id=job_id,
        scheduled_for=scheduled_for,
        attempt=attempt,
        worker=worker_name(),
        started_at=started,
        lease_expires_at=started + dt.timedelta(seconds=app.config["JOB_LEASE_S"]),
        outcome=RunOutcome.RUNNING,
    )
    session.add(run)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return run.id


def _finish(session: AnySession, run_id: int, summary: str) -> None:
    result = session.execute(
        update(JobRun)
        .where(JobRun.id == run_id, JobRun.outcome == RunOutcome.RUNNING)
        .values(outcome=RunOutcome.SUCCEEDED, finished_at=now(), summary=(summary or "")[:2000])
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise LeaseLost(run_id)


def _record_failure(
    app: Flask, session: AnySession, run_id: int, message: str, detail: str = ""
) -> bool:
    """Mark a running attempt failed and either set its retry time or, on the last attempt,
    alert the administrators. False if the attempt was no longer running."""
    run = session.get(JobRun, run_id)
    if run is None:
        return False
    at = now()
    final = run.attempt >= app.config["JOB_MAX_ATTEMPTS"]
    error = message if not detail else f"{message}\n\n{detail}"
    result = session.execute(
        update(JobRun)
        .where(JobRun.id == run_id, JobRun.outcome == RunOutcome.RUNNING)
        .values(
            outcome=RunOutcome.FAILED,
            finished_at=at,
            error=error[:_ERROR_LIMIT],
            retry_at=None if final else at + backoff(app, run.attempt),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    if final:
        alerts.raise_job_failure(
            session,
            run.job_id,
            f"{format_local(run.scheduled_for)}, attempt {run.attempt}: {message}"[:_ERROR_LIMIT],
            at,
        )
    return True


def expire_leases(app: Flask) -> int:
    """Fail the attempts whose process stopped answering (their lease ran out)."""
    with app.app_context():
        session = db.session
        stale = session.scalars(
            select(JobRun.id).where(
                JobRun.outcome == RunOutcome.RUNNING, JobRun.lease_expires_at < now()
            )
        ).all()
        expired = 0
        for run_id in stale:
            if _record_failure(app, session, run_id, "lease expired before the run finished"):
                expired += 1
        session.commit()
        return expired


def due_retries(session: AnySession, known: set[str]) -> list[JobRun]:
    """Failed attempts whose retry time has come and whose next attempt nobody has claimed."""
    following = aliased(JobRun)
    return list(
        session.scalars(
            select(JobRun)
            .where(
                JobRun.outcome == RunOutcome.FAILED,
                JobRun.retry_at.is_not(None),
                JobRun.retry_at <= now(),
                JobRun.job_id.in_(known),
                ~exists().where(
                    following.job_id == JobRun.job_id,
                    following.scheduled_for == JobRun.scheduled_for,
                    following.attempt == JobRun.attempt + 1,
                ),
            )
            .order_by(JobRun.retry_at, JobRun.id)
        )
    )


def run_due_retries(app: Flask) -> int:
    """Expire stale leases, then run each retry that is due; how many were run here."""
    expire_leases(app)
    with app.app_context():
        known = {definition.id for definition in catalog.definitions(app)}
        pending = [
            (run.job_id, run.scheduled_for, run.attempt + 1)
            for run in due_retries(db.session, known)
        ]
        db.session.rollback()
    ran = 0
    for job_id, scheduled_for, attempt in pending:
        if execute(app, job_id, scheduled_for, attempt) is not None:
            ran += 1
    return ran
