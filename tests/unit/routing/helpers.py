"""Small hand-built problems: places on a line, 5 minutes apart by e-bike, 15 on foot."""

from __future__ import annotations

from carehub.routing import Caregiver, Plan, Problem, SolverParams, Visit, Window, solve, validate

H = 3600
PLACES = 10


def line(per_step: int, n: int = PLACES) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(per_step * abs(i - j) for j in range(n)) for i in range(n))


def problem(visits: list[Visit], caregivers: list[Caregiver]) -> Problem:
    return Problem(
        tuple(visits), tuple(caregivers), {"ebike": line(300), "walk": line(900)}, line(1000)
    )


def visit(
    vid: str, loc: int, start: int = 8 * H, end: int = 17 * H, service: int = 1800, **kw
) -> Visit:
    return Visit(vid, loc, (Window(start, end),), service, **kw)


def caregiver(cid: str, **kw) -> Caregiver:
    settings = {"start_location": 0, "end_location": 0, "shift_start": 8 * H, "shift_end": 18 * H}
    settings.update(kw)
    return Caregiver(cid, **settings)


PARAMS = SolverParams(time_limit_s=5, solution_limit=300)


def solve_valid(p: Problem, params: SolverParams = PARAMS) -> Plan:
    plan = solve(p, params)
    assert validate(p, plan) == []
    return plan


def served_by(plan: Plan) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in plan.routes:
        for s in r.stops:
            out.setdefault(s.visit, []).append(r.caregiver)
    return out


def start_of(plan: Plan, vid: str) -> list[int]:
    return [s.start for r in plan.routes for s in r.stops if s.visit == vid]
