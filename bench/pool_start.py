"""What the fork server costs: a district day solved by circles with the pool's processes
forked directly (the old way, unsafe from threads) and from a fork server (now).

The first call of each start method starts its pool (cold); later calls reuse it (warm), as
a long-lived web or scheduler process does. Warm runs alternate between the two methods.

    python bench/pool_start.py --visits 300 --caregivers 24 --time-limit 2 --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import time

from carehub.routing import circles
from carehub.routing.params import SolverParams
from carehub_bench.bench_day import generate

METHODS = ("fork", "forkserver")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=300)
    parser.add_argument("--caregivers", type=int, default=24)
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    day = generate(args.visits, args.caregivers, args.seed)
    params = SolverParams(time_limit_s=args.time_limit)

    def once(method: str) -> float:
        circles.START_METHOD = method
        started = time.perf_counter()
        circles.solve_circles(day.problem, day.circles, params, workers=2)
        return time.perf_counter() - started

    cold = {m: once(m) for m in METHODS}
    warm: dict[str, list[float]] = {m: [] for m in METHODS}
    for _ in range(args.runs):
        for method in METHODS:
            warm[method].append(once(method))
    print(f"visits {args.visits}, caregivers {args.caregivers}, time limit {args.time_limit} s")
    for method in METHODS:
        runs = ", ".join(f"{v:.2f}" for v in warm[method])
        print(
            f"{method:>10}: cold {cold[method]:.2f} s, warm median"
            f" {statistics.median(warm[method]):.2f} s ({runs})"
        )
    ratio = statistics.median(warm["forkserver"]) / statistics.median(warm["fork"])
    print(f"warm forkserver / fork: {ratio:.3f}")


if __name__ == "__main__":
    main()
