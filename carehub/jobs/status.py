"""What the jobs are and how their runs went: for ``carehub jobs`` and the admin page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import func, inspect, select

from carehub.core.enums import RunOutcome
from carehub.core.time import local_zone, now
from carehub.db import AnySession
from carehub.jobs import catalog
from carehub.jobs.models import JobRun
from carehub.jobs.store import JOBSTORE_TABLE
from carehub.jobs.store import jobstore as _store


@dataclass(frozen=True)
class JobStatus:
    definition: catalog.JobDefinition
    next_run: dt.datetime | None
    # True when a scheduler has stored the job; otherwise next_run is what the schedule says.
    stored: bool
    last_run: JobRun | None

    @property
    def id(self) -> str:
        return self.definition.id


def _stored_next_runs(session: AnySession) -> dict[str, dt.datetime | None]:
    if not inspect(session.connection()).has_table(JOBSTORE_TABLE):
        return {}
    return {
        job_id: dt.datetime.fromtimestamp(stamp, dt.UTC) if stamp is not None else None
        for job_id, stamp in session.execute(select(_store.c.id, _store.c.next_run_time))
    }


def _last_runs(session: AnySession) -> dict[str, JobRun]:
    latest = select(func.max(JobRun.id).label("id")).group_by(JobRun.job_id).subquery("latest")
    runs = session.scalars(select(JobRun).join(latest, latest.c.id == JobRun.id))
    return {run.job_id: run for run in runs}


def job_statuses(app: Flask, session: AnySession) -> list[JobStatus]:
    stored = _stored_next_runs(session)
    last = _last_runs(session)
    zone = local_zone()
    found = []
    for definition in catalog.definitions(app):
        if definition.id in stored:
            next_run = stored[definition.id]
        else:
            next_run = definition.next_run(zone, now())
        found.append(
            JobStatus(definition, next_run, definition.id in stored, last.get(definition.id))
        )
    return found


def history_query(job_id: str | None = None, failed_only: bool = False) -> Any:
    stmt = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc())
    if job_id:
        stmt = stmt.where(JobRun.job_id == job_id)
    if failed_only:
        stmt = stmt.where(JobRun.outcome == RunOutcome.FAILED)
    return stmt


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def run_as_dict(run: JobRun) -> dict[str, Any]:
    return {
        "job_id": run.job_id,
        "scheduled_for": _iso(run.scheduled_for),
        "attempt": run.attempt,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "outcome": str(run.outcome),
        "error": run.error,
        "summary": run.summary,
        "retry_at": _iso(run.retry_at),
        "worker": run.worker,
    }


def status_as_dict(status: JobStatus) -> dict[str, Any]:
    last = status.last_run
    return {
        "id": status.id,
        "schedule": status.definition.schedule,
        "timezone": str(local_zone()),
        "next_run": _iso(status.next_run),
        "last_run": _iso(last.started_at) if last else None,
        "last_scheduled_for": _iso(last.scheduled_for) if last else None,
        "last_outcome": str(last.outcome) if last else None,
    }
