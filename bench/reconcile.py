"""Time a month's reconciliation on the database CAREHUB_DATABASE_URL points at.

    carehub init && carehub seed city --elders 30000 && carehub seed visits --month 2026-10
    .venv/bin/python bench/reconcile.py --month 2026-10 --runs 5

Prints each run and the median; each run starts from a fresh session, as a command would.
Before each run a fixed pure-Python workload is timed as a reference, so a run slowed by
other work on a shared machine shows up in the ratio as well as in the seconds.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

from sqlalchemy import func, select

from carehub.app import create_app
from carehub.extensions import db
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation.reconcile import reconcile


def reference() -> float:
    """Seconds for a fixed workload of the same kind: tuples built, distances, a sort."""
    started = time.perf_counter()
    rows = [(i, (i * 7919) % 100_003 / 1e5, (i * 104_729) % 99_991 / 1e5) for i in range(300_000)]
    total = 0.0
    for _i, lat, lon in rows:
        total += math.sqrt(lat * lat + lon * lon)
    rows.sort(key=lambda row: (row[1], row[0]))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--month", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    month = Month.parse(args.month)
    app = create_app()
    with app.app_context():
        from carehub.dispatch.models import Visit
        from carehub.registry.models import Elder

        elders = db.session.scalar(select(func.count(Elder.id)))
        visits = db.session.scalar(select(func.count(Visit.id)))
        print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
        print(f"elders {elders}, visits {visits}")
        times, ratios = [], []
        for run in range(1, args.runs + 1):
            base = reference()
            db.session.remove()
            started = time.perf_counter()
            result = reconcile(db.session, month)
            totals = result.totals()
            elapsed = time.perf_counter() - started
            times.append(elapsed)
            ratios.append(elapsed / base)
            print(
                f"run {run}: {elapsed:.2f} s (reference {base:.3f} s, ratio {elapsed / base:.1f}); "
                f"{len(result.visits)} visits, "
                f"{totals.elders} elder lines, payable {totals.payable_fen} fen, "
                f"visits {totals.visits}"
            )
        print(
            f"median of {len(times)} runs: {statistics.median(times):.2f} s; "
            f"median ratio to the reference {statistics.median(ratios):.1f}"
        )


if __name__ == "__main__":
    main()
