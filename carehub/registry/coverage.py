"""Coverage of the registry: each station's 15-minute circle and the elders outside every circle.

The geometry is ``carehub.geo.coverage``'s; this module reads stations and elders for it.
An elder belongs to the nearest station whose circle contains them.
"""

from __future__ import annotations

from sqlalchemy import select

from carehub.core.enums import ElderStatus
from carehub.db import AnySession
from carehub.geo.coverage import (
    CoverageReport,
    StationCoverage,
    StationIndex,
    StationPoint,
    Uncovered,
)
from carehub.geo.travel import TravelModel, current_model
from carehub.registry.models import Elder, Station


def load_stations(session: AnySession) -> list[StationPoint]:
    rows = session.execute(
        select(
            Station.id,
            Station.code,
            Station.name,
            Station.lat,
            Station.lon,
            Station.circle_minutes,
        )
        .where(Station.active.is_(True))
        .order_by(Station.code)
    )
    return [StationPoint(*row) for row in rows]


def compute(session: AnySession, model: TravelModel | None = None) -> CoverageReport:
    """Coverage of every elder not deceased or moved away."""
    model = model or current_model()
    stations = load_stations(session)
    index = StationIndex(stations, model)
    by_id = {s.id: StationCoverage(s) for s in stations}
    report = CoverageReport(stations=list(by_id.values()))
    rows = session.execute(
        select(
            Elder.id, Elder.code, Elder.name, Elder.address, Elder.lat, Elder.lon, Elder.station_id
        )
        .where(Elder.status.not_in([ElderStatus.DECEASED, ElderStatus.MOVED]))
        .order_by(Elder.code)
    )
    for elder_id, code, name, address, lat, lon, station_id in rows:
        report.elders_total += 1
        registered = by_id.get(station_id) if station_id else None
        if registered:
            registered.registered += 1
        if lat is None or lon is None:
            report.without_coordinates += 1
            continue
        cover = index.covering((lat, lon))
        if registered and not index.holds(registered.station, (lat, lon)):
            registered.registered_outside += 1
        if cover is None:
            nearest, minutes = index.nearest((lat, lon))
            report.uncovered.append(
                Uncovered(
                    elder_id,
                    code,
                    name,
                    address,
                    nearest.code if nearest else None,
                    round(minutes, 1) if minutes is not None else None,
                )
            )
        else:
            by_id[cover.id].covered += 1
    return report
