"""Synthetic district days for benchmarks, in the demo data's shape.

The demo's eight Heping stations, caregivers with the demo's shifts, skills, genders and
travel modes living near their station, and visits from the default catalogue (durations,
skills, priorities) with the demo care plans' windows, scattered over the circles; a few
baths need two caregivers. Travel comes from the straight-line travel model.

A day of 1000 visits for 60 caregivers at the catalogue's durations holds far more work than
the shifts (about 750 h of service against 540 h), so ``load`` scales every duration (to the
minute, at least 5 minutes) until service fills that share of the shift hours; the meal
share is kept to what the meal window carries, health checks and baths to what two nurses and
two bathers a station (at least) carry; travel comes on top. A few visits are made
infeasible on purpose (a skill nobody holds, a window before every shift), so that "every
feasible visit assigned" can be checked against the screen.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import hashlib
import json
import os
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carehub import routing
from carehub.geo.matrix import ModelMatrices
from carehub.geo.travel import TravelModel
from carehub.routing.circles import Circles, solve_circles, warm
from carehub.routing.params import SolverParams
from carehub.routing.problem import Caregiver, Matrix, Plan, Problem, Visit, Window
from carehub.routing.repair.replan import insert
from carehub.routing.screen import screen
from carehub.routing.search.solver import solve
from carehub.routing.validate import validate
from carehub.seeding import inputs, places
from carehub.seeding.defaults import SERVICE_TYPES
from carehub.seeding.drafts.people import SHIFTS, SKILL_SHARES, apportion, ensure_station_skills
from carehub.seeding.drafts.plans import _WINDOWS, MEAL_WINDOW
from carehub.seeding.inputs import StationRow

# Share of the day's visits by service: meals and health checks lead, as in the demo.
MIX = [
    ("meal_delivery", 0.32),
    ("health_check", 0.26),
    ("companionship", 0.16),
    ("cleaning", 0.12),
    ("bathing", 0.14),
]
# With ``load`` set: meals only fill 11:00-12:30, so their share is what that window carries.
LOADED_MIX = [
    ("meal_delivery", 0.20),
    ("health_check", 0.14),
    ("companionship", 0.28),
    ("cleaning", 0.26),
    ("bathing", 0.12),
]
DEFAULT_LOAD = 0.3  # service hours over shift hours for `carehub bench day`
UNHELD_SKILL = "dialysis"  # no caregiver holds it
EARLY_WINDOW = (5 * 3600, 5 * 3600 + 1800)  # before every shift
PAIR_BATH_SHARE = 0.15  # of baths, for elders who need two caregivers to bathe
CIRCLE_M = 1_500  # visits lie within this distance of their station


def _secs(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60


@dataclass(frozen=True)
class Day:
    problem: Problem
    circles: Circles
    spare_locations: tuple[int, ...]  # matrix places not used by any visit (emergencies)


def _ensure_two(team: list[list[str]], skills: tuple[str, ...]) -> None:
    """At least two holders of each scarce skill per station, where the team allows: one
    nurse cannot carry a circle's health checks, nor one bather a two-caregiver bath."""
    for skill in skills:
        while len(team) > 1 and sum(skill in m for m in team) < 2:
            min((m for m in team if skill not in m), key=len).append(skill)


def generate(
    visits: int,
    caregivers: int,
    seed: int,
    stations: int | None = None,
    spare: int = 0,
    load: float | None = None,
    infeasible: int = 0,
) -> Day:
    """A district day. ``load`` (service hours over shift hours, e.g. 0.6) scales the
    catalogue's durations down to fit; ``infeasible`` visits nobody can serve are added
    among the ``visits``."""
    if load is not None and not 0 < load <= 1:
        raise ValueError("load: must be in (0, 1]")
    if not 0 <= infeasible <= visits:
        raise ValueError("infeasible: must be between 0 and visits")
    rng = random.Random(seed)
    rows = inputs.demo_stations()[:stations] if stations else inputs.demo_stations()
    points: list[tuple[float, float]] = []
    team_sizes = apportion(caregivers, [1.0] * len(rows), minimum=1)
    cgs, cg_circle = _staff(rng, rows, team_sizes, load is not None, points)
    drawn = _draw(rng, rows, team_sizes, visits, load)
    scale = 1.0
    if load is not None:
        work = sum(CATALOGUE[code][3] * 60 * (2 if pair else 1) for _, code, pair, _ in drawn)
        shifts = sum(c.shift_end - c.shift_start for c in cgs)
        scale = min(1.0, load * shifts / max(1, work))
    vs, v_circle = _visits(rng, drawn, scale, visits - infeasible, points)
    spare_at = []
    for _ in range(spare):
        site = rng.choice(rows)
        points.append(places.in_disc(rng, (site.lat, site.lon), CIRCLE_M))
        spare_at.append(len(points) - 1)
    m = ModelMatrices(TravelModel()).matrices(points, ["ebike", "walk"])
    problem = Problem(
        tuple(vs),
        tuple(cgs),
        {mode: Matrix(t) for mode, t in m.travel.items()},
        Matrix(m.distance),
    )
    neighbours = {
        a.code: [
            b.code
            for b in sorted(rows, key=lambda b: places.approx_m((a.lat, a.lon), (b.lat, b.lon)))
            if b.code != a.code
        ]
        for a in rows
    }
    return Day(problem, Circles(v_circle, cg_circle, neighbours), tuple(spare_at))


