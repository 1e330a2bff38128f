"""What the result page draws from a run's visits: the caregivers' timeline and the map."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from carehub.core.enums import VisitStatus
from carehub.db import AnySession
from carehub.dispatch.adapters import local_seconds
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.dispatch.planning import timeline
from carehub.dispatch.planning.kpis import run_visits
from carehub.dispatch.planning.models import PlanningRun
from carehub.dispatch.reasons import reason_text
from carehub.geo.travel import current_model
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


def _minutes(t: Any) -> int:
    return int(t.hour) * 60 + int(t.minute)


def _home(c: Caregiver) -> tuple[float, float] | None:
    if c.home_lat is not None and c.home_lon is not None:
        return (c.home_lat, c.home_lon)
    if c.station is not None and c.station.lat is not None:
        return (c.station.lat, c.station.lon)
    return None


def _lunch(c: Caregiver) -> tuple[int, int, int] | None:
    if c.lunch_start is None or c.lunch_end is None or not c.lunch_minutes:
        return None
    return (_minutes(c.lunch_start), _minutes(c.lunch_end), c.lunch_minutes)


def _place(elder: Elder) -> tuple[float, float] | None:
    return (elder.lat, elder.lon) if elder.has_coordinates else None  # type: ignore[return-value]


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


def _travel() -> timeline.TravelMinutes:
    model = current_model()

    def minutes(a: Any, b: Any, mode: str) -> int:
        if a is None or b is None:
            return 0
        return round(model.seconds(a, b, mode) / 60)

    return minutes


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
        )
    )
    return own + [v for v in lent_out if v.id not in seen]


def timeline_for(
    session: AnySession, run: PlanningRun, visits: list[Visit], codes: Sequence[str]
) -> timeline.Timeline:
    locale = str(get_locale() or "zh")
    workers = [
        timeline.Worker(
            c.id,
            c.name,
            c.code,
            _minutes(c.shift_start),
            _minutes(c.shift_end),
            _home(c),
            str(c.travel_mode),
            lunch=_lunch(c),
        )
        for c in _caregivers(session, run, codes, {v.caregiver_id for v in visits})  # type: ignore[misc]
    ]
    stops = [
        timeline.Stop(
            v.id,
            v.version,
            v.caregiver_id,  # type: ignore[arg-type]
            local_seconds(v.planned_start, run.service_date) // 60,  # type: ignore[arg-type]
            local_seconds(v.planned_end or v.planned_start, run.service_date) // 60,  # type: ignore[arg-type]
            v.request.elder.name,
            v.request.service_type.display_name(locale),
            _place(v.request.elder),
            v.lent,
            str(v.status),
        )
        for v in visits
    ]
    return timeline.build(workers, stops, _travel())


def map_data(
    session: AnySession, run: PlanningRun, visits: list[Visit], codes: Sequence[str]
) -> dict[str, Any]:
    """Stations, each caregiver's route (home, numbered stops, home) and unplaced elders."""
    locale = str(get_locale() or "zh")
    stations = session.scalars(select(Station).where(Station.code.in_(codes)))
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
                "home": _home(cg),
                "stops": [],
            },
        )
        place = _place(v.request.elder)
        if place is None:
            continue
        start = local_seconds(v.planned_start, run.service_date) // 60  # type: ignore[arg-type]
        route["stops"].append(
            {
                "seq": len(route["stops"]) + 1,
                "lat": place[0],
                "lon": place[1],
                "elder": v.request.elder.name,
                "service": v.request.service_type.display_name(locale),
                "time": timeline.clock(start),
            }
        )
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
        "routes": list(routes.values()),
        "unassigned": [
            {"elder": u["elder"], "lat": e.lat, "lon": e.lon, "reason": reason_text(u["reason"])}
            for u in unplaced
            if (e := elders.get(u["elder_id"])) is not None and e.has_coordinates
        ],
    }
