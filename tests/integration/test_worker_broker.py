"""The demo's SQLite broker: its tables and queues made under a file lock before a worker
starts, so two workers starting together do not both create them."""

from __future__ import annotations

import fcntl
import sqlite3
import threading
from pathlib import Path

import pytest
from flask import Flask

from carehub.worker import celery_app
from carehub.worker.broker import lock_path, prepare

# kombu's own queue table maps its messages with a loader SQLAlchemy 2.1 deprecates.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The ``noload`` loader strategy is deprecated:sqlalchemy.exc.SADeprecationWarning"
)


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    return {"TASKS_EAGER": False, "BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"}


def test_only_a_sqlite_broker_has_a_lock() -> None:
    assert lock_path("redis://127.0.0.1:6379/0") is None
    assert lock_path("sqla+sqlite:////srv/carehub/broker.sqlite3") == Path(
        "/srv/carehub/broker.sqlite3.lock"
    )


def test_prepare_creates_the_tables_and_queues(app: Flask, tmp_path: Path) -> None:
    assert prepare(celery_app(app), ["celery", "plan"]) is True
    with sqlite3.connect(tmp_path / "broker.sqlite3") as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        queues = {r[0] for r in db.execute("SELECT name FROM kombu_queue")}
    assert {"kombu_queue", "kombu_message"} <= tables
    assert queues == {"celery", "plan"}
    # A second worker finds them and adds its own queue.
    assert prepare(celery_app(app), ["solve", "plan"]) is True
    with sqlite3.connect(tmp_path / "broker.sqlite3") as db:
        assert {r[0] for r in db.execute("SELECT name FROM kombu_queue")} == {
            "celery",
            "plan",
            "solve",
        }


def test_prepare_waits_for_a_worker_holding_the_lock(app: Flask, tmp_path: Path) -> None:
    lock = tmp_path / "broker.sqlite3.lock"
    done = threading.Event()

    def other_worker() -> None:
        prepare(celery_app(app), ["celery"])
        done.set()

    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        thread = threading.Thread(target=other_worker)
        thread.start()
        assert not done.wait(0.5), "prepared while another worker held the lock"
        assert not (tmp_path / "broker.sqlite3").exists()
        fcntl.flock(held, fcntl.LOCK_UN)
    thread.join(10)
    assert done.is_set()
    assert (tmp_path / "broker.sqlite3").exists()


def test_prepare_leaves_other_brokers_alone(app: Flask) -> None:
    celery = celery_app(app)
    celery.conf.broker_url = "redis://127.0.0.1:1/0"
    assert prepare(celery, ["celery"]) is False
