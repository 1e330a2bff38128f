"""Tasks through real ``carehub worker`` processes on a real Redis: a planning run from the
web page to published visits, its circles solved on another worker; a month's draft from a
scheduled fire; a worker process killed with SIGKILL mid-run."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import time

import pytest
from sqlalchemy import func, select

from carehub.core.enums import Role, RunOutcome, VisitStatus
from carehub.dispatch.models import Visit
from carehub.dispatch.planning.models import PlanningRun
from carehub.jobs import process
from tests.workers import RUN_S, plan_day, wait_for_job_run, wait_for_run, worker_config

DAY = dt.date(2026, 11, 23)


@pytest.fixture
def app_config(broker_url: str) -> dict[str, object]:
    return worker_config(broker_url)


def _day(make, db, visits: int = 12) -> None:  # type: ignore[no-untyped-def]
    plan_day(make, db, ("HPA", "HPB"), (DAY,), visits // 2)


def test_a_run_from_the_planning_page_is_solved_by_workers_and_published(
    client, login_as, make, db, start_worker
) -> None:  # type: ignore[no-untyped-def]
    _day(make, db)
    # Runs on one worker, circle solves on another, as in production.
    start_worker("celery,plan", CAREHUB_PLANNING_FANOUT="1")
    solver = start_worker("solve", concurrency=2)
    login_as(Role.DISPATCHER)
    data = {"date": DAY.isoformat(), "stations": ["HPA", "HPB"], "time_limit": "4"}
    response = client.post("/dispatch/planning/", data=data)
    assert response.status_code == 303
    run_id = int(re.search(r"/runs/(\d+)$", response.headers["Location"]).group(1))  # type: ignore[union-attr]
    # The request returned at once: the web process solved nothing.
    assert db.session.get(PlanningRun, run_id).status in ("queued", "running")
    run = wait_for_run(db, run_id, ("done", "failed"))
    assert run.status == "done", run.error
    status = client.get(f"/dispatch/planning/runs/{run_id}/status.json").get_json()
    assert status["status"] == "done"
    # Each station's circle was a task of its own on the solving worker.
    assert solver.log.read_text().count("Task carehub.worker.remote.call") >= 2 * 2
    assert client.post(f"/dispatch/planning/runs/{run_id}/publish").status_code == 303
    db.session.expire_all()
    visits = db.session.scalars(select(Visit)).all()
    assert len(visits) == run.visits_planned > 0
    assert all(v.status == VisitStatus.PUBLISHED for v in visits)


def test_a_scheduled_month_draft_is_claimed_and_run_by_a_worker(
    app, make, db, start_worker
) -> None:  # type: ignore[no-untyped-def]
    make.elder(care_level="severe", hardship="dibao")
    db.session.commit()
    start_worker("celery")
    first_of_december = dt.datetime(2026, 11, 30, 19, 0, tzinfo=dt.UTC)  # 03:00 on 1 Dec
    # Two schedulers fire the same run: the worker's claim lets one through.
    process.fire("reconcile-month", first_of_december, app)
    process.fire("reconcile-month", first_of_december, app)
    run = wait_for_job_run(db)  # the second message, claimed elsewhere, is skipped
    assert run.outcome == RunOutcome.SUCCEEDED, run.error
    assert run.summary.startswith("2026-11: 1 elders, payable ")
    assert str(os.getpid()) not in (run.worker or "")  # claimed by the worker, not here


def test_a_worker_process_killed_mid_run_leaves_nothing_half_written_and_the_run_is_redone(
    client, login_as, make, db, start_worker
) -> None:  # type: ignore[no-untyped-def]
    _day(make, db, visits=30)
    worker = start_worker("celery,plan")
    login_as(Role.ADMIN)
    data = {"date": DAY.isoformat(), "stations": ["HPA", "HPB"], "time_limit": "8"}
    run_id = int(
        re.search(
            r"/runs/(\d+)$", client.post("/dispatch/planning/", data=data).headers["Location"]
        ).group(1)  # type: ignore[union-attr]
    )
    wait_for_run(db, run_id, ("running",), 60)
    time.sleep(1.0)
    [child] = worker.children()
    assert db.session.get(PlanningRun, run_id).status == "running"
    os.kill(child, signal.SIGKILL)
    db.session.rollback()
    # Killed before the one commit that writes the plan: no visit exists yet.
    assert db.session.scalar(select(func.count(Visit.id))) == 0
    run = wait_for_run(db, run_id, ("done", "failed"))
    assert run.status == "done", run.error
    log = worker.log.read_text()
    assert "signal 9 (SIGKILL)" in log, log[-2000:]
    # The message came back and was run once more, in full: one visit per planned request.
    visits = db.session.scalars(select(Visit)).all()
    assert len(visits) == run.visits_planned > 0
    assert len({v.request_id for v in visits}) == len(visits)


def test_a_month_export_made_by_a_worker_is_offered_on_its_page(
    client, login_as, make, db, start_worker
) -> None:  # type: ignore[no-untyped-def]
    from tests.integration.subsidy_support import october

    october(make, db)
    start_worker("celery")
    login_as(Role.AUDITOR)
    direct = client.get("/subsidy/2026-10/export/elders.xlsx").status_code
    assert direct == 200
    response = client.post("/subsidy/2026-10/export/elders.xlsx/background")
    assert response.status_code == 303
    page_url = response.headers["Location"]
    deadline = time.monotonic() + RUN_S
    while (status := client.get(f"{page_url}/status.json").get_json())["status"] in (
        "queued",
        "running",
    ):
        assert time.monotonic() < deadline, "the export was not made"
        time.sleep(0.2)
    assert status["status"] == "done", status["error"]
    download = client.get(status["file_url"])
    assert download.status_code == 200 and download.data[:2] == b"PK"  # an XLSX (zip)
