"""Pass 1 of the district day alone: every circle of `carehub bench day`'s days solved on
its own at one circle's share of the limit, the way `circles.solve_circles` starts, in a
pool of two processes. Summed travel over all circles says whether a solver setting helps
in the seconds a circle gets, with none of the insertion, lending and polishing after it.

    python bench/circle_parts.py --limit 3.7 --seeds 1 2 3 4 5 6 --shares 0.85 0.95 --repeat 2

Prints one JSON line per setting and run: travel minutes in all and per day, visits left
open (the ten infeasible ones of each day included), and wall seconds.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

from carehub.routing.params import SolverParams
from carehub.routing.problem import Problem
from carehub.routing.search.solver import solve
from carehub.routing.subproblem import subproblem
from carehub_bench.bench_day import DEFAULT_LOAD, generate, travel_seconds


def parts(seed: int, visits: int, caregivers: int) -> list[Problem]:
    """The day's circles with caregivers, each its own problem."""
    # As `carehub bench day` makes them: its load, ten visits nobody can serve.
    day = generate(visits, caregivers, seed, load=DEFAULT_LOAD, infeasible=10)
    problem, circles = day.problem, day.circles
    names = sorted(set(circles.caregiver_circle.values()))
    return [
        subproblem(
            problem,
            [v for v in problem.visits if circles.visit_circle[v.id] == n],
            [c for c in problem.caregivers if circles.caregiver_circle[c.id] == n],
        )
        for n in names
    ]


def solve_one(job: tuple[Problem, SolverParams]) -> tuple[int, int]:
    problem, params = job
    plan = solve(problem=problem, params=params)
    return travel_seconds(problem, plan), len(plan.unassigned)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=float, default=3.7, help="seconds per circle")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6])
    ap.add_argument("--shares", type=float, nargs="+", default=[SolverParams().polish_share])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--visits", type=int, default=1000)
    ap.add_argument("--caregivers", type=int, default=60)
    args = ap.parse_args()
    days = [(seed, p) for seed in args.seeds for p in parts(seed, args.visits, args.caregivers)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        for _ in range(args.repeat):
            for share in args.shares:
                params = SolverParams(time_limit_s=args.limit, polish_share=share)
                started = time.monotonic()
                found = list(pool.map(solve_one, [(p, params) for _, p in days]))
                per_day: dict[int, int] = {}
                for (seed, _), (travel, _) in zip(days, found, strict=True):
                    per_day[seed] = per_day.get(seed, 0) + travel
                line = {
                    "polish_share": share,
                    "limit_s": args.limit,
                    "travel_min": round(sum(per_day.values()) / 60),
                    "per_day_min": {s: round(t / 60) for s, t in per_day.items()},
                    "open": sum(u for _, u in found),
                    "wall_s": round(time.monotonic() - started, 1),
                }
                print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
