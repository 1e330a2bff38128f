"""The figures of a finished planning run, computed once and stored on the run, and the
difference from the run before it.

All figures cover the visits of the run's date for elders of the run's stations as they
stand when the run finishes, kept (pinned, published) visits included.

- assigned: requests with at least one visit; ``visit_rows`` counts two-caregiver visits twice.
- on_time_share: visits whose planned start lies inside the request's window.
- utilisation: service minutes over the shift minutes of the caregivers with a visit.
- continuity_share: visits served by the caregiver who last served that elder before the
  day, among visits whose elder had such a caregiver.
- preferred_share: visits served by one of the elder's preferred caregivers, among visits
  whose elder has preferred caregivers; with continuity_share it is compared with the run
  before, so the figures show continuity before and after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from carehub.availability.services import rules_for
from carehub.core.enums import VisitStatus
from carehub.core.time import to_local
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.dispatch.planning.models import FINISHED, PlanningRun
from carehub.dispatch.timeline_rows import round_loading
from carehub.registry.models import Elder, Station

# The figures compared between runs, in the order shown.
COMPARED = (
    "assigned",
    "unassigned",
    "travel_minutes",
    "on_time_share",
    "utilisation",
    "continuity_share",
    "preferred_share",
    "lent",
)


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def run_visits(
    session: AnySession, run: PlanningRun, codes: Sequence[str] | None = None
) -> list[Visit]:
    """The run's day's visits for elders of its stations (or of ``codes`` among them), by
    caregiver and time."""
    ids = select(Station.id).where(Station.code.in_(run.stations if codes is None else codes))
    return list(
        session.scalars(
            select(Visit)
            .join(ServiceRequest, Visit.request_id == ServiceRequest.id)
            .join(Elder, ServiceRequest.elder_id == Elder.id)
            .where(
                ServiceRequest.service_date == run.service_date,
                Elder.station_id.in_(ids),
                Visit.status != VisitStatus.CANCELLED,
            )
            .options(
                selectinload(Visit.request).selectinload(ServiceRequest.elder),
                selectinload(Visit.request).selectinload(ServiceRequest.service_type),
                selectinload(Visit.caregiver),
                *round_loading(),
            )
            .order_by(Visit.caregiver_id, Visit.planned_start, Visit.id)
        )
    )


def _last_caregivers(
    session: AnySession, elder_ids: set[int], day: dt.date
) -> dict[int, int | None]:
    """Each elder's caregiver on their latest visit before ``day``."""
    if not elder_ids:
        return {}
    rows = session.execute(
        select(ServiceRequest.elder_id, Visit.caregiver_id)
        .join(Visit, Visit.request_id == ServiceRequest.id)
        .where(
            ServiceRequest.elder_id.in_(elder_ids),
            ServiceRequest.service_date < day,
            Visit.caregiver_id.is_not(None),
            Visit.status != VisitStatus.CANCELLED,
        )
        .order_by(ServiceRequest.service_date, Visit.planned_start, Visit.id)
    )
    last: dict[int, int | None] = {}
    for elder_id, caregiver_id in rows:
        last[elder_id] = caregiver_id  # later rows win
    return last


def _unassigned(session: AnySession, run: PlanningRun) -> list[dict[str, Any]]:
    ids = [int(u["request_id"]) for u in run.unassigned]
    found = {
        r.id: r
        for r in session.scalars(
            select(ServiceRequest)
            .where(ServiceRequest.id.in_(ids))
            .options(selectinload(ServiceRequest.elder))
        )
    }
    out = []
    for item in run.unassigned:
        r = found.get(int(item["request_id"]))
        if r is None:
            continue
        out.append(
            {
                "request_id": r.id,
                "elder_id": r.elder_id,
                "elder": r.elder.name,
                "elder_code": r.elder.code,
                "service_type_id": r.service_type_id,
                "window": f"{r.window_start:%H:%M}–{r.window_end:%H:%M}",
                "reason": str(item["reason"]),
            }
        )
    return out


def compute(session: AnySession, run: PlanningRun) -> dict[str, Any]:
    visits = [v for v in run_visits(session, run) if v.caregiver_id is not None]
    on_time = 0
    timed = 0
    service = 0
    for v in visits:
        if v.planned_start is None or v.planned_end is None:
            continue
        timed += 1
        start = to_local(v.planned_start).time()  # type: ignore[union-attr]
        if v.request.window_start <= start <= v.request.window_end:
            on_time += 1
        service += int((v.planned_end - v.planned_start).total_seconds() // 60)
    used = {v.caregiver_id: v.caregiver for v in visits}
    shift = sum(
        max(0, _minutes(c.shift_end) - _minutes(c.shift_start))
        for c in used.values()
        if c is not None
    )
    last = _last_caregivers(session, {v.request.elder_id for v in visits}, run.service_date)
    known = [v for v in visits if v.request.elder_id in last]
    same = sum(1 for v in known if last[v.request.elder_id] == v.caregiver_id)
    rules = rules_for(session, {v.request.elder_id for v in visits})
    liked = {e: {c.id for c in r.preferred} for e, r in rules.items() if r.preferred}
    wished = [v for v in visits if v.request.elder_id in liked]
    kept = sum(1 for v in wished if v.caregiver_id in liked[v.request.elder_id])
    return {
        "assigned": len({v.request_id for v in visits}),
        "visit_rows": len(visits),
        "unassigned": len(run.unassigned),
        "unassigned_list": _unassigned(session, run),
        "travel_minutes": run.travel_minutes or 0,
        "on_time_share": _share(on_time, timed),
        "service_minutes": service,
        "shift_minutes": shift,
        "caregivers_used": len(used),
        "utilisation": _share(service, shift),
        "continuity_share": _share(same, len(known)),
        "continuity_known": len(known),
        "preferred_share": _share(kept, len(wished)),
        "preferred_known": len(wished),
        "lent": sum(1 for v in visits if v.lent),
    }


# Figures where less is better; "lent" is neither better nor worse.
LOWER_IS_BETTER = frozenset({"unassigned", "travel_minutes"})
NEUTRAL = frozenset({"lent"})


def verdict(key: str, change: float) -> str:
    """ "better", "worse" or "" for a change of a compared figure."""
    if not change or key in NEUTRAL:
        return ""
    up = change > 0
    return "worse" if up == (key in LOWER_IS_BETTER) else "better"


def previous_run(session: AnySession, run: PlanningRun) -> PlanningRun | None:
    """The latest finished run before this one for the same date and the same stations."""
    candidates = session.scalars(
        select(PlanningRun)
        .where(
            PlanningRun.service_date == run.service_date,
            PlanningRun.id < run.id,
            PlanningRun.status.in_(FINISHED),
        )
        .order_by(PlanningRun.id.desc())
    )
    wanted = sorted(run.stations)
    return next((r for r in candidates if sorted(r.stations) == wanted and r.kpis), None)


def difference(current: dict[str, Any], before: dict[str, Any] | None) -> dict[str, float]:
    """Each compared figure now minus before; figures missing on either side are left out."""
    if not before:
        return {}
    out: dict[str, float] = {}
    for key in COMPARED:
        a, b = current.get(key), before.get(key)
        if a is not None and b is not None:
            out[key] = round(a - b, 4)
    return out
