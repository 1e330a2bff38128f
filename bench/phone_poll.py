"""What the open phone page costs the server: GET /api/v1/me/changes (asked every
MOBILE_POLL_S seconds by every open page) against GET /api/v1/me/visits, the route the page
reloads when something changed (the reference, timed in the same process), and
GET /api/v1/me/upcoming.

    python bench/phone_poll.py [--requests 500] [--seed 1]

Seeds the demo district into a fresh SQLite file, plans and publishes a weekday, and asks
as the caregiver with the most visits that day, in-process through Flask's test client (no
HTTP server or network). Medians and p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from demo_day import published_demo_day
from sqlalchemy import func, select


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from carehub.auth import tokens
    from carehub.auth.models import User
    from carehub.core.enums import Role, VisitStatus
    from carehub.core.time import local_to_utc
    from carehub.dispatch.models import Visit
    from carehub.extensions import db

    with published_demo_day(args.seed, request_days=8) as setup:
        app, day, clock = setup.app, setup.day, setup.clock
        print(f"{day}: {setup.visits_planned} visits planned and published")
        print(f"plan_day with publish: {setup.plan_seconds:.1f} s")
        clock["at"] = local_to_utc(day, dt.time(10, 0))
        busiest, count = db.session.execute(
            select(Visit.caregiver_id, func.count())
            .where(Visit.status == VisitStatus.PUBLISHED, Visit.caregiver_id.is_not(None))
            .group_by(Visit.caregiver_id)
            .order_by(func.count().desc())
        ).first()
        user = db.session.scalar(select(User).where(User.caregiver_id == busiest))
        if user is None:
            user = User(username="bench-phone", role=Role.CAREGIVER, caregiver_id=busiest)
            user.set_password("bench-password-1")
            db.session.add(user)
            db.session.flush()
        token, _row = tokens.issue(db.session, user)
        db.session.commit()
        print(f"caregiver {busiest}: {count} visits that day")
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        paths = {
            "changes": "/api/v1/me/changes?since=0",
            "visits (reference)": f"/api/v1/me/visits?date={day.isoformat()}",
            "upcoming": "/api/v1/me/upcoming",
        }
        for name, path in paths.items():
            for _ in range(20):  # warm up
                assert client.get(path, headers=headers).status_code == 200
            times = []
            for _ in range(args.requests):
                t0 = time.perf_counter()
                response = client.get(path, headers=headers)
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200
            p95 = statistics.quantiles(times, n=20)[-1]
            print(f"{name:20s} median {statistics.median(times):7.2f} ms  p95 {p95:7.2f} ms")


if __name__ == "__main__":
    main()
