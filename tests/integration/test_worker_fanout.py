"""A run's circles fanned out to a real ``carehub worker -Q solve`` on a real Redis: the run
keeps to its time limit, and the circles' answers are taken as the workers end them, not in
the order they were sent."""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import FIRST_COMPLETED, wait

import pytest

from carehub.dispatch.planning import fanout
from carehub.dispatch.planning import runner as planning_runner
from carehub.routing import SolverParams
from carehub.routing.circles import NO_SEARCH, Part, _solve_part
from tests.unit.routing.helpers import caregiver, problem, visit
from tests.workers import plan_day, wait_for_run, worker_config

DAY = dt.date(2026, 11, 23)
LIMIT_S = 6.0
# What the run may take beyond its limit here: flushing a few dozen visits and the figures.
# Were each circle given the whole limit (the fault this guards against), three circles on
# one solver process would take about three limits.
SLACK_S = 2.5


@pytest.fixture
def app_config(broker_url: str) -> dict[str, object]:
    return worker_config(broker_url)


def _three_circles(make, db) -> list[str]:  # type: ignore[no-untyped-def]
    codes = ("HPA", "HPB", "HPC")
    plan_day(make, db, codes, (DAY,), 10, spacing=0.04)
    return list(codes)


def test_a_fanned_out_run_keeps_to_its_time_limit(app, make, db, start_worker) -> None:  # type: ignore[no-untyped-def]
    codes = _three_circles(make, db)
    start_worker("plan", CAREHUB_PLANNING_FANOUT="1", CAREHUB_PLANNING_WORKERS="1")
    start_worker("solve", concurrency=1)
    with app.app_context():
        run = planning_runner.queue_run(db.session, DAY, codes, LIMIT_S, "test")
        planning_runner.launch(run.id)
    run = wait_for_run(db, run.id, ("done", "failed"))
    assert run.status == "done", run.error
    summary = run.input_summary
    steps = {k: v for k, v in summary["phase_s"].items() if not k.startswith("solve_")}
    # The run's own steps, from loading the day to its figures, kept to the limit.
    assert sum(steps.values()) <= LIMIT_S + SLACK_S, summary
    tasks = summary["fanout"]
    # Pass 1's three circles, then the second polish's, at most one each: the plan leaves
    # nothing open, so the polish also has the time the shortfall advice would have taken.
    assert 3 <= tasks["tasks"] <= 6 and tasks["failed"] == 0, tasks
    # Each circle searched for its share of what was left, not for the whole limit: the one
    # solver process ran the tasks one after another, all within the limit.
    assert tasks["searched"] >= 1, tasks
    assert tasks["call_s"]["sum"] <= LIMIT_S, tasks
    assert tasks["span_s"] <= LIMIT_S, tasks


def _part(vid: str, search_s: float) -> Part:
    p = problem([visit(f"{vid}{i}", 1 + i % 9) for i in range(8)], [caregiver(f"{vid}-c")])
    # A part left no time (its deadline now) gets its greedy plan at once.
    return Part(p, SolverParams(time_limit_s=max(search_s, 1.0)), deadline=time.time() + search_s)


def test_circle_answers_are_taken_as_the_workers_end_them(app, start_worker) -> None:  # type: ignore[no-untyped-def]
    start_worker("solve", concurrency=2)
    with app.app_context():
        from carehub.worker.remote import TaskExecutor

        executor = TaskExecutor(timeout_s=60, describe=fanout.describe_part)
        slow = executor.submit(_solve_part, _part("slow", 4.0))
        quick = executor.submit(_solve_part, _part("quick", 0.0))
        done, _ = wait([slow, quick], timeout=60, return_when=FIRST_COMPLETED)
        # The one sent second answered first, and was there while the first still searched.
        assert done == {quick}
        assert NO_SEARCH in quick.result().notes
        assert NO_SEARCH not in slow.result(timeout=60).notes
        assert fanout.summary(executor.traces)["received_out_of_order"] == 1
