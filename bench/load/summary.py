"""Medians over runs of the Locust CSVs: requests, failures, median, p95 and p99 per request
name. ``python bench/load/summary.py bench-results/load/run-*_stats.csv``"""

from __future__ import annotations

import csv
import statistics
import sys
from collections import defaultdict


def main() -> None:
    found: dict[str, list[dict[str, str]]] = defaultdict(list)
    for path in sys.argv[1:]:
        with open(path, newline="") as fh:
            for row in csv.DictReader(fh):
                found[f"{row['Type']} {row['Name']}".strip()].append(row)
    runs = len(sys.argv) - 1
    print(f"medians of {runs} runs (times in ms)")
    print(
        f"{'request':28} {'count':>7} {'fails':>6} {'median':>7} {'p95':>6} {'p99':>6} {'max':>7}"
    )
    for name, rows in found.items():

        def med(col: str, rows: list[dict[str, str]] = rows) -> float:
            return statistics.median(float(r[col] or 0) for r in rows)

        print(
            f"{name:28} {med('Request Count'):7.0f} {med('Failure Count'):6.0f} "
            f"{med('50%'):7.0f} {med('95%'):6.0f} {med('99%'):6.0f} {med('Max Response Time'):7.0f}"
        )


if __name__ == "__main__":
    main()
