"""``carehub scheduler``: APScheduler in a process of its own, never inside a web worker.

APScheduler keeps the jobs and their next run times in its SQLAlchemy job store (its own
table in the app's database) and fires them; the runner's claim makes each fire count once
however many scheduler processes share that store.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from carehub.core.time import local_zone
from carehub.jobs import catalog, runner
from carehub.jobs.store import JOBSTORE_TABLE

log = logging.getLogger(__name__)

RUN_FUNCTION = "carehub.jobs.process:fire"


def fire(
    job_id: str, scheduled_for: dt.datetime | None = None, app: Flask | None = None
) -> int | None:
    """The function stored with each job. ClaimingExecutor passes the scheduler's app and the
    time the run was scheduled for; without them there is no run to claim.

    The run is handed to a worker, which claims it: the scheduler stays the clock only."""
    if app is None or scheduled_for is None:
        raise RuntimeError("scheduled jobs run through ClaimingExecutor (carehub scheduler)")
    from carehub.jobs.tasks import RUN_TASK
    from carehub.worker import enqueue

    with app.app_context():
        enqueue(RUN_TASK, job_id, scheduled_for.astimezone(dt.UTC).isoformat(), 1)
    return None


class ClaimingExecutor(ThreadPoolExecutor):
    """Runs each fire through the runner with the time it was scheduled for.

    APScheduler's own executors call the job function without that time, and the claim is
    keyed on it: every process must name the same run the same way.
    """

    def __init__(self, app: Flask, max_workers: int) -> None:
        super().__init__(max_workers=max_workers)
        self.app = app

    def _do_submit_job(self, job: Job, run_times: list[dt.datetime]) -> None:
        future = self._pool.submit(self._run, job, run_times)

        def done(finished: Any) -> None:
            error = finished.exception()
            if error is not None:
                self._run_job_error(job.id, error, error.__traceback__)
            else:
                self._run_job_success(job.id, finished.result())

        future.add_done_callback(done)

    def _run(self, job: Job, run_times: list[dt.datetime]) -> list[JobExecutionEvent]:
        events = []
        # Coalescing leaves one run time; should it be off, each time is still its own run.
        for run_time in run_times:
            try:
                run_id = job.func(*job.args, scheduled_for=run_time, app=self.app)
            except Exception as exc:
                log.exception("job %s could not be run", job.id)
                events.append(
                    JobExecutionEvent(EVENT_JOB_ERROR, job.id, job._jobstore_alias, run_time, exc)
                )
            else:
                events.append(
                    JobExecutionEvent(
                        EVENT_JOB_EXECUTED, job.id, job._jobstore_alias, run_time, retval=run_id
                    )
                )
        return events


class Scheduler(BackgroundScheduler):
    """Disposes the job store's engine again once the scheduler thread has ended: that
    thread's last look for due jobs, after the store's own dispose, can open a connection."""

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait)
        for store in self._jobstores.values():
            engine = getattr(store, "engine", None)
            if engine is not None:
                engine.dispose()


def build(app: Flask) -> Scheduler:
    return Scheduler(
        jobstores={
            "default": SQLAlchemyJobStore(
                url=app.config["DATABASE_URL"],
                tablename=JOBSTORE_TABLE,
                engine_options={"pool_pre_ping": True},
            )
        },
        executors={"default": ClaimingExecutor(app, app.config["SCHEDULER_THREADS"])},
        job_defaults={
            # The misfire policy: after downtime a job runs once, for its latest missed time,
            # however late; never once per missed time.
            "coalesce": True,
            "misfire_grace_time": None,
            "max_instances": 1,
        },
        timezone=local_zone(),
    )


def sync_jobs(app: Flask, scheduler: BackgroundScheduler) -> None:
    """Make the store hold exactly the configured jobs.

    A job whose schedule is unchanged keeps its stored next run time, so a run missed while
    no scheduler was up is still due (and coalesced) after a restart.
    """
    zone = local_zone()
    wanted = {definition.id: definition for definition in catalog.definitions(app)}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            scheduler.remove_job(job.id)
    for definition in wanted.values():
        trigger = definition.trigger(zone)
        stored = scheduler.get_job(definition.id)
        if stored is not None and repr(stored.trigger) == repr(trigger):
            continue
        scheduler.add_job(
            RUN_FUNCTION,
            trigger=trigger,
            args=(definition.id,),
            id=definition.id,
            name=definition.id,
            replace_existing=True,
        )


def start(app: Flask) -> Scheduler:
    scheduler = build(app)
    with app.app_context():
        # Paused so the stored jobs can be read and updated before anything fires.
        scheduler.start(paused=True)
        sync_jobs(app, scheduler)
    scheduler.resume()
    return scheduler


def serve(app: Flask, stop: threading.Event) -> None:
    """Run until ``stop`` is set, sweeping retries and expired leases between fires."""
    scheduler = start(app)
    log.info("scheduler started with jobs: %s", ", ".join(j.id for j in scheduler.get_jobs()))
    try:
        while not stop.wait(app.config["SCHEDULER_POLL_S"]):
            try:
                runner.run_due_retries(app)
            except Exception:
                log.exception("retry sweep failed; trying again at the next poll")
    finally:
        scheduler.shutdown(wait=True)
        log.info("scheduler stopped")
