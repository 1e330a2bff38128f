"""Meal rounds on a synthetic circle: one station kitchen, its meals and other visits, eight
caregivers (e-bike and on foot), solved with a short and a long limit in one process.

    python bench/meal_rounds.py --meals 80 --visits 60 --caregivers 8 --limits 5 50 --seeds 1 2 3

Prints, per seed and limit: meals and other visits placed, collections, travel; and the
median seconds to build the greedy start and the OR-Tools model.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time

from carehub.routing.params import SolverParams
from carehub.routing.problem import (
    Break,
    Caregiver,
    Kitchen,
    MealRules,
    Plan,
    Problem,
    Visit,
    Window,
)
from carehub.routing.screen import screen
from carehub.routing.search import solver
from carehub.routing.search.greedy import solve as greedy_solve
from carehub.routing.validate import validate

H = 3600
SPEED = {"ebike": 4.0, "walk": 1.2}  # metres per second
DETOUR = 1.3
RADIUS = 1_500  # metres around the station


def day(meals: int, visits: int, caregivers: int, seed: int) -> Problem:
    rng = random.Random(seed)
    # Place 0 is the station and its kitchen; homes of elders and caregivers lie around it.
    points = [(0.0, 0.0)]

    def place() -> int:
        r, a = RADIUS * math.sqrt(rng.random()), rng.random() * 2 * math.pi
        points.append((r * math.cos(a), r * math.sin(a)))
        return len(points) - 1

    out: list[Visit] = []
    for i in range(meals):
        opens = rng.choice((11 * H, 11 * H, 11 * H + 900))
        out.append(
            Visit(f"meal{i:03d}", place(), (Window(opens, 12 * H + 1800),), 180, kitchen="K")
        )
    for i in range(visits):
        # Care visits keep clear of the meal rounds: mornings and afternoons.
        opens = rng.choice((rng.randrange(8 * 4, 10 * 4), rng.randrange(13 * 4, 15 * 4))) * 900
        service = rng.choice((1800, 1800, 2700, 3600))
        out.append(
            Visit(
                f"v{i:03d}", place(), (Window(opens, opens + rng.choice((1, 2, 3)) * H),), service
            )
        )
    cgs = []
    for k in range(caregivers):
        home = place()
        start = rng.choice((8 * H, 8 * H, 9 * H))
        cgs.append(
            Caregiver(
                f"c{k}",
                home,
                home,
                start,
                start + 8 * H,
                lunch=Break(12 * H + 1800, 14 * H, 1800),
                mode="walk" if k % 4 == 3 else "ebike",
            )
        )
    n = len(points)
    dist = [[round(DETOUR * math.dist(points[i], points[j])) for j in range(n)] for i in range(n)]
    travel = {
        m: tuple(tuple(math.ceil(d / s) for d in row) for row in dist) for m, s in SPEED.items()
    }
    return Problem(
        tuple(out),
        tuple(cgs),
        travel,
        tuple(tuple(row) for row in dist),
        kitchens=(Kitchen("K", 0, 10 * H + 2700),),
        meals=MealRules(box={"ebike": 12, "walk": 6}),
    )


def figures(p: Problem, plan: Plan) -> dict[str, int]:
    served = {s.visit for r in plan.routes for s in r.stops}
    meals = {v.id for v in p.visits if v.kitchen is not None}
    travel = 0
    kitchen = {k.id: k.location for k in p.kitchens}
    for r in plan.routes:
        if not r.stops:
            continue
        m = p.travel[p.caregiver(r.caregiver).mode]
        locs = [p.caregiver(r.caregiver).start_location]
        at: dict[int, list[int]] = {}
        for c in r.collections:
            at.setdefault(c.before, []).append(kitchen[c.kitchen])
        for i, s in enumerate(r.stops):
            locs.extend(at.get(i, []))
            locs.append(p.visit(s.visit).location)
        locs.append(p.caregiver(r.caregiver).end_location)
        travel += sum(m[a][b] for a, b in zip(locs, locs[1:], strict=False))
    return {
        "meals": len(meals & served),
        "others": len(served - meals),
        "collections": sum(len(r.collections) for r in plan.routes),
        "travel_min": travel // 60,
        "violations": len(validate(p, plan)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meals", type=int, default=80)
    parser.add_argument("--visits", type=int, default=60)
    parser.add_argument("--caregivers", type=int, default=8)
    parser.add_argument("--limits", type=float, nargs="+", default=[5.0, 50.0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    builds, starts = [], []
    print(
        f"{args.meals} meals, {args.visits} other visits, {args.caregivers} caregivers, "
        f"limits {args.limits} s"
    )
    for seed in args.seeds:
        p = day(args.meals, args.visits, args.caregivers, seed)
        screened = screen(p)
        t = time.perf_counter()
        start = greedy_solve(p, screened)
        starts.append(time.perf_counter() - t)
        t = time.perf_counter()
        solver._Model(p, SolverParams(), screened.candidates)
        builds.append(time.perf_counter() - t)
        print(f"seed {seed} greedy start: {figures(p, start)} ({starts[-1]:.2f} s)")
        for limit in args.limits:
            t = time.perf_counter()
            plan = solver.solve(p, SolverParams(time_limit_s=limit))
            wall = time.perf_counter() - t
            print(
                f"seed {seed} limit {limit:g} s: {figures(p, plan)} wall {wall:.1f} s {plan.notes}"
            )
    print(
        f"greedy start median {statistics.median(starts):.2f} s, "
        f"model build median {statistics.median(builds):.2f} s"
    )


if __name__ == "__main__":
    main()
