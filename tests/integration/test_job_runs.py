"""Each job run executes once however many schedulers race for it; failures are retried with
backoff, then alerted, and show in `carehub jobs history` and on the admin page."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from carehub.alerts.models import Alert
from carehub.cli import main
from carehub.core.enums import AlertKind, Role, RunOutcome
from carehub.jobs import catalog, runner
from carehub.jobs.models import JobRun

# 01:00 in Shanghai on Monday 23 November 2026.
T0 = dt.datetime(2026, 11, 22, 17, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


class Recorder:
    """A task that notes each execution, optionally failing or taking its time."""

    def __init__(self, fail_times: int = 0, pause: float = 0.0) -> None:
        self.calls: list[dt.datetime] = []
        self.fail_times = fail_times
        self.pause = pause
        self.lock = threading.Lock()

    def __call__(self, session, scheduled_for: dt.datetime) -> str:
        with self.lock:
            self.calls.append(scheduled_for)
            failing = len(self.calls) <= self.fail_times
        if self.pause:
            threading.Event().wait(self.pause)
        if failing:
            raise RuntimeError("the printer is on fire")
        return "ok"


@pytest.fixture
def clock(app) -> Clock:
    found = Clock(T0)
    app.config["CLOCK"] = found
    return found


@pytest.fixture
def job(app) -> Iterator[Recorder]:
    task = Recorder()
    app.config["JOBS"] = [catalog.JobDefinition("test-job", "0 1 * * *", task, "test")]
    yield task


def _runs(db) -> list[JobRun]:
    db.session.expire_all()
    return list(db.session.scalars(select(JobRun).order_by(JobRun.scheduled_for, JobRun.attempt)))


def test_a_run_is_recorded_with_its_times_and_outcome(app, db, clock, job) -> None:
    run_id = runner.execute(app, "test-job", T0)
    [run] = _runs(db)
    assert run.id == run_id
    assert (run.job_id, run.scheduled_for, run.attempt) == ("test-job", T0, 1)
    assert run.outcome == RunOutcome.SUCCEEDED
    assert run.started_at == T0 and run.finished_at == T0
    assert run.summary == "ok" and run.error is None


def test_the_same_run_claimed_twice_executes_once(app, db, clock, job) -> None:
    assert runner.execute(app, "test-job", T0) is not None
    assert runner.execute(app, "test-job", T0) is None
    assert runner.execute(app, "test-job", T0 + dt.timedelta(days=1)) is not None
    assert job.calls == [T0, T0 + dt.timedelta(days=1)]


def test_racing_schedulers_execute_each_run_once(app, db, clock, job) -> None:
    job.pause = 0.05
    times = [T0 + dt.timedelta(minutes=n) for n in range(5)]
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def scheduler() -> None:
        try:
            start.wait()
            for at in times:
                runner.execute(app, "test-job", at)
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors
    assert sorted(job.calls) == times
    runs = _runs(db)
    assert [r.scheduled_for for r in runs] == times
    assert {r.outcome for r in runs} == {RunOutcome.SUCCEEDED}


def test_a_failing_job_is_retried_with_growing_waits_then_alerted(
    app, db, clock, job, client, login_as
) -> None:
    job.fail_times = 10
    app.config.update(JOB_MAX_ATTEMPTS=3, JOB_RETRY_BASE_S=60)
    runner.execute(app, "test-job", T0)
    [first] = _runs(db)
    assert first.outcome == RunOutcome.FAILED
    assert first.error.startswith("RuntimeError: the printer is on fire")
    assert first.retry_at == T0 + dt.timedelta(seconds=60)

    clock.at = T0 + dt.timedelta(seconds=59)
    assert runner.run_due_retries(app) == 0
    clock.at = T0 + dt.timedelta(seconds=60)
    assert runner.run_due_retries(app) == 1
    assert runner.run_due_retries(app) == 0  # the second attempt is not run again
    second = _runs(db)[1]
    assert second.attempt == 2 and second.scheduled_for == T0
    assert second.retry_at == clock.at + dt.timedelta(seconds=120)
    assert not db.session.scalars(select(Alert)).all()

    clock.at = second.retry_at
    assert runner.run_due_retries(app) == 1
    third = _runs(db)[2]
    assert third.outcome == RunOutcome.FAILED and third.retry_at is None
    clock.at += dt.timedelta(hours=1)
    assert runner.run_due_retries(app) == 0
    assert len(job.calls) == 3

    [alert] = db.session.scalars(select(Alert)).all()
    assert alert.kind == AlertKind.JOB_FAILED and alert.job_id == "test-job"
    assert "attempt 3" in alert.message and "printer is on fire" in alert.message

    history = app.test_cli_runner().invoke(main, ["jobs", "history", "--job", "test-job", "--json"])
    assert history.exit_code == 0, history.output
    rows = json.loads(history.output)
    assert [row["attempt"] for row in rows] == [3, 2, 1]
    assert {row["outcome"] for row in rows} == {"failed"}
    assert all("printer is on fire" in row["error"] for row in rows)
    assert {row["scheduled_for"] for row in rows} == {T0.isoformat()}
    assert set(rows[0]) >= {
        "job_id",
        "scheduled_for",
        "started_at",
        "finished_at",
        "outcome",
        "error",
    }

    client.get("/lang/en")
    login_as(Role.ADMIN)
    page = client.get("/admin/jobs?job=test-job&failed=1").get_data(as_text=True)
    assert "RuntimeError: the printer is on fire" in page
    assert page.count("<code>test-job</code>") >= 3
    alerts_page = client.get("/alerts").get_data(as_text=True)
    assert "Scheduled job failed" in alerts_page and "test-job" in alerts_page


def test_a_job_that_recovers_on_retry_raises_no_alert(app, db, clock, job) -> None:
    job.fail_times = 1
    runner.execute(app, "test-job", T0)
    clock.at = T0 + dt.timedelta(minutes=5)
    runner.run_due_retries(app)
    assert [r.outcome for r in _runs(db)] == [RunOutcome.FAILED, RunOutcome.SUCCEEDED]
    assert not db.session.scalars(select(Alert)).all()


def test_repeated_final_failures_count_up_on_one_open_alert(app, db, clock, job) -> None:
    job.fail_times = 10
    app.config["JOB_MAX_ATTEMPTS"] = 1
    runner.execute(app, "test-job", T0)
    runner.execute(app, "test-job", T0 + dt.timedelta(days=1))
    [alert] = db.session.scalars(select(Alert)).all()
    assert alert.occurrences == 2


def test_an_expired_lease_fails_the_run_and_its_late_commit_is_refused(app, db, clock, job) -> None:
    app.config["JOB_LEASE_S"] = 600
    later: list[int | None] = []

    def slow(session, scheduled_for):
        # While this run works, its lease runs out and another scheduler sweeps it.
        clock.at = T0 + dt.timedelta(minutes=11)
        thread = threading.Thread(target=lambda: later.append(runner.expire_leases(app)))
        thread.start()
        thread.join(30)
        return "too late"

    app.config["JOBS"] = [catalog.JobDefinition("test-job", "0 1 * * *", slow, "test")]
    runner.execute(app, "test-job", T0)
    [run] = _runs(db)
    assert later == [1]
    assert run.outcome == RunOutcome.FAILED
    assert run.error.startswith("lease expired")
    assert run.retry_at is not None


def test_planning_tomorrow_drafts_unpublished_visits(app, db, clock, make) -> None:
    from carehub.dispatch.models import Visit
    from carehub.dispatch.planning.models import PlanningRun

    station = make.station(code="ST9")
    make.caregiver(station=station, weekdays_mask=0b1111111)
    make.request(elder=make.elder(station=station), service_date=dt.date(2026, 11, 24))
    db.session.commit()
    app.config["PLAN_TIME_LIMIT_S"] = 2.0
    runner.execute(app, "plan-tomorrow", T0)
    [run] = _runs(db)
    assert run.outcome == RunOutcome.SUCCEEDED, run.error
    assert run.summary.startswith("2026-11-24: run ") and "1 visits planned" in run.summary
    [plan] = db.session.scalars(db.select(PlanningRun)).all()
    assert plan.created_by == "job:plan-tomorrow" and plan.service_date == dt.date(2026, 11, 24)
    [visit] = db.session.scalars(db.select(Visit)).all()
    assert visit.status == "planned"  # a draft: the dispatcher publishes it


def test_planning_a_day_without_requests_records_an_empty_run(app, db, clock, make) -> None:
    make.station(code="ST9")
    db.session.commit()
    runner.execute(app, "plan-tomorrow", T0)
    [run] = _runs(db)
    assert run.outcome == RunOutcome.SUCCEEDED, run.error
    assert "0 visits planned" in run.summary and "0 unassigned" in run.summary


def test_month_end_reconciliation_drafts_the_closed_month(app, db, clock, make) -> None:
    make.elder(care_level="severe", hardship="dibao")
    db.session.commit()
    first_of_december = dt.datetime(2026, 11, 30, 19, 0, tzinfo=dt.UTC)  # 03:00 on 1 Dec
    runner.execute(app, "reconcile-month", first_of_december)
    [run] = _runs(db)
    assert run.outcome == RunOutcome.SUCCEEDED, run.error
    assert run.summary.startswith("2026-11: 1 elders, payable 0 fen, flagged 0 visits")


def test_the_nightly_generation_job_covers_the_configured_days(app, db, clock, make) -> None:
    app.config["GENERATE_DAYS_AHEAD"] = 3
    make.care_plan(weekdays_mask=0b1111111)
    db.session.commit()
    runner.execute(app, "generate-requests", T0)
    [run] = _runs(db)
    assert run.outcome == RunOutcome.SUCCEEDED
    assert run.summary.startswith("2026-11-23..2026-11-25: created 3")


def test_the_month_figures_job_stores_the_open_months_and_later_finds_them_current(
    app, db, clock, make
) -> None:  # type: ignore[no-untyped-def]
    from carehub.subsidy.models import MonthFigures
    from tests.integration.subsidy_support import october

    october(make, db)
    runner.execute(app, "month-figures", T0)  # 01:00 on 23 Nov in Shanghai
    runner.execute(app, "month-figures", T0 + dt.timedelta(hours=1))
    first, second = sorted(_runs(db), key=lambda r: r.scheduled_for)
    assert first.outcome == second.outcome == RunOutcome.SUCCEEDED, (first.error, second.error)
    assert first.summary == "2026-10: stored, 2026-11: stored"
    # Nothing changed in between: the second run only compared fingerprints.
    assert second.summary == "2026-10: current, 2026-11: current"
    stored = db.session.scalars(select(MonthFigures).where(MonthFigures.payload.is_not(None)))
    assert sorted(f.month for f in stored) == ["2026-10", "2026-11"]
