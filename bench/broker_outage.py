"""Time how long sending a task takes to fail when Redis is away, as a web request's 503
waits for it: Redis refusing connections (stopped, a closed port here) and Redis not
answering at all (its machine gone: a local socket whose accept queue is full drops the
connection attempts, as a vanished host does), with CareHub's broker settings and, in the same process, with Celery's defaults.

    .venv/bin/python bench/broker_outage.py --runs 7
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import tempfile
import time
from typing import Any

from carehub.app import create_app
from carehub.core.enqueue import BrokerUnavailable
from carehub.worker import enqueue

CELERY_DEFAULTS: dict[str, Any] = {
    "broker_connection_timeout": 4.0,
    "task_publish_retry_policy": {
        "max_retries": 3,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    },
}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _time(url: str, runs: int, defaults: bool) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {"BROKER_URL": url, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/x.sqlite3"}
        )
        conf = app.extensions["celery"].conf
        if defaults:
            transport = {"visibility_timeout": conf.broker_transport_options["visibility_timeout"]}
            conf.update(CELERY_DEFAULTS, broker_transport_options=transport)
        times = []
        for _ in range(runs):
            with app.app_context():
                started = time.monotonic()
                try:
                    enqueue("carehub.jobs.run", "bench", "2026-01-01T00:00:00+00:00", 1)
                except BrokerUnavailable:
                    times.append(time.monotonic() - started)
                else:
                    raise SystemExit(f"{url} took the task: nothing to time")
        return times


def _silent_port() -> tuple[int, list[socket.socket]]:
    """A port whose connection attempts go unanswered: a full accept queue drops new SYNs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = int(server.getsockname()[1])
    held = [server]
    for _ in range(4):
        client = socket.socket()
        client.setblocking(False)
        client.connect_ex(("127.0.0.1", port))
        held.append(client)
    time.sleep(0.2)
    return port, held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    silent, _held = _silent_port()
    cases = {
        "refused": f"redis://127.0.0.1:{_closed_port()}/0",
        "silent": f"redis://127.0.0.1:{silent}/0",
    }
    for name, url in cases.items():
        for label, defaults in (("carehub", False), ("celery defaults", True)):
            times = _time(url, args.runs, defaults)
            load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
            print(
                f"{name:8} {label:16} median {statistics.median(times) * 1000:7.0f} ms"
                f"  max {max(times) * 1000:7.0f} ms  (runs {len(times)}, load {load})"
            )


if __name__ == "__main__":
    main()
