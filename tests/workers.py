"""A real Redis server and real ``carehub worker`` processes for the tests that must see a
task cross a process boundary (tests/integration/test_worker_*.py, test_redis_outage.py):
the fixtures that start them (tests/integration/conftest.py makes them available), the day
they plan and the waits for what a worker does.

Redis comes from the Debian package ``redis-server``: CI installs and starts it and sets
``CAREHUB_TEST_REDIS_URL``; elsewhere a private server is started on a free port. Without it
the tests skip, saying why, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from carehub.core.enums import RunOutcome
from carehub.dispatch.planning.models import PlanningRun
from carehub.jobs.models import JobRun
from carehub.registry.models import Station
from tests.builders import CENTRE

START_S = 60.0
RUN_S = 120.0
# One Redis database a test, counted across modules (see broker_url).
_databases = itertools.count()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """A ``redis-server`` of the tests' own on a free port, which can be stopped and started
    again on the same port (as the broker outage test does)."""

    def __init__(self, tmp: Path, needed_by: str = "the worker tests") -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            reason = "redis-server is not installed (apt-get install redis-server)"
            if os.environ.get("CI"):
                pytest.fail(f"{reason}: CI must run {needed_by}")
            pytest.skip(reason)
        self.binary, self.tmp, self.port = binary, tmp, _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            cwd=self.tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not _ping(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.process.kill()
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        assert not _ping(self.port), "redis-server still answers"


@contextmanager
def redis_server(tmp: Path) -> Iterator[str]:
    """A Redis URL: CI's server, or one started here for the duration."""
    given = os.environ.get("CAREHUB_TEST_REDIS_URL")
    if given:
        yield given
        return
    server = RedisServer(tmp)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


class Worker:
    """A ``carehub worker`` process; its output goes to a log file the test can read."""

    def __init__(
        self, env: dict[str, str], log: Path, queues: str, concurrency: int, own_group: bool = False
    ) -> None:
        self.log = log
        self._out = log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from carehub.cli import main; main()",
                "worker",
                "--queues",
                queues,
                "--concurrency",
                str(concurrency),
                "--hostname",
                f"{queues.replace(',', '-')}-{os.getpid()}@%h",
                "--loglevel",
                "info",
            ],
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            # A process group of its own can be killed whole, as a machine is lost.
            start_new_session=own_group,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_S
        while b" ready." not in self.log.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("worker did not start:\n" + self.log.read_text()[-3000:])
            time.sleep(0.2)

    def children(self) -> list[int]:
        """The pool processes that run the tasks."""
        pid = self.process.pid
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(p) for p in text.split()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._out.close()


StartWorker = Callable[..., Worker]


def worker_env(database_url: str, broker_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "CAREHUB_DATABASE_URL": database_url,
            "CAREHUB_BROKER_URL": broker_url,
            "CAREHUB_SECRET_KEY": "test-secret",
            "CAREHUB_GEOCODER": "fake",
            "CAREHUB_CLI_LOCALE": "en",
        }
    )
    env.update(extra)
    return env


def worker_config(broker_url: str) -> dict[str, object]:
    """The app settings of a test whose tasks go to real workers (its ``app_config``)."""
    return {"TASKS_EAGER": False, "BROKER_URL": broker_url, "PLANNING_WORKERS": 1}


@pytest.fixture(scope="module")
def redis_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url.rsplit("/", 1)[0]


@pytest.fixture
def broker_url(redis_base: str) -> str:
    """A Redis database of the test's own, emptied first: a message an earlier test (or an
    earlier run against the same server, as CI's two databases are) left cannot reach this
    test's worker. Override it to use a server of the test's own."""
    import redis

    url = f"{redis_base}/{next(_databases) % 16}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


@pytest.fixture
def start_worker(database_url: str, broker_url: str, tmp_path: Path) -> Iterator[StartWorker]:
    """Starts ``carehub worker`` processes on ``broker_url``, each waited for until it is
    ready, and stops them all after the test."""
    started: list[Worker] = []

    def start(queues: str, concurrency: int = 1, own_group: bool = False, **env: str) -> Worker:
        log = tmp_path / f"worker-{len(started)}.log"
        environment = worker_env(database_url, broker_url, **env)
        worker = Worker(environment, log, queues, concurrency, own_group)
        started.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()


def plan_day(  # type: ignore[no-untyped-def]
    make,
    db,
    codes: tuple[str, ...],
    days: tuple[dt.date, ...],
    per_station: int,
    spacing: float = 0.03,
) -> list[Station]:
    """Stations ``spacing`` degrees apart, two caregivers each and ``per_station`` elders
    each with a request on every one of ``days``: a day for a planning run to solve."""
    stations = []
    for n, code in enumerate(codes):
        lat = CENTRE[0] + spacing * n
        station = make.station(code=code, lat=lat, lon=CENTRE[1])
        for c in range(2):
            make.caregiver(station=station, code=f"{code}{c}")
        for i in range(per_station):
            elder = make.elder(station=station, lat=lat + 0.002 * i, lon=CENTRE[1] - 0.001 * i)
            for day in days:
                make.request(
                    elder=elder,
                    service_date=day,
                    window_start=dt.time(9, 0),
                    window_end=dt.time(16, 0),
                )
        stations.append(station)
    db.session.commit()
    return stations


def wait_for_run(  # type: ignore[no-untyped-def]
    db, run_id: int, statuses: tuple[str, ...], seconds: float = RUN_S
) -> PlanningRun:
    """The planning run once a worker has brought it to one of ``statuses``."""
    deadline = time.monotonic() + seconds
    while True:
        db.session.expire_all()
        run = db.session.get(PlanningRun, run_id)
        db.session.rollback()
        if run.status in statuses:
            return run
        assert time.monotonic() < deadline, f"run {run_id} still {run.status}: {run.error}"
        time.sleep(0.2)


def wait_for_job_run(db, seconds: float = RUN_S) -> JobRun:  # type: ignore[no-untyped-def]
    """The one scheduled job's run once a worker has ended it; a second message for the
    same run, claimed elsewhere, is given a second to be skipped."""
    deadline = time.monotonic() + seconds
    while True:
        db.session.expire_all()
        runs = db.session.scalars(select(JobRun)).all()
        db.session.rollback()
        if runs and runs[0].outcome != RunOutcome.RUNNING:
            break
        assert time.monotonic() < deadline, "the job was not run"
        time.sleep(0.2)
    time.sleep(1)
    [run] = db.session.scalars(select(JobRun)).all()
    return run
