"""What redrawing a station's day timeline adds to each refresh of the live board.

    python bench/board_timeline.py [--runs 30] [--seed 1]

Seeds the demo district into a fresh SQLite file, plans and publishes a weekday (its meal
rounds included; ``demo_day.published_demo_day``), then times, through Flask's test client
and alternating in the same process: the health check (reference), ``/dispatch/board.json`` for the all-stations board (no
timeline) and for the busiest station (rows and timeline), and the timeline alone
(``board.views._timeline``: the builder's query and the template part).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time

from demo_day import published_demo_day
from flask import g
from sqlalchemy import func, select

PASSWORD = "bench-password-1"


def _summary(name: str, ms: list[float], reference: float) -> str:
    ms = sorted(ms)
    p95 = ms[max(0, int(round(0.95 * len(ms))) - 1)]
    median = statistics.median(ms)
    return f"| {name} | {median:.1f} | {p95:.1f} | {median / reference:.0f} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from carehub.auth.models import User
    from carehub.core.enums import Role
    from carehub.core.time import local_to_utc
    from carehub.dispatch.board import services as board
    from carehub.dispatch.board import views
    from carehub.dispatch.models import ServiceRequest, Visit
    from carehub.extensions import db
    from carehub.registry.models import Elder

    with published_demo_day(args.seed, config={"WTF_CSRF_ENABLED": False}) as setup:
        app, day = setup.app, setup.day
        instant = setup.clock["at"] = local_to_utc(day, dt.time(10, 30))
        user = User(username="bench-admin", role=Role.ADMIN, active=True)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        station_id = int(
            db.session.execute(
                select(Elder.station_id, func.count())
                .join(ServiceRequest, ServiceRequest.elder_id == Elder.id)
                .join(Visit, Visit.request_id == ServiceRequest.id)
                .where(ServiceRequest.service_date == day)
                .group_by(Elder.station_id)
                .order_by(func.count().desc())
            ).first()[0]
        )
        visits = db.session.scalar(
            select(func.count())
            .select_from(Visit)
            .join(ServiceRequest, Visit.request_id == ServiceRequest.id)
            .join(Elder, ServiceRequest.elder_id == Elder.id)
            .where(ServiceRequest.service_date == day, Elder.station_id == station_id)
        )
        print(f"{day}: {setup.visits_planned} visits planned, busiest station {visits} visits")

    client = app.test_client()
    assert (
        client.post("/login", data={"username": "bench-admin", "password": PASSWORD}).status_code
        == 302
    )
    cases = {
        "health check (reference)": lambda: client.get("/healthz"),
        "board JSON, all stations (no timeline)": lambda: client.get(
            f"/dispatch/board.json?day={day}"
        ),
        "board JSON, busiest station (rows and timeline)": lambda: client.get(
            f"/dispatch/board.json?day={day}&station_id={station_id}&timeline=1"
        ),
        "board JSON, busiest station (rows, timeline folded)": lambda: client.get(
            f"/dispatch/board.json?day={day}&station_id={station_id}"
        ),
    }

    def timeline_alone() -> None:
        with app.test_request_context(f"/dispatch/board?day={day}&station_id={station_id}"):
            # The administrator, as the request's user (every station in scope).
            g._login_user = db.session.scalar(select(User).where(User.username == "bench-admin"))
            data = board.build(
                db.session, day, instant, board.Graces.from_config(), station_id=station_id
            )
            began = time.perf_counter()
            assert views._timeline(data)
            times["timeline alone (builder query and template part)"].append(
                (time.perf_counter() - began) * 1000
            )
            db.session.remove()

    times: dict[str, list[float]] = {name: [] for name in cases}
    times["timeline alone (builder query and template part)"] = []
    for call in cases.values():
        assert call().status_code == 200  # warm-up, and a check that it works
    for _ in range(args.runs):
        for name, call in cases.items():
            began = time.perf_counter()
            call()
            times[name].append((time.perf_counter() - began) * 1000)
        timeline_alone()
    reference = statistics.median(times["health check (reference)"])
    print(f"{args.runs} runs each, alternating; load average {os.getloadavg()}")
    print("| case | median ms | p95 ms | median / health check |")
    print("| --- | --- | --- | --- |")
    for name, ms in times.items():
        print(_summary(name, ms, reference))


if __name__ == "__main__":
    main()
