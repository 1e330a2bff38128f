"""What the open-emergencies queue costs the live board.

    CAREHUB_DATABASE_URL=sqlite:///demo.sqlite3 .venv/bin/python bench/board_queue.py --open 20 --runs 30

On the database CAREHUB_DATABASE_URL points at (the demo district or a city set), raises
``--open`` emergencies for elders of the busiest station (deleted again at the end with
the benchmark's login; the audit log keeps their entries), then times the board's JSON refresh, all
stations and that station, with the queue and with it replaced by an empty list, in
alternation in one process, through Flask's test client (server time, no network). Prints
medians and p95 in ms and the ratio of each with the queue to without.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from sqlalchemy import delete, func, select

from carehub.app import create_app
from carehub.auth.models import LoginSession, User
from carehub.core import audit
from carehub.core.enums import Role
from carehub.core.time import local_zone, now
from carehub.emergency import queue, services
from carehub.extensions import db
from carehub.registry.models import Elder

PASSWORD = "bench-password-1"


def _time(client: Any, url: str) -> float:
    start = time.perf_counter()
    answer = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    assert answer.status_code == 200, answer.status_code
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", type=int, default=20)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    app = create_app({"WTF_CSRF_ENABLED": False})
    with app.app_context():
        station_id, _n = db.session.execute(
            select(Elder.station_id, func.count())
            .where(Elder.station_id.is_not(None))
            .group_by(Elder.station_id)
            .order_by(func.count().desc())
        ).first()  # type: ignore[misc]
        elders = db.session.scalars(
            select(Elder).where(Elder.station_id == station_id).limit(args.open)
        ).all()
        at = now()
        raised = [
            services.raise_emergency(db.session, elder, "bench", at)
            for elder in elders
            if elder.is_active_on(at.astimezone(local_zone()).date())
        ]
        user = User(username="bench-board-queue", role=Role.ADMIN, active=True)
        user.set_password(PASSWORD)
        db.session.add(user)
        # Logging in commits: the rows are removed again below.
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"username": user.username, "password": PASSWORD})
        shown = len(queue.open_emergencies(db.session, now(), station_id))
        cases = {
            "board JSON refresh, all stations": "/dispatch/board.json",
            "board JSON refresh, one station": f"/dispatch/board.json?station_id={station_id}",
        }
        real = queue.open_emergencies
        print(f"open emergencies shown for the station: {shown}")
        for name, url in cases.items():
            timings: dict[str, list[float]] = {"with": [], "without": []}
            _time(client, url)
            for _ in range(args.runs):
                queue.open_emergencies = real  # type: ignore[assignment]
                timings["with"].append(_time(client, url))
                queue.open_emergencies = lambda *a, **k: []  # type: ignore[assignment]
                timings["without"].append(_time(client, url))
            queue.open_emergencies = real  # type: ignore[assignment]
            med = {k: statistics.median(v) for k, v in timings.items()}
            p95 = {k: sorted(v)[int(0.95 * (len(v) - 1))] for k, v in timings.items()}
            print(
                f"{name}: with {med['with']:.1f} ms (p95 {p95['with']:.1f}), "
                f"without {med['without']:.1f} ms (p95 {p95['without']:.1f}), "
                f"ratio {med['with'] / med['without']:.2f}"
            )
        for request in raised:
            db.session.delete(request)
        db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
        db.session.delete(user)
        with audit.suppressed():
            db.session.commit()


if __name__ == "__main__":
    main()
