"""What an inserted meal's preview costs on the demo district, and the share of one
``routing.repair.replan.insert`` in it.

    python bench/insert_preview.py [--runs 15] [--seed 1]

Seeds the demo district into a fresh SQLite file, plans and publishes a weekday
(``demo_day.published_demo_day``), reopens one
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
import time
from typing import Any

from demo_day import published_demo_day
from sqlalchemy import select


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import carehub.dispatch.board.insert as insert_module
    from carehub.core.enums import RequestStatus, VisitStatus
    from carehub.core.time import local_to_utc
    from carehub.dispatch.models import ServiceRequest
    from carehub.extensions import db
    from carehub.geo.matrix import ModelMatrices
    from carehub.geo.travel import current_model

    with published_demo_day(args.seed) as setup:
        day = setup.day
        now = setup.clock["at"] = local_to_utc(day, dt.time(8))
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
