"""What an inserted meal's preview costs on the demo district, and the share of one
``routing.replan.insert`` in it.

    python bench/insert_preview.py [--runs 15] [--seed 1]

Seeds the demo district into a fresh SQLite file, plans and publishes a weekday, reopens one
planned meal (its visit cancelled), then previews inserting it ``--runs`` times at 08:00,
timing the whole preview and each ``replan.insert`` call inside it (in the same process).
A request that fits nowhere makes a second call (the hot-food limit lifted, to tell a meal
that would go cold from a day with no room), so such a preview costs one more of them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from flask_migrate import upgrade

    import carehub.dispatch.board.insert as insert_module
    from carehub.app import create_app
    from carehub.core.enums import RequestStatus, VisitStatus
    from carehub.core.time import local_to_utc, local_today
    from carehub.dispatch.generation import generate_requests
    from carehub.dispatch.models import ServiceRequest, Visit
    from carehub.dispatch.planning.services import plan_day
    from carehub.extensions import db
    from carehub.geo.matrix import ModelMatrices
    from carehub.geo.travel import current_model
    from carehub.seeding import demo

    folder = Path(tempfile.mkdtemp(prefix="carehub-bench-"))
    day = local_today() + dt.timedelta(days=1)
    while day.weekday() >= 5:  # demo caregivers work weekdays
        day += dt.timedelta(days=1)
    now = local_to_utc(day, dt.time(8))
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}", "CLOCK": lambda: now}
    )
    with app.app_context():
        upgrade()
        demo.load(db.session, args.seed, current_model())
        generate_requests(db.session, day, day)
        plan_day(db.session, day, time_limit_s=10)
        for v in db.session.scalars(select(Visit).where(Visit.status == VisitStatus.PLANNED)):
            v.status = VisitStatus.PUBLISHED
        meal = next(
            r
            for r in db.session.scalars(
                select(ServiceRequest).where(ServiceRequest.service_date == day)
            )
            if r.service_type.code == "meal_delivery" and r.visits
        )
        for v in meal.visits:
            v.status = VisitStatus.CANCELLED
        meal.status = RequestStatus.OPEN
        db.session.commit()

        spent: list[float] = []
        real = insert_module.insert

        def timed(*a: Any, **k: Any) -> Any:
            began = time.perf_counter()
            try:
                return real(*a, **k)
            finally:
                spent.append(time.perf_counter() - began)

        insert_module.insert = timed  # type: ignore[assignment]
        matrices = ModelMatrices(current_model())
        whole: list[float] = []
        calls: list[float] = []
        for _ in range(args.runs):
            spent.clear()
            began = time.perf_counter()
            plan = insert_module.preview(db.session, meal, now, matrices)
            whole.append(time.perf_counter() - began)
            calls += spent
            db.session.rollback()
    print(f"{day}: the meal placed {bool(plan.placed)}, joins a round {plan.joins is not None}")
    print(f"{args.runs} runs; load average {os.getloadavg()}")
    print(f"preview: median {statistics.median(whole) * 1000:.1f} ms")
    print(f"one replan.insert: median {statistics.median(calls) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
