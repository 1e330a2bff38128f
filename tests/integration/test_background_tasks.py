"""Tasks started from a page (carehub.worker.records): the month's export made in the
background is the same file as the direct download, offered on the task's page to the user
who started it and nobody else; a task that fails is shown failed with its reason."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from carehub.core.enums import Role
from carehub.worker import records
from carehub.worker.models import BackgroundTask
from tests.integration.subsidy_support import NOW, october


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"CLOCK": lambda: NOW}


@pytest.fixture
def month(make, db):  # type: ignore[no-untyped-def]
    return october(make, db)


def _started(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def test_a_background_export_is_the_direct_download_offered_on_its_page(
    month, client: FlaskClient, login_as, db
) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.AUDITOR)
    assert "export-background" in client.get("/subsidy/2026-10").get_data(as_text=True)
    direct = client.get("/subsidy/2026-10/export/elders.csv").data
    task_id = _started(client.post("/subsidy/2026-10/export/elders.csv/background"))
    status = client.get(f"/tasks/{task_id}/status.json").get_json()
    assert status["status"] == "done" and status["done"] == status["total"] == 1
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="task-file"' in page and "subsidy-2026-10-elders.csv" in page
    assert 'http-equiv="refresh"' not in page  # it has ended: nothing to refresh for
    download = client.get(status["file_url"])
    assert download.status_code == 200 and download.data == direct
    assert "subsidy-2026-10-elders.csv" in download.headers["Content-Disposition"]


def test_another_user_cannot_see_the_task_or_its_file(month, client, login_as, make, db) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.AUDITOR)
    task_id = _started(client.post("/subsidy/2026-10/export/stations.xlsx/background"))
    client.post("/logout")
    login_as(Role.AUDITOR, username="other")
    for url in (f"/tasks/{task_id}", f"/tasks/{task_id}/status.json", f"/tasks/{task_id}/file"):
        assert client.get(url).status_code == 404, url


def test_bad_export_parameters_are_refused_and_nothing_is_queued(
    month, client, login_as, db
) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.AUDITOR)
    assert client.post("/subsidy/2026-10/export/elders.pdf/background").status_code == 404
    assert client.post("/subsidy/2026-13/export/elders.csv/background").status_code == 404
    assert db.session.scalars(db.select(BackgroundTask)).all() == []


def test_a_failing_task_is_shown_failed_with_its_reason(month, client, login_as, db) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.AUDITOR)
    response = client.post(
        "/subsidy/2026-10/export/elders.csv/background", data={"station": "NOPE"}
    )
    task_id = _started(response)
    task = db.session.get(BackgroundTask, task_id)
    db.session.refresh(task)
    assert task.status == "failed" and "unknown station NOPE" in (task.error or "")
    assert "unknown station NOPE" in client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert client.get(f"/tasks/{task_id}/file").status_code == 404


def test_a_task_already_finished_is_not_run_again(app, db) -> None:  # type: ignore[no-untyped-def]
    from carehub.core import time as clock

    db.session.add(
        BackgroundTask(id="t1", kind="x", subject="", status="done", created_at=clock.now())
    )
    db.session.commit()
    with records.running("t1") as handle:
        assert handle is None


@pytest.fixture
def no_broker(app):  # type: ignore[no-untyped-def]
    """Tasks go to a Redis nobody listens on, as when Redis is down."""
    celery = app.extensions["celery"]
    celery.conf.task_always_eager = False
    celery.conf.broker_url = "redis://127.0.0.1:1/0"
    celery.conf.broker_connection_timeout = 0.5
    celery.conf.task_publish_retry = False
    yield
    celery.conf.task_always_eager = True


def test_a_task_that_cannot_be_queued_is_stored_failed_not_left_waiting(
    month, client, login_as, db, no_broker
) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.AUDITOR)
    with pytest.raises(Exception):  # noqa: B017 - whichever the broker's client raises
        records.start(
            "subsidy_export",
            "x.csv",
            "carehub.subsidy.background_tasks.month_export",
            "2026-10",
            "elders",
            "csv",
            "report",
            "",
            user_id=None,
        )
    [task] = db.session.scalars(db.select(BackgroundTask)).all()
    assert task.status == "failed" and "not handed to the workers" in (task.error or "")


def test_a_planning_run_that_cannot_be_queued_is_stored_failed(app, db, make, no_broker) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from carehub.dispatch.planning import runner as planning_runner
    from carehub.dispatch.planning.models import PlanningRun

    make.station(code="ST1")
    db.session.commit()
    run = planning_runner.queue_run(db.session, dt.date(2026, 11, 24), ["ST1"], 5, "web")
    with pytest.raises(Exception):  # noqa: B017
        planning_runner.launch(run.id)
    db.session.expire_all()
    stored = db.session.get(PlanningRun, run.id)
    assert stored.status == "failed" and "not handed to the workers" in (stored.error or "")


def test_the_month_is_locked_by_a_task_and_its_page_leads_back(month, client, login_as, db) -> None:  # type: ignore[no-untyped-def]
    from carehub.subsidy.models import LedgerLine, MonthLock

    login_as(Role.AUDITOR)
    confirm = client.get("/subsidy/2026-10/lock").get_data(as_text=True)
    assert 'action="/subsidy/2026-10/lock/background"' in confirm
    refused = client.post("/subsidy/2026-10/lock/background")
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/2026-10/lock")
    task_id = _started(client.post("/subsidy/2026-10/lock/background", data={"confirm": "1"}))
    task = db.session.get(BackgroundTask, task_id)
    db.session.refresh(task)
    assert task.status == "done", task.error
    lock = db.session.scalar(db.select(MonthLock).where(MonthLock.month == "2026-10"))
    assert lock is not None and lock.locked and lock.locked_by_id == task.user_id
    assert db.session.scalars(db.select(LedgerLine)).first() is not None
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="task-back"' in page and "/subsidy/2026-10" in page


def test_locking_a_locked_month_again_fails_the_task_with_the_reason(
    month, client, login_as, db
) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.AUDITOR)
    _started(client.post("/subsidy/2026-10/lock/background", data={"confirm": "1"}))
    again = _started(client.post("/subsidy/2026-10/lock/background", data={"confirm": "1"}))
    task = db.session.get(BackgroundTask, again)
    db.session.refresh(task)
    assert task.status == "failed" and task.error
    assert 'id="task-error"' in client.get(f"/tasks/{again}").get_data(as_text=True)


def _import(client, data: bytes, dry_run: bool = False):  # type: ignore[no-untyped-def]
    import io

    form = {"entity": "stations", "file": (io.BytesIO(data), "stations.csv")}
    if dry_run:
        form["dry_run"] = "y"
    return client.post(
        "/admin/data/import/background", data=form, content_type="multipart/form-data"
    )


def test_a_background_import_writes_and_shows_the_counts(client, login_as, db) -> None:  # type: ignore[no-untyped-def]
    from carehub.registry.models import Station
    from tests.integration.test_import_support import csv_file

    login_as(Role.ADMIN)
    client.get("/lang/en")
    assert 'id="import-background"' in client.get("/admin/data/").get_data(as_text=True)
    data = csv_file("code,name,address,lat,lon", "ST1,和平站,南京路,39.1175,117.195")
    task_id = _started(_import(client, data))
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Import saved" in page and "<strong>1</strong> created" in page
    assert db.session.scalar(db.select(Station.code)) == "ST1"
    # The upload is not kept once read, and no file is offered.
    task = db.session.get(BackgroundTask, task_id)
    db.session.refresh(task)
    assert task.file_data is None and client.get(f"/tasks/{task_id}/file").status_code == 404


def test_a_bad_background_import_lists_every_problem_and_writes_nothing(
    client, login_as, db
) -> None:  # type: ignore[no-untyped-def]
    from carehub.registry.models import Station
    from tests.integration.test_import_support import csv_file

    login_as(Role.ADMIN)
    client.get("/lang/en")
    data = csv_file("code,name,address,lat,lon", "ST1,和平站,南京路,39.1175,117.195", "ST2,,x,91,1")
    task_id = _started(_import(client, data))
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="import-errors"' in page and "nothing was imported" in page
    assert db.session.scalars(db.select(Station)).all() == []


def test_a_background_dry_run_writes_nothing(client, login_as, db) -> None:  # type: ignore[no-untyped-def]
    from carehub.registry.models import Station
    from tests.integration.test_import_support import csv_file

    login_as(Role.ADMIN)
    client.get("/lang/en")
    data = csv_file("code,name,address,lat,lon", "ST1,和平站,南京路,39.1175,117.195")
    page = client.get(f"/tasks/{_started(_import(client, data, dry_run=True))}")
    assert "Dry run: nothing was written" in page.get_data(as_text=True)
    assert db.session.scalars(db.select(Station)).all() == []


def test_a_background_import_without_a_file_is_refused_by_the_form(client, login_as, db) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.ADMIN)
    response = client.post(
        "/admin/data/import/background",
        data={"entity": "stations"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert db.session.scalars(db.select(BackgroundTask)).all() == []


def test_the_subsidy_tasks_keep_the_names_their_queued_messages_carry(app) -> None:  # type: ignore[no-untyped-def]
    celery = app.extensions["celery"]
    celery.loader.import_default_modules()
    assert {
        "carehub.subsidy.background_tasks.month_export",
        "carehub.subsidy.background_tasks.month_lock",
        "carehub.subsidy.work_out_month",
        "carehub.subsidy.work_out_open_months",
    } <= set(celery.tasks)
