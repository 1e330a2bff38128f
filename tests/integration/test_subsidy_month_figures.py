"""A month's verdicts and entitlements are worked out by a task and stored with the
fingerprint of their inputs; every web process reads the same stored figures, a large
month is never worked out inside a request, and a stale month says it is being worked out.

The task runs in this process through ``.apply()``; a Celery app on the in-memory broker
stands in for the queue, so what the pages enqueue can be read back."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from celery import Celery
from flask import Flask
from sqlalchemy import select

from carehub.core.enqueue import BrokerUnavailable, enqueue
from carehub.core.enums import Role
from carehub.subsidy.models import MonthFigures
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation import month_figures
from carehub.subsidy.reconciliation.locking import lock_month
from carehub.subsidy.reconciliation.reconcile import reconcile
from carehub.subsidy.review import services as reviews
from carehub.subsidy.tasks import work_out_month, work_out_open_months
from tests.conftest import base_config, second_app
from tests.integration.subsidy_support import NOW, cached_as_fresh, october

OCT = Month(2026, 10)


@pytest.fixture
def app_config() -> dict[str, object]:
    # Every month counts as large: nothing is worked out inside a request.
    return {"CLOCK": lambda: NOW, "SUBSIDY_INLINE_VISITS": 0}


@pytest.fixture
def queue() -> Iterator[Celery]:
    app = Celery("carehub-test", broker="memory://", set_as_current=True)
    app.set_current()
    _queued(app)  # the in-memory broker is one per process: drop earlier tests' messages
    yield app
    app.close()


def _queued(app: Celery) -> list[tuple[str, str]]:
    found = []
    with app.connection_for_read() as conn:
        inbox = conn.SimpleQueue("celery")
        try:
            while True:
                message = inbox.get(timeout=0.05)
                found.append((message.headers["task"], message.headers["argsrepr"]))
                message.ack()
        except inbox.Empty:
            pass
        finally:
            inbox.close()
    return found


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def month(make, db):  # type: ignore[no-untyped-def]
    return october(make, db)


def test_a_large_month_is_never_worked_out_in_the_request(month, db, queue) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(month_figures.MonthPending):
        reconcile(db.session, OCT, cached=True)
    assert _queued(queue) == [("carehub.subsidy.work_out_month", "('2026-10',)")]
    assert db.session.scalar(select(MonthFigures.payload)) is None


def test_the_task_stores_what_working_the_month_out_afresh_gives(month, db, queue) -> None:  # type: ignore[no-untyped-def]
    assert work_out_month.apply(args=["2026-10"]).get() == "stored"
    row = db.session.scalars(select(MonthFigures)).one()
    assert (
        row.fingerprint and row.payload and row.visit_count == len(month.clean) + len(month.planted)
    )
    assert row.working_fingerprint is None
    result = cached_as_fresh(db)
    assert not result.stale and result.computed_at == NOW
    # The same inputs again: nothing to do.
    assert work_out_month.apply(args=["2026-10"]).get() == "current"
    assert _queued(queue) == []


def test_another_web_process_shows_the_stored_figures(  # type: ignore[no-untyped-def]
    month, db, app: Flask, tmp_path
) -> None:
    month_figures.work_out(db.session, OCT)
    here = reconcile(db.session, OCT, cached=True).as_json()
    url = app.config["DATABASE_URL"]
    config = {**base_config(url, tmp_path), "CLOCK": lambda: NOW, "SUBSIDY_INLINE_VISITS": 0}
    with second_app(config) as other, other.app_context():
        from carehub.extensions import db as other_db

        there = reconcile(other_db.session, OCT, cached=True)
        assert not there.stale
        assert there.as_json() == here


def test_a_changed_input_shows_the_last_figures_as_being_worked_out(  # type: ignore[no-untyped-def]
    month, db, queue
) -> None:
    month_figures.work_out(db.session, OCT)
    before = reconcile(db.session, OCT, cached=True)
    visit = month.planted["too_short"]
    visit.check_out_at = visit.check_in_at + dt.timedelta(minutes=30)
    db.session.commit()
    stale = reconcile(db.session, OCT, cached=True)
    assert stale.stale
    assert stale.as_json() == before.as_json()
    assert _queued(queue) == [("carehub.subsidy.work_out_month", "('2026-10',)")]
    assert work_out_month.apply(args=["2026-10"]).get() == "stored"
    after = cached_as_fresh(db)
    assert not after.stale
    assert after.totals().payable_fen == before.totals().payable_fen + 800


def test_a_review_shows_at_once_over_the_stored_verdicts(month, db, queue) -> None:  # type: ignore[no-untyped-def]
    month_figures.work_out(db.session, OCT)
    first = reconcile(db.session, OCT, cached=True)
    reviews.review(db.session, month.planted["too_short"].id, "approved", "家属确认", None)
    db.session.commit()
    after = cached_as_fresh(db)
    assert not after.stale
    assert after.totals().payable_fen == first.totals().payable_fen + 800
    assert _queued(queue) == []


def test_a_second_worker_leaves_inputs_another_has_claimed(month, db) -> None:  # type: ignore[no-untyped-def]
    mark = month_figures.digest(month_figures.month_cache.fingerprint(db.session, OCT, _rules()))
    db.session.add(
        MonthFigures(month="2026-10", visit_count=0, working_fingerprint=mark, working_since=NOW)
    )
    db.session.commit()
    assert month_figures.work_out(db.session, OCT) == "busy"
    # A claim older than a worker can take is a dead worker's.
    db.session.scalars(select(MonthFigures)).one().working_since = NOW - dt.timedelta(hours=1)
    db.session.commit()
    assert month_figures.work_out(db.session, OCT) == "stored"


def test_a_locked_month_is_not_stored(month, db, make) -> None:  # type: ignore[no-untyped-def]
    lock_month(db.session, OCT, make.user(Role.ADMIN).id)
    db.session.commit()
    assert month_figures.work_out(db.session, OCT) == "locked"
    assert db.session.scalars(select(MonthFigures)).all() == []
    assert cached_as_fresh(db).locked


def test_the_open_months_task_works_out_this_month_and_the_last(month, db) -> None:  # type: ignore[no-untyped-def]
    done = work_out_open_months.apply().get()
    assert done == {"2026-10": "stored", "2026-11": "stored"}


def test_the_month_page_says_when_its_figures_are_being_worked_out(  # type: ignore[no-untyped-def]
    month, db, client, login_as, queue
) -> None:
    login_as(Role.AUDITOR)
    pending = client.get("/subsidy/2026-10")
    assert pending.status_code == 503
    assert pending.headers["Retry-After"].isdigit()
    assert "本月数据正在计算中" in pending.get_data(as_text=True)  # translated
    month_figures.work_out(db.session, OCT)
    page = client.get("/subsidy/2026-10")
    assert page.status_code == 200
    assert 'id="being-worked-out"' not in page.get_data(as_text=True)
    month.planted["too_short"].check_out_at += dt.timedelta(minutes=30)
    db.session.commit()
    page = client.get("/subsidy/2026-10")
    assert page.status_code == 200
    assert 'id="being-worked-out"' in page.get_data(as_text=True)


def test_an_unreachable_broker_is_503_with_a_message_and_nothing_written(  # type: ignore[no-untyped-def]
    month, db, client, login_as
) -> None:
    broker = Celery("down", broker=f"redis://127.0.0.1:{_closed_port()}/0", set_as_current=True)
    broker.conf.broker_transport_options = {"max_retries": 0}
    broker.set_current()
    try:
        with pytest.raises(BrokerUnavailable):
            enqueue(work_out_month, "2026-10")
        login_as(Role.AUDITOR)
        page = client.get("/subsidy/2026-10")
        assert page.status_code == 503
        assert page.headers["Retry-After"].isdigit()
        assert "后台任务暂时无法启动" in page.get_data(as_text=True)  # translated
        answer = client.get("/subsidy/2026-10", headers={"Accept": "application/json"})
        assert answer.status_code == 503
        assert answer.get_json()["status"] == 503
        assert db.session.scalars(select(MonthFigures)).all() == []
    finally:
        broker.close()


def test_a_reachable_broker_takes_the_task(queue) -> None:  # type: ignore[no-untyped-def]
    assert enqueue(work_out_month, "2026-10")
    assert _queued(queue) == [("carehub.subsidy.work_out_month", "('2026-10',)")]


def _rules() -> Any:
    from carehub.subsidy.reconciliation.rules import current_settings

    return current_settings()
