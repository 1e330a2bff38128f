"""On random small days, every plan (solver or greedy) passes the checker and explains drops."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carehub.routing import (
    Break,
    Caregiver,
    Problem,
    SolverParams,
    Visit,
    Window,
    solve,
    validate,
)
from carehub.routing.search import greedy

from .helpers import PLACES, H, line

SKILLS = ("nursing", "bathing")


@st.composite
def days(draw: st.DrawFn) -> Problem:
    caregivers = []
    for k in range(draw(st.integers(1, 3))):
        start = draw(st.integers(7, 9)) * H
        lunch = None
        if draw(st.booleans()):
            lunch = Break(12 * H, 13 * H + 1800, 1800)
        caregivers.append(
            Caregiver(
                f"c{k}",
                draw(st.integers(0, PLACES - 1)),
                draw(st.integers(0, PLACES - 1)),
                start,
                start + draw(st.integers(7, 10)) * H,
                frozenset(draw(st.sets(st.sampled_from(SKILLS)))),
                draw(st.sampled_from(("F", "M"))),
                draw(st.sampled_from((None, 6 * H))),
                lunch,
                draw(st.sampled_from(("ebike", "walk"))),
            )
        )
    ids = [c.id for c in caregivers]
    visits = []
    for i in range(draw(st.integers(1, 7))):
        opens = draw(st.integers(7 * 4, 17 * 4)) * 900
        windows = (Window(opens, opens + draw(st.integers(0, 8)) * 900),)
        if draw(st.booleans()):
            windows = (*windows, Window(windows[0].end + 3 * H, windows[0].end + 4 * H))
        pinned_time = windows[0].start if draw(st.integers(0, 5)) == 0 else None
        visits.append(
            Visit(
                f"v{i}",
                draw(st.integers(0, PLACES - 1)),
                windows,
                draw(st.sampled_from((900, 1800, 3600))),
                draw(st.sampled_from((None, None, *SKILLS))),
                draw(st.sampled_from((1, 1, 1, 2))),
                draw(st.integers(1, 4)),
                draw(st.sampled_from((None, None, None, *ids))),
                pinned_time,
                draw(st.sampled_from((None, *ids))),
                draw(st.sampled_from((None, None, "F"))),
            )
        )
    return Problem(
        tuple(visits), tuple(caregivers), {"ebike": line(300), "walk": line(900)}, line(1000)
    )


FAST = SolverParams(time_limit_s=10, solution_limit=20)


# No example database: runs leave nothing behind in the working tree.
@settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(days())
def test_solver_plans_are_valid_and_explained(p: Problem) -> None:
    for plan in (solve(p, FAST), greedy.solve(p)):
        assert validate(p, plan) == []
        assert all(u.reason for u in plan.unassigned)
