"""A city morning against a running CareHub (gunicorn + PostgreSQL): caregivers fetch
their routes and check in and out at every visit, some posts sent twice with the same
idempotency key (a phone that lost the answer, and now and then both copies at once),
while dispatchers poll the live board as the page does.

Run by bench/load/run.sh, which prepares the logins (bench/load/prepare.py) and checks the
database afterwards (bench/load/check.py):

    locust -f bench/load/locustfile.py --headless --host http://127.0.0.1:8000 \\
        --users 1050 --spawn-rate 50 --run-time 4m

Environment: LOAD_USERS (the prepare step's JSON), LOAD_SENT (where each acknowledged
event is written for the check), LOAD_CAREGIVER_WAIT / LOAD_BOARD_WAIT (seconds between a
user's actions, "min,max"), LOAD_RETRY_SHARE (share of posts sent twice).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import threading
import uuid
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, events, task
from locust.exception import StopUser

USERS = json.loads(Path(os.environ.get("LOAD_USERS", "bench-results/load/users.json")).read_text())
SENT_PATH = os.environ.get("LOAD_SENT", "bench-results/load/sent.jsonl")
RETRY_SHARE = float(os.environ.get("LOAD_RETRY_SHARE", "0.1"))


def _wait(name: str, default: str) -> Any:
    low, high = (float(x) for x in os.environ.get(name, default).split(","))
    return between(low, high)


_caregivers = itertools.cycle(USERS["caregivers"])
_dispatchers = itertools.cycle(USERS["dispatchers"])
_lock = threading.Lock()
# Every event a phone sent, acknowledged or not: a post still in flight when the run
# stops may be stored without the phone hearing so, which is a stored event, not a double.
_attempted: list[dict[str, Any]] = []
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CENTRE_JITTER = 0.0003


@events.test_stop.add_listener
def _write_sent(**_kw: Any) -> None:
    with open(SENT_PATH, "w") as fh:
        for row in _attempted:
            fh.write(json.dumps(row) + "\n")


class Caregiver(HttpUser):
    """One phone: the route once, then check-in and check-out at each visit in turn."""

    fixed_count = len(USERS["caregivers"])
    wait_time = _wait("LOAD_CAREGIVER_WAIT", "10,30")

    def on_start(self) -> None:
        with _lock:
            me = next(_caregivers)
        self.username = me["username"]
        self.client.headers["Authorization"] = f"Bearer {me['token']}"
        self.steps: list[tuple[int, str, float | None, float | None]] = []

    def _fetch_route(self) -> None:
        with self.client.get("/api/v1/me/visits", name="route", catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}")
                return
            visits = answer.json()["visits"]
        for visit in visits:
            home = visit.get("elder", {}) or {}
            lat, lon = home.get("lat"), home.get("lon")
            self.steps.append((visit["id"], "check_in", lat, lon))
            self.steps.append((visit["id"], "check_out", lat, lon))
        if not visits:
            raise StopUser()

    def _post(self, visit_id: int, body: dict[str, Any], name: str) -> int:
        with self.client.post(
            f"/api/v1/visits/{visit_id}/events", json=body, name=name, catch_response=True
        ) as answer:
            if answer.status_code not in (200, 201):
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")
            return answer.status_code

    @task
    def next_step(self) -> None:
        if not self.steps:
            if getattr(self, "fetched", False):
                raise StopUser()  # the route is done
            self.fetched = True
            self._fetch_route()
            return
        visit_id, kind, lat, lon = self.steps.pop(0)
        body: dict[str, Any] = {
            "type": kind,
            "idempotency_key": str(uuid.uuid4()),
            "recorded_at": dt.datetime.now(dt.UTC).isoformat(),
        }
        if lat is not None and lon is not None:
            body.update(
                lat=lat + random.uniform(-CENTRE_JITTER, CENTRE_JITTER),
                lon=lon + random.uniform(-CENTRE_JITTER, CENTRE_JITTER),
                accuracy_m=15.0,
            )
        else:
            body.update(lat=39.12, lon=117.2, accuracy_m=15.0)
        attempt = {
            "user": self.username,
            "visit_id": visit_id,
            "type": kind,
            "key": body["idempotency_key"],
        }
        with _lock:
            _attempted.append(attempt)
        roll = random.random()
        if roll < RETRY_SHARE * 0.2:
            # Both copies at once: a phone resending before the first answer came back.
            twins = [gevent.spawn(self._post, visit_id, body, "event") for _ in range(2)]
            gevent.joinall(twins)
            codes = [t.value for t in twins]
        else:
            codes = [self._post(visit_id, body, "event")]
            if roll < RETRY_SHARE:
                codes.append(self._post(visit_id, body, "event retry"))
        attempt["posts"] = len(codes)
        attempt["acknowledged"] = any(c in (200, 201) for c in codes)


class Dispatcher(HttpUser):
    """A dispatcher's live board, refreshing itself as the page does."""

    fixed_count = len(USERS["dispatchers"])
    wait_time = _wait("LOAD_BOARD_WAIT", "25,35")

    def on_start(self) -> None:
        with _lock:
            me = next(_dispatchers)
        page = self.client.get("/login", name="login form")
        found = CSRF.search(page.text)
        data = {"username": me["username"], "password": USERS["password"]}
        if found:
            data["csrf_token"] = found.group(1)
        with self.client.post(
            "/login", data=data, name="login", allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"login {answer.status_code}")
        station = me["station_id"]
        self.board = "/dispatch/board.json" + (f"?station_id={station}" if station else "")
        self.client.get(self.board.replace("board.json", "board"), name="board page")

    @task
    def poll(self) -> None:
        with self.client.get(self.board, name="board poll", catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}")
