"""Run the Solomon benchmark with CareHub's solver and, for reference, PyVRP.

    python bench/solomon.py ../shared/benchmarks/solomon/*.txt --time-limit 10 --out bench/out.json

Both solvers get the same instances, integer scaling (x1000, durations rounded up) and time
limit, one after the other in this process. Each solution is checked in full precision.
PyVRP is a development dependency only.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from carehub_bench import solomon


def pyvrp_solve(inst: solomon.Instance, time_limit_s: float, seed: int = 1) -> solomon.Result:
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    scale = solomon.SCALE
    m = Model()
    locs = [m.add_location(x, y) for x, y in zip(inst.x, inst.y, strict=True)]
    depot = m.add_depot(locs[0], tw_early=inst.ready[0] * scale, tw_late=inst.due[0] * scale)
    m.add_vehicle_type(
        num_available=inst.vehicles,
        capacity=inst.capacity,
        start_depot=depot,
        end_depot=depot,
        fixed_cost=solomon.VEHICLE_COST,
        tw_early=inst.ready[0] * scale,
        tw_late=inst.due[0] * scale,
    )
    for i in range(1, len(locs)):
        m.add_client(
            locs[i],
            delivery=inst.demand[i],
            service_duration=inst.service[i] * scale,
            tw_early=inst.ready[i] * scale,
            tw_late=inst.due[i] * scale,
        )
    for i, a in enumerate(locs):
        for j, b in enumerate(locs):
            d = inst.dist(i, j) * scale
            m.add_edge(a, b, distance=round(d), duration=math.ceil(d - solomon.EPS))
    started = time.monotonic()
    res = m.solve(stop=MaxRuntime(time_limit_s), seed=seed, display=False)
    # Activities number clients from 0; Solomon numbers customers from 1.
    routes = tuple(tuple(a.idx + 1 for a in r if a.is_client()) for r in res.best.routes())
    return solomon.Result(
        inst.name,
        routes,
        solomon.distance(inst, routes),
        time.monotonic() - started,
        not res.is_feasible(),
    )


def row(inst: solomon.Instance, result: solomon.Result, bks: dict) -> dict:
    known = bks.get(inst.name)
    gap = None
    if known is not None and known[0] == result.vehicles:
        gap = round(100 * (result.distance - known[1]) / known[1], 2)
    return {
        "name": inst.name,
        "vehicles": result.vehicles,
        "distance": round(result.distance, 2),
        "bks_vehicles": known[0] if known else None,
        "bks_distance": known[1] if known else None,
        "gap_pct": gap,
        "seconds": round(result.seconds, 2),
        "valid": not solomon.check(inst, result.routes),
        "routes": [list(r) for r in result.routes],
    }


def summary(rows: list[dict]) -> dict:
    gaps = [r["gap_pct"] for r in rows if r["gap_pct"] is not None]
    return {
        "instances": len(rows),
        "valid": sum(r["valid"] for r in rows),
        "vehicles": sum(r["vehicles"] for r in rows),
        "bks_vehicles": sum(r["bks_vehicles"] or 0 for r in rows),
        "at_bks_vehicles": len(gaps),
        "mean_gap_pct": round(sum(gaps) / len(gaps), 2) if gaps else None,
    }


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--bks", type=Path, default=None)
    ap.add_argument("--no-pyvrp", action="store_true")
    ap.add_argument("--no-carehub", action="store_true", help="PyVRP alone")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    bks_path = args.bks or args.files[0].parent.parent / "solomon_bks.csv"
    bks = solomon.best_known(bks_path) if bks_path.exists() else {}
    ours, ref = [], []
    for f in args.files:
        inst = solomon.read(f)
        line = f"{inst.name:6}"
        if not args.no_carehub:
            a = row(inst, solomon.solve_portfolio(inst, args.time_limit), bks)
            ours.append(a)
            line += f" ortools {a['vehicles']:>3} {a['distance']:>9.2f} gap {a['gap_pct']} valid {a['valid']}"
        if not args.no_pyvrp:
            b = row(inst, pyvrp_solve(inst, args.time_limit), bks)
            ref.append(b)
            line += f" | pyvrp {b['vehicles']:>3} {b['distance']:>9.2f} gap {b['gap_pct']} valid {b['valid']}"
        print(line, flush=True)
    result: dict = {"time_limit_s": args.time_limit}
    if ours:
        result["carehub"] = {"summary": summary(ours), "instances": ours}
    if ref:
        result["pyvrp"] = {"summary": summary(ref), "instances": ref}
    print(json.dumps({k: v["summary"] for k, v in result.items() if isinstance(v, dict)}))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
