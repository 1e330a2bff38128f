"""Two real scheduler processes' worth of APScheduler sharing one database and job store."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from carehub.app import create_app
from carehub.cli import main
from carehub.core.enums import RunOutcome
from carehub.extensions import db as _db
from carehub.jobs import catalog, process
from carehub.jobs.models import JobRun
from carehub.jobs.store import JOBSTORE_TABLE
from tests.conftest import base_config


class Ticks:
    def __init__(self) -> None:
        self.calls: list[dt.datetime] = []
        self.lock = threading.Lock()

    def __call__(self, session, scheduled_for: dt.datetime) -> str:
        with self.lock:
            self.calls.append(scheduled_for)
        time.sleep(0.1)  # long enough for the other scheduler to try the same run
        return "tick"


def _scheduler_app(database_url: str, tmp_path, jobs):
    config = base_config(database_url, tmp_path)
    config.update(JOBS=jobs, SCHEDULER_THREADS=2)
    return create_app(config)


def test_two_schedulers_on_one_database_run_each_fire_once(app, database_url, tmp_path) -> None:
    ticks = Ticks()
    jobs = [catalog.JobDefinition("every-second", "* * * * * *", ticks, "test")]
    apps = [_scheduler_app(database_url, tmp_path, jobs) for _ in range(2)]
    schedulers = [process.start(one) for one in apps]
    try:
        time.sleep(3.5)
    finally:
        for scheduler in schedulers:
            scheduler.shutdown(wait=True)
        for one in apps:
            with one.app_context():
                _db.engine.dispose()

    _db.session.expire_all()
    runs = _db.session.scalars(select(JobRun).where(JobRun.job_id == "every-second")).all()
    assert len(ticks.calls) >= 2
    assert len(ticks.calls) == len(set(ticks.calls)), "a fire was executed twice"
    assert sorted(r.scheduled_for for r in runs) == sorted(ticks.calls)
    assert {r.outcome for r in runs} == {RunOutcome.SUCCEEDED}


def test_restarting_keeps_the_stored_next_run_so_missed_runs_coalesce(
    app, database_url, tmp_path
) -> None:
    jobs = [catalog.JobDefinition("nightly", "0 1 * * *", Ticks(), "test")]
    first = _scheduler_app(database_url, tmp_path, jobs)
    scheduler = process.start(first)
    stored = scheduler.get_job("nightly")
    assert stored.coalesce is True and stored.misfire_grace_time is None
    scheduler.shutdown(wait=True)
    # As if the scheduler had gone down before a fire it never made.
    missed = dt.datetime(2020, 1, 1, 1, 0, tzinfo=dt.UTC)
    store = SQLAlchemyJobStore(url=database_url, tablename=JOBSTORE_TABLE)
    store.start(BackgroundScheduler(), "default")
    job = store.lookup_job("nightly")
    job.next_run_time = missed
    store.update_job(job)
    store.shutdown()

    restarted = process.build(first)
    restarted.start(paused=True)
    try:
        with first.app_context():
            process.sync_jobs(first, restarted)
        assert restarted.get_job("nightly").next_run_time == missed
        changed = [catalog.JobDefinition("nightly", "0 2 * * *", Ticks(), "test")]
        first.config["JOBS"] = changed
        with first.app_context():
            process.sync_jobs(first, restarted)
        assert restarted.get_job("nightly").next_run_time > dt.datetime.now(dt.UTC)
    finally:
        restarted.shutdown(wait=False)
        with first.app_context():
            _db.engine.dispose()


def test_jobs_list_shows_each_job_with_schedule_next_and_last_run(app, db) -> None:
    app.config["CLOCK"] = lambda: dt.datetime(2026, 11, 22, 16, 30, tzinfo=dt.UTC)
    db.session.add(
        JobRun(
            job_id="watch-visits",
            scheduled_for=dt.datetime(2026, 11, 22, 16, 29, tzinfo=dt.UTC),
            started_at=dt.datetime(2026, 11, 22, 16, 29, 1, tzinfo=dt.UTC),
            lease_expires_at=dt.datetime(2026, 11, 22, 17, 29, tzinfo=dt.UTC),
            finished_at=dt.datetime(2026, 11, 22, 16, 29, 2, tzinfo=dt.UTC),
            outcome=RunOutcome.SUCCEEDED,
        )
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(main, ["jobs", "list", "--json"])
    assert result.exit_code == 0, result.output
    jobs = {row["id"]: row for row in json.loads(result.output)}
    assert set(jobs) == {
        "generate-requests",
        "plan-tomorrow",
        "watch-visits",
        "reconcile-month",
        "month-figures",
    }
    generate = jobs["generate-requests"]
    assert generate["schedule"] == "0 1 * * *" and generate["timezone"] == "Asia/Shanghai"
    # 00:30 in Shanghai: the next 01:00 is half an hour away.
    assert generate["next_run"] == "2026-11-22T17:00:00+00:00"
    assert generate["last_run"] is None and generate["last_outcome"] is None
    assert jobs["watch-visits"]["last_outcome"] == "succeeded"
    assert jobs["watch-visits"]["last_run"] == "2026-11-22T16:29:01+00:00"
    assert jobs["reconcile-month"]["next_run"] == "2026-11-30T19:00:00+00:00"
