"""Synthetic district days for benchmarks, in the demo data's shape.

The demo's eight Heping stations, caregivers with the demo's shifts, skills, genders and
travel modes living near their station, and visits from the default catalogue (durations,
skills, priorities) with the demo care plans' windows, scattered over the circles; a few
baths need two caregivers. Travel comes from the straight-line travel model.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from dataclasses import dataclass

from carehub.geo.matrix import ModelMatrices
from carehub.geo.travel import TravelModel
from carehub.registry.defaults import SERVICE_TYPES
from carehub.routing.circles import Circles, solve_circles
from carehub.routing.params import SolverParams
from carehub.routing.problem import Caregiver, Plan, Problem, Visit, Window
from carehub.routing.replan import insert
from carehub.routing.solver import solve
from carehub.routing.validate import validate
from carehub.seeding import inputs, places
from carehub.seeding.people import SHIFTS, SKILL_SHARES, apportion, ensure_station_skills
from carehub.seeding.plans import _WINDOWS, MEAL_WINDOW

# Share of the day's visits by service: meals and health checks lead, as in the demo.
MIX = [
    ("meal_delivery", 0.32),
    ("health_check", 0.26),
    ("companionship", 0.16),
    ("cleaning", 0.12),
    ("bathing", 0.14),
]
PAIR_BATH_SHARE = 0.15  # of baths, for elders who need two caregivers to bathe
CIRCLE_M = 1_500  # visits lie within this distance of their station


def _secs(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60


@dataclass(frozen=True)
class Day:
    problem: Problem
    circles: Circles
    spare_locations: tuple[int, ...]  # matrix places not used by any visit (emergencies)


def generate(
    visits: int, caregivers: int, seed: int, stations: int | None = None, spare: int = 0
) -> Day:
    rng = random.Random(seed)
    rows = inputs.demo_stations()[:stations] if stations else inputs.demo_stations()
    catalogue = {row[0]: row for row in SERVICE_TYPES}
    points: list[tuple[float, float]] = []
    cgs: list[Caregiver] = []
    cg_circle: dict[str, str] = {}
    team_sizes = apportion(caregivers, [1.0] * len(rows), minimum=1)
    for site, size in zip(rows, team_sizes, strict=True):
        team = [
            [c for c, share in SKILL_SHARES if rng.random() < share] or ["meal"]
            for _ in range(size)
        ]
        ensure_station_skills(team, ("meal", "bathing", "nursing", "first_aid"))
        for skills in team:
            shift = rng.choices([s for s, _ in SHIFTS], weights=[w for _, w in SHIFTS])[0]
            points.append(places.in_disc(rng, (site.lat, site.lon), 800))
            cid = f"{site.code}-C{len(cgs) + 1:03d}"
            cgs.append(
                Caregiver(
                    cid,
                    len(points) - 1,
                    len(points) - 1,
                    _secs(shift[0]),
                    _secs(shift[1]),
                    skills=frozenset(skills),
                    gender="female" if rng.random() < 0.85 else "male",
                    mode="ebike" if rng.random() < 0.85 else "walk",
                )
            )
            cg_circle[cid] = site.code
    vs: list[Visit] = []
    v_circle: dict[str, str] = {}
    for i in range(visits):
        site = rng.choice(rows)
        code = rng.choices([c for c, _ in MIX], weights=[w for _, w in MIX])[0]
        _, _, _, minutes, _, skill, needed, _, priority = catalogue[code]
        start, end = MEAL_WINDOW if code == "meal_delivery" else rng.choice(_WINDOWS[code])
        service = minutes * 60
        if code == "bathing" and rng.random() < PAIR_BATH_SHARE:
            needed = 2
        points.append(places.in_disc(rng, (site.lat, site.lon), CIRCLE_M))
        vid = f"v{i + 1:04d}"
        vs.append(
            Visit(
                vid,
                len(points) - 1,
                (Window(_secs(start), max(_secs(start), _secs(end) - service)),),
                service,
                skill=skill,
                caregivers_needed=needed,
                priority=priority,
                gender="female" if rng.random() < 0.06 else None,
            )
        )
        v_circle[vid] = site.code
    spare_at = []
    for _ in range(spare):
        site = rng.choice(rows)
        points.append(places.in_disc(rng, (site.lat, site.lon), CIRCLE_M))
        spare_at.append(len(points) - 1)
    m = ModelMatrices(TravelModel()).matrices(points, ["ebike", "walk"])
    problem = Problem(tuple(vs), tuple(cgs), m.travel, m.distance)
    neighbours = {
        a.code: [
            b.code
            for b in sorted(rows, key=lambda b: places.approx_m((a.lat, a.lon), (b.lat, b.lon)))
            if b.code != a.code
        ]
        for a in rows
    }
    return Day(problem, Circles(v_circle, cg_circle, neighbours), tuple(spare_at))


def travel_seconds(problem: Problem, plan: Plan) -> int:
    total = 0
    for r in plan.used_routes():
        c = problem.caregiver(r.caregiver)
        locs = [c.start_location] + [problem.visit(s.visit).location for s in r.stops]
        locs.append(c.end_location)
        total += sum(problem.travel[c.mode][a][b] for a, b in zip(locs, locs[1:], strict=False))
    return total


def day_run(day: Day, time_limit_s: float) -> dict[str, object]:
    started = time.monotonic()
    result = solve_circles(day.problem, day.circles, SolverParams(time_limit_s=time_limit_s))
    wall = time.monotonic() - started
    plan = result.plan
    reasons: dict[str, int] = {}
    for u in plan.unassigned:
        reasons[u.reason] = reasons.get(u.reason, 0) + 1
    return {
        "time_limit_s": time_limit_s,
        "wall_s": round(wall, 2),
        "assigned": len(day.problem.visits) - len(plan.unassigned),
        "unassigned": reasons,
        "lent": len(result.lent),
        "travel_min": round(travel_seconds(day.problem, plan) / 60),
        "fallback": plan.fallback,
        "violations": len(validate(day.problem, plan)),
    }


def emergency_run(
    visits: int, caregivers: int, seed: int, emergencies: int, plan_time_s: float
) -> dict[str, object]:
    """A published one-circle day, then ``emergencies`` independent emergency calls."""
    day = generate(visits, caregivers, seed, stations=1, spare=emergencies)
    published = solve(day.problem, SolverParams(time_limit_s=plan_time_s))
    rng = random.Random(seed)
    _, _, _, minutes, _, skill, _, _, _ = next(r for r in SERVICE_TYPES if r[0] == "emergency")
    times: list[float] = []
    placed = moved = invalid = 0
    for k, loc in enumerate(day.spare_locations):
        now = rng.randrange(9 * 3600, 15 * 3600, 60)
        sos = Visit(
            f"sos{k}", loc, (Window(now, now + 3600),), minutes * 60, skill=skill, priority=1
        )
        started = time.perf_counter()
        p = Problem(
            day.problem.visits + (sos,),
            day.problem.caregivers,
            day.problem.travel,
            day.problem.distance,
        )
        out = insert(p, published, now, [sos.id])
        times.append(time.perf_counter() - started)
        placed += len(out.inserted)
        moved += out.moved
        invalid += 1 if validate(p, out.plan) else 0
    times.sort()
    return {
        "visits": visits,
        "caregivers": caregivers,
        "emergencies": emergencies,
        "placed": placed,
        "mean_moved": round(moved / max(1, emergencies), 2),
        "median_ms": round(1000 * statistics.median(times), 1),
        "p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))], 1),
        "max_ms": round(1000 * times[-1], 1),
        "invalid": invalid,
    }