CATALOGUE = {row[0]: row for row in SERVICE_TYPES}
# A drawn visit: its station, service type, whether two caregivers bathe, female caregiver.
Drawn = tuple[StationRow, str, bool, bool]


def _staff(
    rng: random.Random,
    rows: Sequence[StationRow],
    team_sizes: list[int],
    loaded: bool,
    points: list[tuple[float, float]],
) -> tuple[list[Caregiver], dict[str, str]]:
    """Each station's team, homes near the station appended to ``points``."""
    cgs: list[Caregiver] = []
    cg_circle: dict[str, str] = {}
    for site, size in zip(rows, team_sizes, strict=True):
        team = [
            [c for c, share in SKILL_SHARES if rng.random() < share] or ["meal"]
            for _ in range(size)
        ]
        ensure_station_skills(team, ("meal", "bathing", "nursing", "first_aid"))
        if loaded:
            _ensure_two(team, ("bathing", "nursing"))
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
    return cgs, cg_circle


def _draw(
    rng: random.Random,
    rows: Sequence[StationRow],
    team_sizes: list[int],
    visits: int,
    load: float | None,
) -> list[Drawn]:
    """Each visit's station and service. Loaded: each station's caseload follows its
    staff, as a district would assign it."""
    mix = MIX if load is None else LOADED_MIX
    drawn: list[Drawn] = []
    caseload = [
        s
        for s, n in zip(rows, apportion(visits, [float(n) for n in team_sizes]), strict=True)
        for _ in range(n)
    ]
    rng.shuffle(caseload)
    for i in range(visits):
        site = caseload[i] if load is not None else rng.choice(rows)
        code = rng.choices([c for c, _ in mix], weights=[w for _, w in mix])[0]
        pair = code == "bathing" and rng.random() < PAIR_BATH_SHARE
        drawn.append((site, code, pair, rng.random() < 0.06))
    return drawn


def _visits(
    rng: random.Random,
    drawn: list[Drawn],
    scale: float,
    feasible: int,
    points: list[tuple[float, float]],
) -> tuple[list[Visit], dict[str, str]]:
    """The visits, durations scaled; those from index ``feasible`` on are made infeasible."""
    vs: list[Visit] = []
    v_circle: dict[str, str] = {}
    for i, (site, code, pair, female) in enumerate(drawn):
        _, _, _, minutes, _, skill, needed, _, priority = CATALOGUE[code]
        start, end = MEAL_WINDOW if code == "meal_delivery" else rng.choice(_WINDOWS[code])
        service = max(300, 60 * round(minutes * scale))
        window = (_secs(start), max(_secs(start), _secs(end) - service))
        k = i - feasible
        if k >= 0:
            # Deliberately infeasible: alternately a skill nobody holds, a window before shifts.
            if k % 2 == 0:
                skill = UNHELD_SKILL
            else:
                window = EARLY_WINDOW
        points.append(places.in_disc(rng, (site.lat, site.lon), CIRCLE_M))
        vid = f"v{i + 1:04d}"
        vs.append(
            Visit(
                vid,
                len(points) - 1,
                (Window(*window),),
                service,
                skill=skill,
                caregivers_needed=2 if pair else needed,
                priority=priority,
                gender="female" if female else None,
            )
        )
        v_circle[vid] = site.code
    return vs, v_circle


def travel_seconds(problem: Problem, plan: Plan) -> int:
    total = 0
    for r in plan.used_routes():
        c = problem.caregiver(r.caregiver)
        locs = [c.start_location] + [problem.visit(s.visit).location for s in r.stops]
        locs.append(c.end_location)
        total += sum(problem.travel[c.mode][a][b] for a, b in zip(locs, locs[1:], strict=False))
    return total


