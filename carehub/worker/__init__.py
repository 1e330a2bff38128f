"""Background work on Celery: the app bound to a Flask app, and sending tasks.

Feature packages define their tasks with ``celery.shared_task`` in their own ``tasks.py``;
every Celery app created here sees them. Production uses Redis as the broker and result
store (``CAREHUB_BROKER_URL``); without one, both are SQLite files in the instance folder, so
the demo needs no server (kombu's SQLAlchemy transport, Celery's database result backend).
Tests run tasks in the calling process (``TASKS_EAGER``) unless they start a real worker.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import Any

from celery import Celery, Task
from flask import Flask, current_app, has_app_context

log = logging.getLogger(__name__)

# Packages whose ``tasks`` module holds shared tasks, plus modules named otherwise.
TASK_PACKAGES = (
    "carehub.dispatch.planning",
    "carehub.subsidy",
    "carehub.transfer",
    "carehub.jobs",
)
TASK_MODULES = ("carehub.worker.remote",)

# Queues: planning runs wait for their circles' solves, so those two never share a worker
# that could fill all its processes with waiting runs.
QUEUE_DEFAULT = "celery"
QUEUE_PLAN = "plan"
QUEUE_SOLVE = "solve"
ALL_QUEUES = (QUEUE_DEFAULT, QUEUE_PLAN, QUEUE_SOLVE)
SQLITE_BROKER = "sqla+sqlite:///"  # kombu's SQLAlchemy transport on a SQLite file


def broker_urls(app: Flask) -> tuple[str, str]:
    """The broker and result-store URLs: the configured ones, else SQLite files."""
    broker = app.config.get("BROKER_URL") or ""
    backend = app.config.get("RESULT_BACKEND") or ""
    instance = Path(app.instance_path)
    if not broker:
        instance.mkdir(parents=True, exist_ok=True)
        broker = f"{SQLITE_BROKER}{instance / 'broker.sqlite3'}"
    if not backend:
        if broker.startswith(("redis://", "rediss://")):
            backend = broker
        else:
            instance.mkdir(parents=True, exist_ok=True)
            backend = f"db+sqlite:///{instance / 'task-results.sqlite3'}"
    return broker, backend


def _task_modules() -> list[str]:
    found = [f"{p}.tasks" for p in TASK_PACKAGES if importlib.util.find_spec(f"{p}.tasks")]
    return found + [m for m in TASK_MODULES if importlib.util.find_spec(m)]


def _transport(app: Flask, broker: str, connect_s: float) -> dict[str, Any]:
    """Broker transport options: on Redis, fail fast when it is down."""
    transport: dict[str, Any] = {}
    if broker.startswith(("redis://", "rediss://")):
        transport.update(
            visibility_timeout=int(app.config["TASK_VISIBILITY_S"]),
            # A Redis that is down answers a request with 503 at once rather than after
            # kombu's reconnect loop; one that vanished from the network (no refusal) is
            # given this long to connect, and a little longer to answer, which stays above
            # the worker's one-second BRPOP.
            max_retries=1,
            socket_connect_timeout=connect_s,
            socket_timeout=max(5.0, 5 * connect_s),
        )
    return transport


def _settings(app: Flask, broker: str, backend: str) -> dict[str, Any]:
    """Celery settings: tasks acknowledged late, and a broker outage survived by workers."""
    connect_s = float(app.config["BROKER_CONNECT_TIMEOUT_S"])
    transport = _transport(app, broker, connect_s)
    return dict(
        broker_url=broker,
        result_backend=backend,
        include=_task_modules(),
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        enable_utc=True,
        task_default_queue=QUEUE_DEFAULT,
        # A task is acknowledged when it ends, not when it starts, and a worker process that
        # dies (kill -9, out of memory) hands it back to the queue: each task is written to
        # do its work in one transaction, or to see from the database that it was done.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_track_started=True,
        result_expires=24 * 3600,
        # A message taken by a worker that vanished whole is redelivered after this long
        # (Redis); it must outlast the longest task, a planning run (600 s at most).
        broker_transport_options=transport,
        broker_connection_timeout=connect_s,
        # A publish over a connection Redis dropped (it restarted) is tried once more on a
        # fresh one, at once; a Redis still down fails the request's enqueue (503).
        task_publish_retry_policy={
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.1,
            "interval_max": 0.1,
        },
        # A worker outlives a Redis outage: it reconnects for as long as it takes, at
        # startup too, and takes work again without a restart.
        broker_connection_retry=True,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        worker_hijack_root_logger=False,
        task_always_eager=bool(app.config.get("TASKS_EAGER")),
        task_eager_propagates=True,
    )


def init_app(app: Flask) -> Celery:
    """A Celery app for ``app``, made the default one (``shared_task`` resolves to it)."""
    broker, backend = broker_urls(app)

    class FlaskTask(Task):
        # Tasks run inside the Flask app's context, as requests and commands do.
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            if has_app_context():
                return self.run(*args, **kwargs)
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=FlaskTask, set_as_current=True)
    celery.conf.update(_settings(app, broker, backend))
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def celery_app(app: Flask | None = None) -> Celery:
    flask_app = app or current_app
    return flask_app.extensions["celery"]


def enqueue(name: str, *args: Any, queue: str = QUEUE_DEFAULT, task_id: str | None = None) -> str:
    """Send the task ``name`` (``module.function``) for a worker; its id.

    Raises ``BrokerUnavailable`` (a 503) when the broker cannot take it. In eager mode the
    task runs here and now, as a test wants.
    """
    from carehub.core.enqueue import BrokerUnavailable, broker_errors

    celery = celery_app()
    if celery.conf.task_always_eager:
        celery.loader.import_default_modules()
        task = celery.tasks[name]
        return str(task.apply(args=args, task_id=task_id).id)
    try:
        # The sender reads progress from the database, never the task's result: no
        # subscription to the result store, whose client gives up for good after an outage.
        sent = celery.send_task(name, args=args, queue=queue, task_id=task_id, ignore_result=True)
    except broker_errors() as exc:
        log.warning("task broker unavailable for %s: %s", name, exc)
        raise BrokerUnavailable() from exc
    return str(sent.id)
