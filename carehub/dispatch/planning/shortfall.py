"""Shortfall advice for a planning run: the extra shifts that would serve its open visits.

Each station's open visits are proven against extra shifts starting at the station
(``carehub.routing.repair.shortfall``) with a matrix of the station and those visits only, so the
advice costs a few small matrices, never the day's. The advice has its own budget, a share
of the run's time limit, after the circles' solve.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from carehub.db import AnySession
from carehub.dispatch.adapters import DayInput
from carehub.geo.matrix import MatrixProvider
from carehub.registry.models import Caregiver, Skill, Station
from carehub.routing import Kitchen, Matrix, Plan
from carehub.routing import Visit as RVisit
from carehub.routing.repair.shortfall import (
    Advice,
    AdviceParams,
    Depot,
    Suggestion,
    advise,
    open_visits,
)

SHARE = 0.1  # of the run's time limit
MIN_BUDGET_S = 2.0
MAX_BUDGET_S = 10.0
SOLVE_CAP_S = 0.5  # any one proof solve


def budget(time_limit_s: float) -> float:
    return min(MAX_BUDGET_S, max(MIN_BUDGET_S, SHARE * time_limit_s))


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def usual_modes(caregivers: Sequence[Caregiver]) -> dict[int, str]:
    """Station id -> the travel mode most of its caregivers use (e-bike on a tie or none)."""
    counts: dict[int, Counter[str]] = {}
    for c in caregivers:
        counts.setdefault(c.station_id, Counter())[str(c.travel_mode)] += 1
    return {
        sid: max(sorted(found), key=lambda m: (found[m], m == "ebike"))
        for sid, found in counts.items()
    }


def compute(
    data: DayInput,
    plan: Plan,
    stations: Sequence[Station],
    caregivers: Sequence[Caregiver],
    matrices: MatrixProvider,
    budget_s: float,
    params: AdviceParams | None = None,
) -> dict[str, Any] | None:
    """The advice stored on the run (``PlanningRun.shortfall``); None when nothing that more
    staff could serve was left open."""
    left = open_visits(plan, data.problem)
    if not left:
        return None
    params = replace(params or AdviceParams(solve_cap_s=SOLVE_CAP_S), budget_s=budget_s)
    modes = usual_modes(caregivers)
    by_code = {s.code: s for s in stations}
    per_station = _by_station(data, left)
    started = time.monotonic()
    deadline = started + budget_s
    suggestions: list[dict[str, Any]] = []
    tally = _Tally()
    # The largest shortfalls first, each station its share of what is left by open visits.
    order = sorted(per_station, key=lambda code: (-len(per_station[code]), code))
    waiting = len(left)
    for code in order:
        visits = per_station[code]
        station = by_code[code]
        share = max(0.0, deadline - time.monotonic()) * len(visits) / waiting
        waiting -= len(visits)
        if station.lat is None or station.lon is None:
            tally.unproven += len(visits)
            tally.unproven_groups += 1
            continue
        mode = modes.get(station.id, "ebike")
        local, kitchens, points = _local(data, visits, (station.lat, station.lon))
        m = matrices.matrices(points, [mode])
        advice = advise(
            local,
            {v.id: code for v in local},
            {code: Depot(code, 0, mode)},
            {k: Matrix(t, f"travel[{k!r}]") for k, t in m.travel.items()},
            Matrix(m.distance, "distance"),
            replace(params, budget_s=share),
            kitchens=kitchens,
            meals=data.problem.meals,
        )
        rid = {v.id: data.requests[v.id].id for v in local}
        suggestions += [_suggestion(s, rid) for s in advice.suggestions]
        tally.add(advice)
    return {
        "budget_s": round(budget_s, 2),
        "solve_cap_s": params.solve_cap_s,
        "seconds": round(time.monotonic() - started, 2),
        "open": len(left),
        "suggestions": suggestions,
        "unproven": {"groups": tally.unproven_groups, "visits": tally.unproven},
        "hopeless": {"groups": tally.hopeless_groups, "visits": tally.hopeless},
    }


def _by_station(data: DayInput, left: Sequence[str]) -> dict[str, list[RVisit]]:
    per_station: dict[str, list[RVisit]] = {}
    for vid in left:
        per_station.setdefault(data.circles.visit_circle[vid], []).append(data.problem.visit(vid))
    return per_station


@dataclass
class _Tally:
    """Open visits no suggestion covers: unproven (no time to prove one) and hopeless."""

    unproven: int = 0
    unproven_groups: int = 0
    hopeless: int = 0
    hopeless_groups: int = 0

    def add(self, advice: Advice) -> None:
        self.unproven += sum(len(g.visits) for g in advice.unproven)
        self.unproven_groups += len(advice.unproven)
        self.hopeless += sum(len(g.visits) for g in advice.hopeless)
        self.hopeless_groups += len(advice.hopeless)


def _local(
    data: DayInput, visits: Sequence[RVisit], depot: tuple[float, float]
) -> tuple[list[RVisit], list[Kitchen], list[tuple[float, float]]]:
    """The station's open visits and their kitchens on a small matrix of their own: the
    station first, then the elders, then the kitchens."""
    points = [depot]
    local: list[RVisit] = []
    for v in visits:
        elder = data.requests[v.id].elder
        local.append(replace(v, location=len(points)))
        points.append((elder.lat, elder.lon))  # type: ignore[arg-type]
    kitchens = []
    for key in sorted({v.kitchen for v in visits if v.kitchen is not None}):
        source = data.kitchens[key]
        kitchens.append(replace(data.problem.kitchen(key), location=len(points)))
        points.append((source.lat, source.lon))
    return local, kitchens, points


def _suggestion(s: Suggestion, rid: dict[str, int]) -> dict[str, Any]:
    return {
        "station": s.station,
        "skill": s.skill,
        "gender": s.gender,
        "mode": s.mode,
        "start": _clock(s.shift_start),
        "end": _clock(s.shift_end),
        "caregivers": s.caregivers,
        "hours": s.caregivers * (s.shift_end - s.shift_start) // 3600,
        "open": len(s.open_visits),
        "placed": len(s.placed),
        "open_requests": sorted(rid[v] for v in s.open_visits),
        "placed_requests": sorted(rid[v] for v in s.placed),
        "tried": [list(t) for t in s.tried],
    }


def _skill_names(session: AnySession, codes: set[str]) -> dict[str, str]:
    zh = str(get_locale() or "zh").startswith("zh")
    return {
        s.code: (s.name_zh if zh else s.name_en)
        for s in session.scalars(select(Skill).where(Skill.code.in_(codes or {""})))
    }


def suggestion_text(s: dict[str, Any], skill_name: str | None) -> str:
    values = {
        "station": s["station"],
        "num": s["caregivers"],
        "start": s["start"],
        "end": s["end"],
        "placed": s["placed"],
        "open": s["open"],
    }
    one = s["caregivers"] == 1
    if skill_name:
        text = (
            _(
                "%(station)s: 1 more caregiver with “%(skill)s”, %(start)s–%(end)s, places "
                "%(placed)d of the %(open)d open visits.",
                skill=skill_name,
                **values,
            )
            if one
            else _(
                "%(station)s: %(num)d more caregivers with “%(skill)s”, %(start)s–%(end)s, "
                "place %(placed)d of the %(open)d open visits.",
                skill=skill_name,
                **values,
            )
        )
    else:
        text = (
            _(
                "%(station)s: 1 more caregiver, %(start)s–%(end)s, places %(placed)d of the "
                "%(open)d open visits.",
                **values,
            )
            if one
            else _(
                "%(station)s: %(num)d more caregivers, %(start)s–%(end)s, place %(placed)d of "
                "the %(open)d open visits.",
                **values,
            )
        )
    if s.get("gender") == "female":
        text = _("%(advice)s Women: some of these elders ask for one.", advice=text)
    elif s.get("gender") == "male":
        text = _("%(advice)s Men: some of these elders ask for one.", advice=text)
    return text


def lines(
    session: AnySession, shortfall: dict[str, Any] | None, stations: Sequence[str] | None = None
) -> list[str]:
    """The advice in the reader's language: one line a suggestion (of ``stations`` only, when
    given), their total, then what was not proven over the whole run."""
    if not shortfall:
        return []
    found = shortfall.get("suggestions", [])
    total_open = shortfall.get("open", sum(s["open"] for s in found))
    if stations is not None:
        found = [s for s in found if s["station"] in stations]
        total_open = sum(s["open"] for s in found)
    names = _skill_names(session, {s["skill"] for s in found if s.get("skill")})
    out = [suggestion_text(s, names.get(s["skill"], s["skill"])) for s in found]
    if len(found) > 1:
        out.append(
            _(
                "In all: %(num)d more caregivers, %(hours)d caregiver-hours, placing %(placed)d "
                "of the %(open)d open visits (each line proven on its own).",
                num=sum(s["caregivers"] for s in found),
                hours=sum(s.get("hours", 0) for s in found),
                placed=sum(s["placed"] for s in found),
                open=total_open,
            )
        )
    hopeless = shortfall.get("hopeless", {})
    if hopeless.get("visits"):
        out.append(
            _(
                "%(visits)d open visits in %(groups)d groups: no extra shift from their station "
                "placed any.",
                visits=hopeless["visits"],
                groups=hopeless["groups"],
            )
        )
    unproven = shortfall.get("unproven", {})
    if unproven.get("visits"):
        out.append(
            _(
                "%(visits)d open visits in %(groups)d groups were not proven within the "
                "advice's %(budget).0f s.",
                visits=unproven["visits"],
                groups=unproven["groups"],
                budget=shortfall.get("budget_s", 0),
            )
        )
    return out