def day_run(day: Day, time_limit_s: float) -> dict[str, Any]:
    """Plan ``day`` by circles; say which visits were left and whether any could be served.

    A visit the screen rejects on the whole district (no caregiver with the skill and gender,
    or no window any of them can reach on an empty day) is provably infeasible; every other
    visit left over is listed with its reason.
    """
    infeasible = screen(day.problem).rejected
    load_before = os.getloadavg()
    started = time.monotonic()
    result = solve_circles(day.problem, day.circles, SolverParams(time_limit_s=time_limit_s))
    wall = time.monotonic() - started
    plan = result.plan
    left = [
        {"visit": u.visit, "reason": u.reason} for u in plan.unassigned if u.visit not in infeasible
    ]
    why: dict[str, int] = {}
    for reason in infeasible.values():
        why[reason] = why.get(reason, 0) + 1
    assigned = len(day.problem.visits) - len(plan.unassigned)
    return {
        "time_limit_s": time_limit_s,
        "wall_s": round(wall, 2),
        "visits": len(day.problem.visits),
        "assigned": assigned,
        "infeasible": why,
        "left_feasible": left,
        "all_feasible_assigned": assigned + len(infeasible) == len(day.problem.visits),
        "lent": len(result.lent),
        "travel_min": round(travel_seconds(day.problem, plan) / 60),
        "fallback": plan.fallback,
        "violations": len(validate(day.problem, plan)),
        # The machine's 1-minute load average before and after: timings follow it.
        "load_avg": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
    }


def _meaning(source: bytes) -> str:
    """A module as the interpreter runs it: comments and docstrings left out, so rewording
    them keeps the references."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if ast.get_docstring(node, clean=False) is not None:
            node.body = node.body[1:] or [ast.Pass()]
    return ast.dump(tree)


def code_version(roots: Sequence[Path] | None = None) -> str:
    """A fingerprint of the code that decides a plan: the optimiser's sources and this
    generator. References stored under another fingerprint are computed again."""
    digest = hashlib.sha256()
    roots = roots or [Path(routing.__file__).parent, Path(__file__).parent]
    # Sub-packages count too; keyed by the path under the root, not where the checkout is,
    # so every checkout of the same code agrees.
    for root in roots:
        for name in sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py")):
            digest.update(name.encode())
            digest.update(_meaning((root / name).read_bytes()).encode())
    return digest.hexdigest()[:12]


class References:
    """Reference runs stored in a JSON file, one per day and limit, under the code version
    that computed them: a ten-times reference of a seed takes minutes, the plan seconds."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.code = code_version()
        self.runs: dict[str, dict[str, Any]] = {}
        if path is not None and path.exists():
            stored = json.loads(path.read_text())
            if stored.get("code") == self.code:
                self.runs = stored["runs"]

    def get(self, key: str, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        if key in self.runs:
            return {**self.runs[key], "stored": True}
        found = run()
        self.runs[key] = found
        if self.path is not None:
            self.path.write_text(json.dumps({"code": self.code, "runs": self.runs}, indent=1))
        return {**found, "stored": False}


def compare(
    visits: int,
    caregivers: int,
    seeds: list[int],
    time_limit_s: float,
    reference_factor: float,
    load: float,
    infeasible: int,
    references: Path | None = None,
) -> dict[str, object]:
    """Each seed's day planned with ``time_limit_s`` and, as the reference, with
    ``reference_factor`` times as long (taken from ``references`` when it holds that run of
    this code); medians over the seeds."""
    stored = References(references)
    # The first plan would otherwise pay for starting the solver processes, which a web or
    # job worker has started long before it plans.
    warm(wait_ready=True, kernel=True)  # its days have no lunch breaks or meal rounds
    runs: list[dict[str, Any]] = []
    for seed in seeds:
        day = generate(visits, caregivers, seed, load=load, infeasible=infeasible)
        plan = day_run(day, time_limit_s)
        run: dict[str, Any] = {"seed": seed, "plan": plan}
        if reference_factor > 0:
            limit = time_limit_s * reference_factor
            key = f"{visits}/{caregivers}/{seed}/{load}/{infeasible}/{limit:g}"
            ref = stored.get(key, functools.partial(day_run, day, limit))
            run["reference"] = ref
            run["travel_ratio"] = round(plan["travel_min"] / max(1, ref["travel_min"]), 4)
        runs.append(run)
    plans = [r["plan"] for r in runs]
    summary: dict[str, object] = {
        "median_wall_s": statistics.median(p["wall_s"] for p in plans),
        "max_wall_s": max(p["wall_s"] for p in plans),
        "all_feasible_assigned": all(p["all_feasible_assigned"] for p in plans),
        "violations": sum(p["violations"] for p in plans),
    }
    if reference_factor > 0:
        summary["median_travel_ratio"] = statistics.median(r["travel_ratio"] for r in runs)
        summary["max_travel_ratio"] = max(r["travel_ratio"] for r in runs)
        summary["reference_all_feasible_assigned"] = all(
            r["reference"]["all_feasible_assigned"] for r in runs
        )
    return {
        "visits": visits,
        "caregivers": caregivers,
        "load": load,
        "code": stored.code,
        "runs": runs,
        "summary": summary,
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
