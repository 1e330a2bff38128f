"""Redis, the task broker, lost and found again, with the web app and real ``carehub worker``
processes running: a private ``redis-server`` this test stops and starts on its own port
(never the shared test server), and a worker whose whole machine vanishes.

What must hold: while Redis is down, a request that needs a worker answers 503 with a
message (JSON under an API's Accept header) and leaves only a run marked failed with its
reason; when Redis is back, new work is queued and done by the same web app and worker, with
no restart; a task whose worker vanished whole comes back after the visibility timeout and
is done once."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from carehub.core.enums import Role
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.dispatch.planning.models import PlanningRun
from carehub.jobs import process
from carehub.subsidy.models import MonthFigures
from tests.workers import RedisServer, plan_day, wait_for_job_run, wait_for_run, worker_config

DAY = dt.date(2026, 11, 23)
LATER = dt.date(2026, 11, 24)
VISIBILITY_S = 6


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path, needed_by="the outage tests")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker_url(redis: RedisServer) -> str:
    return redis.url


@pytest.fixture
def app_config(broker_url: str) -> dict[str, object]:
    return worker_config(broker_url)


def _stations(make, db, days: tuple[dt.date, ...], visits: int = 10) -> None:  # type: ignore[no-untyped-def]
    plan_day(make, db, ("HPA", "HPB"), days, visits // 2)


def _plan(client, day: dt.date, limit: int, **headers: str):  # type: ignore[no-untyped-def]
    data = {"date": day.isoformat(), "stations": ["HPA", "HPB"], "time_limit": str(limit)}
    return client.post("/dispatch/planning/", data=data, headers=headers)


def _run_id(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return int(re.search(r"/runs/(\d+)$", response.headers["Location"]).group(1))  # type: ignore[union-attr]


def _visits(db, day: dt.date) -> list[Visit]:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    found = list(
        db.session.scalars(
            select(Visit).join(ServiceRequest).where(ServiceRequest.service_date == day)
        )
    )
    db.session.rollback()
    return found


def test_redis_stopped_mid_run_answers_503_and_work_resumes_when_it_is_back(  # type: ignore[no-untyped-def]
    client, login_as, make, db, redis, start_worker
) -> None:
    # Eight visits a circle: enough for ruin and recreate to search to the limit, so the run
    # is still running when Redis stops (with five, a circle's search ends within a second).
    _stations(make, db, (DAY, LATER), visits=16)
    worker = start_worker("celery,plan")
    login_as(Role.ADMIN)
    running = _run_id(_plan(client, DAY, 6))
    wait_for_run(db, running, ("running",), 60)
    redis.stop()

    # The run in progress needs the database, not Redis, to finish: its plan is written
    # whole, once, or the run fails saying why.
    run = wait_for_run(db, running, ("done", "failed"))
    if run.status == "done":
        assert len(_visits(db, DAY)) == run.visits_planned > 0
    else:
        assert run.error and _visits(db, DAY) == []

    # New work while Redis is down: a page with the message, JSON for an API client.
    page = _plan(client, LATER, 4)
    assert page.status_code == 503
    assert page.headers["Retry-After"].isdigit()
    assert "后台任务暂时无法启动" in page.get_data(as_text=True)  # translated
    answer = _plan(client, LATER, 4, Accept="application/json")
    assert answer.status_code == 503 and answer.get_json()["status"] == 503
    db.session.expire_all()
    refused = db.session.scalars(select(PlanningRun).where(PlanningRun.service_date == LATER)).all()
    db.session.rollback()
    assert len(refused) == 2
    assert all(r.status == "failed" and "not handed" in (r.error or "") for r in refused)
    assert _visits(db, LATER) == []
    # Pages that need no worker still answer.
    assert client.get("/dispatch/planning/").status_code == 200

    # Redis is back: the same web app queues, the same worker takes and finishes the work.
    redis.start()
    again = _run_id(_plan(client, LATER, 4))
    done = wait_for_run(db, again, ("done", "failed"))
    assert done.status == "done", done.error
    assert len(_visits(db, LATER)) == done.visits_planned > 0
    assert worker.process.poll() is None
    assert "Connection to broker lost" in worker.log.read_text()


def test_a_task_whose_whole_worker_vanished_is_redelivered_and_done_once(  # type: ignore[no-untyped-def]
    client, login_as, make, db, start_worker
) -> None:
    _stations(make, db, (DAY,), visits=30)
    short = {"CAREHUB_TASK_VISIBILITY_S": str(VISIBILITY_S)}
    lost = start_worker("celery,plan", own_group=True, **short)
    login_as(Role.ADMIN)
    run_id = _run_id(_plan(client, DAY, 8))
    wait_for_run(db, run_id, ("running",), 60)
    # The machine goes: the worker's main process and its pool at once, nothing said.
    os.killpg(lost.process.pid, signal.SIGKILL)
    lost.process.wait(10)
    assert _visits(db, DAY) == []
    vanished_at = time.monotonic()
    other = start_worker("celery,plan", **short)
    run = wait_for_run(db, run_id, ("done", "failed"), 180)
    assert run.status == "done", run.error
    assert time.monotonic() - vanished_at >= VISIBILITY_S * 0.5
    assert "plan_run[" in other.log.read_text()
    visits = _visits(db, DAY)
    assert len(visits) == run.visits_planned > 0
    assert len({v.request_id for v in visits}) == len(visits)


def test_the_month_figures_job_fired_by_the_scheduler_is_run_by_a_worker(  # type: ignore[no-untyped-def]
    app, make, db, start_worker
) -> None:
    from tests.integration.subsidy_support import october

    october(make, db)
    start_worker("celery")
    fire_at = dt.datetime(2026, 11, 22, 17, 20, tzinfo=dt.UTC)  # 01:20 on 23 Nov
    process.fire("month-figures", fire_at, app)
    process.fire("month-figures", fire_at, app)  # a second scheduler: claimed once
    run = wait_for_job_run(db)
    assert run.outcome == "succeeded", run.error
    assert run.summary == "2026-10: stored, 2026-11: stored"
    assert str(os.getpid()) not in (run.worker or "")
    count = db.session.scalar(
        select(func.count()).select_from(MonthFigures).where(MonthFigures.payload.is_not(None))
    )
    assert count == 2
