"""What the result page draws from a run's visits: the caregivers' timeline and the map."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from carehub.core.enums import VisitStatus
from carehub.db import AnySession
from carehub.dispatch import timeline, timeline_rows
from carehub.dispatch.adapters import local_seconds
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.dispatch.planning.kpis import run_visits
from carehub.dispatch.planning.models import PlanningRun
from carehub.dispatch.reasons import reason_text
from carehub.registry.models import Caregiver, Elder, Station

COLOURS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
)


def _caregivers(
    session: AnySession, run: PlanningRun, codes: Sequence[str], used: set[int]
) -> list[Caregiver]:
    """Caregivers on shift at these stations that day, and any other with a visit."""
    found = session.scalars(
        select(Caregiver)
        .join(Station, Caregiver.station_id == Station.id)
        .where(Station.code.in_(codes) | Caregiver.id.in_(used or {0}))
        .options(selectinload(Caregiver.station))
    )
    keep = [c for c in found if c.id in used or (c.active and c.works_on(run.service_date))]
    return sorted(keep, key=lambda c: (c.station.code if c.station else "", c.code))


def placed_visits(session: AnySession, run: PlanningRun, codes: Sequence[str]) -> list[Visit]:
    """The day's visits of these stations' elders with a caregiver and a time, for the
    timeline and the map, and the visits their caregivers were lent out for, so that a
    caregiver's row shows their whole day."""
    own = [v for v in run_visits(session, run, codes) if v.caregiver_id and v.planned_start]
    seen = {v.id for v in own}
    lent_out = session.scalars(
        select(Visit)
        .join(ServiceRequest, Visit.request_id == ServiceRequest.id)
        .join(Caregiver, Visit.caregiver_id == Caregiver.id)
        .join(Station, Caregiver.station_id == Station.id)
        .where(
            ServiceRequest.service_date == run.service_date,
            Station.code.in_(codes),
            Visit.status != VisitStatus.CANCELLED,
            Visit.planned_start.is_not(None),
        )
        .options(
            selectinload(Visit.request).selectinload(ServiceRequest.elder),
            selectinload(Visit.request).selectinload(ServiceRequest.service_type),
            selectinload(Visit.caregiver),
            *timeline_rows.round_loading(),
        )
    )
    return own + [v for v in lent_out if v.id not in seen]


def timeline_for(
    session: AnySession, run: PlanningRun, visits: list[Visit], codes: Sequence[str]
) -> timeline.Timeline:
    used = {v.caregiver_id for v in visits if v.caregiver_id is not None}
    return timeline_rows.build(
        _caregivers(session, run, codes, used),
        visits,
        run.service_date,
        str(get_locale() or "zh"),
    )


def _routes(visits: list[Visit], day: dt.date, locale: str) -> list[dict[str, Any]]:
    """Each caregiver's route: numbered stops, the kitchens where meals are collected, and
    the path through both in time order."""
    routes: dict[int, dict[str, Any]] = {}
    for v in sorted(visits, key=lambda v: (v.caregiver_id, v.planned_start)):
        cg = v.caregiver
        if cg is None:
            continue
        route = routes.setdefault(
            cg.id,
            {
                "caregiver": cg.name,
                "code": cg.code,
                "colour": COLOURS[len(routes) % len(COLOURS)],
                "home": timeline_rows.home(cg),
                "stops": [],
                "kitchens": [],
                "path": [],
            },
        )
        place = timeline_rows.place(v.request.elder)
        if place is None:
            continue
        start = local_seconds(v.planned_start, day) // 60  # type: ignore[arg-type]
        route["stops"].append(
            {
                "seq": len(route["stops"]) + 1,
                "lat": place[0],
                "lon": place[1],
                "elder": v.request.elder.name,
                "service": v.request.service_type.display_name(locale),
                "time": timeline.clock(start),
                "at": start,
            }
        )
    for found in timeline_rows.collects(visits, day):
        held = routes.get(found.caregiver_id)
        if held is None or found.location is None:
            continue
        label = _("Meals to collect at %(kitchen)s: %(n)s", n=found.meals, kitchen=found.kitchen)
        held["kitchens"].append(
            {
                "lat": found.location[0],
                "lon": found.location[1],
                "time": timeline.clock(found.start),
                "label": label,
                "at": found.start,
            }
        )
    for route in routes.values():
        # Collections before the drops of the same minute: the meals are loaded first.
        points = [(k["at"], 0, k) for k in route["kitchens"]]
        points += [(s["at"], 1, s) for s in route["stops"]]
        route["path"] = [[p["lat"], p["lon"]] for _, _, p in sorted(points, key=lambda x: x[:2])]
    return list(routes.values())


def map_data(
    session: AnySession, run: PlanningRun, visits: list[Visit], codes: Sequence[str]
) -> dict[str, Any]:
    """Stations, each caregiver's route (home, numbered stops and kitchens, home) and
    unplaced elders."""
    locale = str(get_locale() or "zh")
    stations = session.scalars(select(Station).where(Station.code.in_(codes)))
    routes = _routes(visits, run.service_date, locale)
    unplaced = (run.kpis or {}).get("unassigned_list", [])
    elders = {
        e.id: e
        for e in session.scalars(
            select(Elder).where(
                Elder.id.in_({u["elder_id"] for u in unplaced}),
                Elder.station_id.in_(select(Station.id).where(Station.code.in_(codes))),
            )
        )
    }
    return {
        "stations": [
            {"code": s.code, "name": s.name, "lat": s.lat, "lon": s.lon}
            for s in stations
            if s.lat is not None and s.lon is not None
        ],
        "routes": routes,
        "unassigned": [
            {"elder": u["elder"], "lat": e.lat, "lon": e.lon, "reason": reason_text(u["reason"])}
            for u in unplaced
            if (e := elders.get(u["elder_id"])) is not None and e.has_coordinates
        ],
    }
