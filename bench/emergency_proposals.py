"""Emergency proposals on the demo district: p50/p95 of raising an emergency and proposing.

    python bench/emergency_proposals.py [--emergencies 100] [--seed 1]

Seeds the demo district (``carehub seed demo`` shape) into a fresh SQLite file, generates
and plans a weekday with its routes published, then raises emergencies for random elders at
random times between 09:00 and 15:00, each timed from the call to its three proposals.
Each emergency is rolled back, so every one sees the same published day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

from demo_day import published_demo_day
from sqlalchemy import select


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--emergencies", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from carehub.core.time import local_to_utc
    from carehub.emergency import services
    from carehub.extensions import db
    from carehub.registry.models import Elder

    with published_demo_day(args.seed) as setup:
        day, clock = setup.day, setup.clock
        print(f"{day}: {setup.visits_planned} visits published")
        elders = list(db.session.scalars(select(Elder.id).where(Elder.lat.is_not(None))))
        rng = random.Random(args.seed)
        seconds: list[float] = []
        empty = 0
        for _ in range(args.emergencies):
            minute = rng.randrange(9 * 60, 15 * 60)
            clock["at"] = local_to_utc(day, dt.time(minute // 60, minute % 60))
            elder = db.session.get(Elder, rng.choice(elders))
            db.session.expire_all()
            started = time.perf_counter()
            request = services.raise_emergency(db.session, elder, "bench", clock["at"])
            found = services.propose(db.session, request, clock["at"])
            seconds.append(time.perf_counter() - started)
            empty += not found
            db.session.rollback()
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[max(0, int(round(0.95 * len(ms))) - 1)]
    print(
        f"{len(ms)} emergencies: median {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, "
        f"max {ms[-1]:.0f} ms, without proposals {empty}"
    )


if __name__ == "__main__":
    main()
