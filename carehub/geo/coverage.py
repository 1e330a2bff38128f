"""The 15-minute service circles: which station's circle holds each elder, and who is left out.

A station's circle is every point reachable from it within ``circle_minutes`` by e-bike,
under the travel model. An elder belongs to the nearest station whose circle contains them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from carehub.core.enums import ElderStatus, TravelMode
from carehub.db import AnySession
from carehub.geo.travel import TravelModel, current_model
from carehub.registry.models import Elder, Station


@dataclass(frozen=True)
class StationPoint:
    id: int
    code: str
    name: str
    lat: float
    lon: float
    circle_minutes: int


@dataclass
class StationCoverage:
    station: StationPoint
    covered: int = 0  # elders whose nearest covering station is this one
    registered: int = 0  # elders registered at this station
    registered_outside: int = 0  # registered here but outside this station's circle


@dataclass
class Uncovered:
    elder_id: int
    code: str
    name: str
    address: str
    nearest_station_code: str | None
    minutes_to_nearest: float | None


@dataclass
class CoverageReport:
    stations: list[StationCoverage]
    uncovered: list[Uncovered] = field(default_factory=list)
    without_coordinates: int = 0
    elders_total: int = 0

    @property
    def covered_total(self) -> int:
        return sum(s.covered for s in self.stations)


def nearest_covering(
    point: tuple[float, float], stations: list[StationPoint], model: TravelModel
) -> tuple[StationPoint | None, StationPoint | None, float | None]:
    """(nearest station whose circle holds the point, nearest station at all, minutes to it)."""
    best_cover: tuple[float, StationPoint] | None = None
    best_any: tuple[float, StationPoint] | None = None
    for station in stations:
        minutes = model.minutes((station.lat, station.lon), point, TravelMode.EBIKE)
        if best_any is None or minutes < best_any[0]:
            best_any = (minutes, station)
        if minutes <= station.circle_minutes and (best_cover is None or minutes < best_cover[0]):
            best_cover = (minutes, station)
    return (
        best_cover[1] if best_cover else None,
        best_any[1] if best_any else None,
        best_any[0] if best_any else None,
    )


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
        cover, nearest, minutes = nearest_covering((lat, lon), stations, model)
        if (
            registered
            and model.minutes((registered.station.lat, registered.station.lon), (lat, lon))
            > registered.station.circle_minutes
        ):
            registered.registered_outside += 1
        if cover is None:
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


def assign_station(session: AnySession, elder: Elder, model: TravelModel | None = None) -> bool:
    """Put an elder at the nearest station whose circle holds them; False if none does
    (the elder then keeps the station they had)."""
    if not elder.has_coordinates:
        return False
    model = model or current_model()
    cover, _, _ = nearest_covering((elder.lat, elder.lon), load_stations(session), model)  # type: ignore[arg-type]
    if cover is None:
        return False
    elder.station_id = cover.id
    return True
