"""The set-up the demo-day benchmarks share: the demo district seeded into a fresh SQLite
file, a weekday's requests generated, planned and published, under a clock the benchmark
moves.

    with published_demo_day(seed=1) as setup:
        ...  # inside the app context; setup.day, setup.clock["at"], setup.app
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class DemoDay:
    app: Any
    day: dt.date
    clock: dict[str, dt.datetime]
    visits_planned: int
    plan_seconds: float


@contextmanager
def published_demo_day(
    seed: int, request_days: int = 1, config: dict[str, Any] | None = None
) -> Iterator[DemoDay]:
    """Yield, inside the app context, the next weekday (demo caregivers work weekdays) from
    today planned from its start and published; requests are generated for ``request_days``
    days from it. ``config`` adds to the application's settings."""
    from flask_migrate import upgrade

    from carehub.app import create_app
    from carehub.core.time import local_to_utc, local_today
    from carehub.dispatch.generation import generate_requests
    from carehub.dispatch.planning.services import plan_day
    from carehub.extensions import db
    from carehub.geo.travel import current_model
    from carehub.seeding import demo

    folder = Path(tempfile.mkdtemp(prefix="carehub-bench-"))
    clock = {"at": dt.datetime.now(dt.UTC)}
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "CLOCK": lambda: clock["at"],
            **(config or {}),
        }
    )
    with app.app_context():
        upgrade()
        demo.load(db.session, seed, current_model())
        day = local_today()
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        generate_requests(db.session, day, day + dt.timedelta(days=request_days - 1))
        started = time.perf_counter()
        # The whole day, as the night before plans it: planning today from now would plan
        # nothing once the day's windows are past.
        as_of = local_to_utc(day, dt.time(0))
        run = plan_day(db.session, day, time_limit_s=10, publish=True, as_of=as_of)
        db.session.commit()
        yield DemoDay(app, day, clock, run.visits_planned, time.perf_counter() - started)
