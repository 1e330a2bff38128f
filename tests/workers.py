"""A real Redis server and real ``carehub worker`` processes for the tests that must see a
task cross a process boundary (tests/integration/test_worker_*.py).

Redis comes from the Debian package ``redis-server``: CI installs and starts it and sets
``CAREHUB_TEST_REDIS_URL``; elsewhere a private server is started on a free port. Without it
the tests skip, saying why, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

START_S = 60.0


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


@contextmanager
def redis_server(tmp: Path) -> Iterator[str]:
    """A Redis URL: CI's server, or one started here for the duration."""
    given = os.environ.get("CAREHUB_TEST_REDIS_URL")
    if given:
        yield given
        return
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI must run the worker tests")
        pytest.skip(reason)
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not _ping(port):
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


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
