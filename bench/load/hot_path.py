"""The load test's requests one at a time in this process, with the statements each runs:
where a request's time goes, without the noise of a loaded machine.

    CAREHUB_DATABASE_URL=... python bench/load/hot_path.py --users bench-results/load/users.json \\
        [--requests 40] [--profile event]

Run after bench/load/prepare.py (it posts check-ins and check-outs on the prepared routes;
prepare again before the load test). Prints per kind of request the median time and the
median number of SQL statements; ``--profile KIND`` prints cProfile's top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import pstats
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event

from carehub.app import create_app
from carehub.extensions import db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--profile", default="")
    parser.add_argument("--statements", default="", help="print the SQL of one request of KIND")
    args = parser.parse_args()
    users = json.loads(args.users.read_text())
    app = create_app({"WTF_CSRF_ENABLED": False})
    statements = [0]
    shown: list[tuple[float, str]] = []
    show = [False]
    with app.app_context():

        @event.listens_for(db.engine, "before_cursor_execute")
        def _count(conn: Any, _c: Any, sql: str, *_a: Any) -> None:
            statements[0] += 1
            conn.info["started"] = time.perf_counter()

        @event.listens_for(db.engine, "after_cursor_execute")
        def _took(conn: Any, _c: Any, sql: str, *_a: Any) -> None:
            if show[0]:
                took = time.perf_counter() - conn.info["started"]
                shown.append((took, " ".join(sql.split())[:150]))

    phones = users["caregivers"][: args.requests]
    web = app.test_client()
    station = next(d for d in users["dispatchers"] if d["station_id"])
    city = next(d for d in users["dispatchers"] if not d["station_id"])
    routes: dict[str, list[int]] = {}

    def route(i: int) -> Any:
        phone = phones[i]
        answer = web.get("/api/v1/me/visits", headers=_bearer(phone))
        routes[phone["username"]] = [v["id"] for v in answer.get_json()["visits"]]
        return answer

    def post(i: int, kind: str) -> Any:
        phone = phones[i]
        body = {
            "type": kind,
            "idempotency_key": str(uuid.uuid4()),
            "recorded_at": dt.datetime.now(dt.UTC).isoformat(),
            "lat": 39.12,
            "lon": 117.2,
            "accuracy_m": 15.0,
        }
        visit = routes[phone["username"]][0]
        return web.post(f"/api/v1/visits/{visit}/events", json=body, headers=_bearer(phone))

    def board(who: dict[str, Any]) -> Callable[[int], Any]:
        client = app.test_client()
        client.post("/login", data={"username": who["username"], "password": users["password"]})
        suffix = f"?station_id={who['station_id']}" if who["station_id"] else ""
        return lambda _i: client.get("/dispatch/board.json" + suffix)

    kinds: list[tuple[str, Callable[[int], Any]]] = [
        ("route", route),
        ("check_in", lambda i: post(i, "check_in")),
        ("check_out", lambda i: post(i, "check_out")),
        ("board station", board(station)),
        ("board city", board(city)),
    ]
    for name, call in kinds:
        times, counts = [], []
        profiler = cProfile.Profile() if args.profile and args.profile in name else None
        for i in range(len(phones)):
            statements[0] = 0
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            show[0] = bool(args.statements) and args.statements in name and i == len(phones) - 1
            answer = call(i)
            show[0] = False
            if profiler:
                profiler.disable()
            times.append(time.perf_counter() - started)
            counts.append(statements[0])
            assert answer.status_code in (200, 201), (name, answer.status_code, answer.data[:300])
        print(
            f"{name:14} median {statistics.median(times) * 1000:6.1f} ms, "
            f"{statistics.median(counts):4.0f} statements ({len(times)} requests)"
        )
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        for took, sql in shown:
            print(f"  {took * 1000:6.1f} ms  {sql}")
        shown.clear()


def _bearer(phone: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {phone['token']}"}


if __name__ == "__main__":
    main()
