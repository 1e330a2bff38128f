"""Compare solve_instance strategies on a subset of Solomon instances, interleaved.

    python bench/compare.py --time-limit 10 --variants baseline,ils R101 RC208 ...

Each instance is solved by every variant in turn in this process, so machine load drifts
over all variants alike. Prints one line per run and, at the end, per variant: vehicles,
mean gap over the instances where it matches the best-known fleet, and mean distance ratio
to the best-known distance over all instances.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from carehub_bench import solomon

ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"

_ILS = dataclasses.replace(solomon.BASELINE, ils=True, reduce=False)
# What was measured (docs/routing.md); "portfolio" is solve_portfolio(DISTANCE, FLEET) and
# "portfolio-tries" the same with TRIES, the fleet process before route elimination.
VARIANTS: dict[str, solomon.Strategy] = {
    "baseline": solomon.BASELINE,
    "ils": _ILS,  # automatic temperatures, local search after each recreate
    "ils-reduce": dataclasses.replace(_ILS, reduce=True),  # then GLS tries and polish
    "ils-tries": dataclasses.replace(
        _ILS, reduce=True, warm_ils=True, full_share=0.3, try_share=0.25
    ),
    "t5-3": dataclasses.replace(_ILS, ils_temps=(1e5, 1e3)),
    "t4-2": dataclasses.replace(_ILS, ils_temps=(1e4, 1e2)),
    "t3-1": dataclasses.replace(_ILS, ils_temps=(1e3, 10)),
    "noimp-t5-3": solomon.DISTANCE,
    "noimp-t4-2": dataclasses.replace(solomon.DISTANCE, ils_temps=(1e4, 1e2)),
    "noimp-tries": solomon.TRIES,
    "noimp-tries-4": dataclasses.replace(solomon.TRIES, ils_temps=(1e4, 1e2)),
    "noimp-tries-long": dataclasses.replace(solomon.TRIES, full_share=0.2, try_share=0.4),
    "imp-tries-long": dataclasses.replace(
        solomon.TRIES, improve=True, full_share=0.2, try_share=0.4
    ),
    "eject": solomon.FLEET,  # route elimination (eject.py) in place of the tries
}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="+")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--variants", default="baseline")
    args = ap.parse_args(argv)
    bks = solomon.best_known(ROOT / "solomon_bks.csv")
    names = args.variants.split(",")
    stats: dict[str, list[tuple[int, int, float]]] = {n: [] for n in names}
    for name in args.names:
        inst = solomon.read(ROOT / "solomon" / f"{name}.txt")
        bv, bd = bks[name]
        for v in names:
            if v == "portfolio":
                r = solomon.solve_portfolio(inst, args.time_limit)
            elif v == "portfolio-tries":
                r = solomon.solve_portfolio(
                    inst, args.time_limit, (solomon.DISTANCE, solomon.TRIES)
                )
            else:
                r = solomon.solve_instance(inst, args.time_limit, strategy=VARIANTS[v])
            ok = not solomon.check(inst, r.routes)
            gap = 100 * (r.distance - bd) / bd
            stats[v].append((r.vehicles, bv, gap))
            print(
                f"{name:6} {v:14} {r.vehicles:3}/{bv:<3} {r.distance:9.2f} {gap:+6.2f}% "
                f"{'ok' if ok else 'INVALID'} {r.seconds:.1f}s",
                flush=True,
            )
    print()
    for v in names:
        rows = stats[v]
        at = [g for veh, bv, g in rows if veh == bv]
        mean_at = sum(at) / len(at) if at else float("nan")
        print(
            f"{v:14} vehicles {sum(r[0] for r in rows)}/{sum(r[1] for r in rows)} "
            f"at-bks {len(at)}/{len(rows)} mean gap there {mean_at:.2f}% "
            f"mean dist gap all {sum(r[2] for r in rows) / len(rows):.2f}%"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
