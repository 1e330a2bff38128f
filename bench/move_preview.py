"""Move previews on the demo district: median and p95 of checking a manual move.

    python bench/move_preview.py [--moves 100] [--seed 1]

Seeds the demo district into a fresh SQLite file, plans a weekday, then previews moves of
random planned visits to random other caregivers on offer, half at a given time and half
"where it fits best" (every position of the target route tried). The reference, timed in
the same process on the same visits, is loading the affected routes alone (the database
read and ``adapters.build_day``), so the ratios show what re-timing and validating add.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select


def _summary(name: str, seconds: list[float], reference: float) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[max(0, int(round(0.95 * len(ms))) - 1)]
    median = statistics.median(ms)
    return (
        f"{name}: {len(ms)} runs, median {median:.1f} ms, p95 {p95:.1f} ms, "
        f"max {ms[-1]:.1f} ms, {median / reference:.1f}x the reference"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from carehub.app import create_app
    from carehub.core.enums import VisitStatus
    from carehub.core.time import local_today
    from carehub.dispatch.generation import generate_requests
    from carehub.dispatch.models import Visit
    from carehub.dispatch.moves import routes as move_routes
    from carehub.dispatch.moves import services as moves
    from carehub.dispatch.planning.services import plan_day
    from carehub.extensions import db
    from carehub.geo.matrix import ModelMatrices
    from carehub.geo.travel import current_model
    from carehub.seeding import demo

    folder = Path(tempfile.mkdtemp(prefix="carehub-bench-"))
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}"})
    with app.app_context():
        upgrade()
        demo.load(db.session, args.seed, current_model())
        day = local_today() + dt.timedelta(days=1)
        while day.weekday() >= 5:  # demo caregivers work weekdays
            day += dt.timedelta(days=1)
        generate_requests(db.session, day, day)
        run = plan_day(db.session, day, time_limit_s=10)
        db.session.commit()
        print(f"{day}: {run.visits_planned} visits planned")
        ids = list(
            db.session.scalars(
                select(Visit.id).where(
                    Visit.status == VisitStatus.PLANNED, Visit.caregiver_id.is_not(None)
                )
            )
        )
        matrices = ModelMatrices(current_model())
        rng = random.Random(args.seed)
        timed: list[float] = []
        best: list[float] = []
        loads: list[float] = []
        hard = 0
        kinds: Counter[str] = Counter()
        for i in range(args.moves):
            db.session.expire_all()
            visit = db.session.get(Visit, rng.choice(ids))
            others = [c for c in moves.caregiver_choices(db.session, visit, None)]
            others = [c for c in others if c.id != visit.caregiver_id] or others
            target = rng.choice(others)
            minute = rng.randrange(9 * 60, 16 * 60, 5)
            start = dt.time(minute // 60, minute % 60) if i % 2 == 0 else None
            began = time.perf_counter()
            move_routes.load_day(db.session, day, {target.id, visit.caregiver_id}, matrices, visit)
            loads.append(time.perf_counter() - began)
            db.session.expire_all()
            visit = db.session.get(Visit, visit.id)
            began = time.perf_counter()
            try:
                preview = moves.preview_move(
                    db.session, visit.id, target.id, start, None, matrices=matrices
                )
            except moves.FieldError:
                continue  # the visit's partner already is that caregiver
            (timed if start else best).append(time.perf_counter() - began)
            hard += bool(preview.hard)
            kinds.update(f.kind for f in preview.hard)
            db.session.rollback()
    reference = statistics.median(loads) * 1000
    print(f"reference (load the affected routes): median {reference:.1f} ms")
    print(_summary("preview at a given time", timed, reference))
    print(_summary("preview where it fits best", best, reference))
    print(f"previews with hard findings: {hard} of {len(timed) + len(best)}, {dict(kinds)}")


if __name__ == "__main__":
    main()
