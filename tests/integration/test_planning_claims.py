"""Runs started by the command line and the scheduler are stored as running before they are
solved, so the web's "already running" check sees them, and theirs sees the web's."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from carehub.dispatch.planning import runner as planning_runner
from carehub.dispatch.planning.claim import claimed_run
from carehub.dispatch.planning.models import RUN_DONE, RUN_FAILED, RUN_RUNNING, PlanningRun
from carehub.jobs import runner

DAY = dt.date(2026, 11, 24)
T0 = dt.datetime(2026, 11, 22, 17, 30, tzinfo=dt.UTC)  # 01:30 on the 23rd in Shanghai


def test_a_web_run_is_refused_while_a_command_line_run_plans_its_station(app, db, make) -> None:  # type: ignore[no-untyped-def]
    make.station(code="ST1")
    db.session.commit()
    with claimed_run(db.session, DAY, None, 5, "cli:plan") as run:
        assert db.session.get(PlanningRun, run.id).status == RUN_RUNNING
        with pytest.raises(planning_runner.RunConflict) as busy:
            planning_runner.queue_run(db.session, DAY, ["ST1"], 5, "web")
        assert busy.value.run.id == run.id
        run.status = RUN_DONE
        db.session.commit()
    # Once it has ended the station is free again.
    assert planning_runner.queue_run(db.session, DAY, ["ST1"], 5, "web").status == "queued"


def test_a_failing_claimed_run_is_stored_failed_with_the_error(app, db, make) -> None:  # type: ignore[no-untyped-def]
    make.station(code="ST1")
    db.session.commit()
    with pytest.raises(RuntimeError), claimed_run(db.session, DAY, ["ST1"], 5, "cli:plan") as run:
        raise RuntimeError("matrix service down")
    db.session.expire_all()
    stored = db.session.get(PlanningRun, run.id)
    assert stored.status == RUN_FAILED and "matrix service down" in stored.error


def test_the_command_line_refuses_a_day_the_web_is_planning(app, db, make) -> None:  # type: ignore[no-untyped-def]
    from carehub.cli import main

    make.station(code="ST1")
    db.session.commit()
    queued = planning_runner.queue_run(db.session, DAY, ["ST1"], 5, "web")
    result = CliRunner().invoke(
        main, ["plan", "--date", DAY.isoformat()], obj=_script_info(app), catch_exceptions=False
    )
    assert result.exit_code == 1
    assert f"run {queued.id} for {DAY} is still planning" in result.output


def test_the_nightly_job_gives_way_to_a_run_from_the_web(app, db, make) -> None:  # type: ignore[no-untyped-def]
    from carehub.jobs.models import JobRun

    make.station(code="ST1")
    db.session.commit()
    queued = planning_runner.queue_run(db.session, DAY, ["ST1"], 5, "web")
    runner.execute(app, "plan-tomorrow", T0)
    [job_run] = db.session.scalars(db.select(JobRun)).all()
    assert (
        job_run.summary == f"{DAY}: run {queued.id} is still planning these stations; nothing done"
    )
    assert db.session.scalars(db.select(PlanningRun)).all() == [queued]


def _script_info(app):  # type: ignore[no-untyped-def]
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)
