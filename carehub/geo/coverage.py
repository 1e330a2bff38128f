"""The 15-minute service circles: which station's circle holds a point, and the nearest station.

A station's circle is every point reachable from it within ``circle_minutes`` by e-bike,
under the travel model. A point belongs to the nearest station whose circle contains it.
Reading stations and elders from the database is ``carehub.registry.coverage``'s part.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from carehub.core.enums import TravelMode
from carehub.geo.travel import TravelModel


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


class StationIndex:
    """Stations bucketed on a grid, so each point is tested against the few stations near it.

    Geodesic distances are exact but slow (about 0.1 ms each); a city has 30,000 elders and
    100 stations. A cheap equirectangular distance screens candidates, and the geodesic
    model decides only the cases within 1 % of a circle's edge.
    """

    MARGIN = 0.01

    def __init__(self, stations: list[StationPoint], model: TravelModel) -> None:
        self.stations = stations
        self.model = model
        speed = model.speed_m_per_s(TravelMode.EBIKE)
        # Straight-line reach of each circle: travel time budget at speed, less the detour.
        self.reach_m = {s.id: s.circle_minutes * 60 * speed / model.detour_factor for s in stations}
        widest = max(self.reach_m.values(), default=1.0) * (1 + self.MARGIN)
        mean_lat = sum(s.lat for s in stations) / len(stations) if stations else 0.0
        self._lat_cell = widest / _M_PER_DEG_LAT
        self._lon_cell = widest / (_M_PER_DEG_LAT * max(math.cos(math.radians(mean_lat)), 0.1))
        self._grid: dict[tuple[int, int], list[StationPoint]] = {}
        for station in stations:
            self._grid.setdefault(self._cell(station.lat, station.lon), []).append(station)

    def _cell(self, lat: float, lon: float) -> tuple[int, int]:
        return (math.floor(lat / self._lat_cell), math.floor(lon / self._lon_cell))

    def covering(self, point: tuple[float, float]) -> StationPoint | None:
        """The nearest station whose circle holds the point, or None."""
        row, col = self._cell(*point)
        best: tuple[float, StationPoint] | None = None
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                for station in self._grid.get((row + dr, col + dc), ()):
                    metres = fast_distance_m((station.lat, station.lon), point)
                    if (best is None or metres < best[0]) and self._within(station, point, metres):
                        best = (metres, station)
        return best[1] if best else None

    def holds(self, station: StationPoint, point: tuple[float, float]) -> bool:
        """Whether the station's circle holds the point."""
        return self._within(station, point, fast_distance_m((station.lat, station.lon), point))

    def _within(self, station: StationPoint, point: tuple[float, float], metres: float) -> bool:
        reach = self.reach_m[station.id]
        if metres > reach * (1 + self.MARGIN):
            return False
        if metres < reach * (1 - self.MARGIN):
            return True
        return self.model.minutes((station.lat, station.lon), point) <= station.circle_minutes

    def nearest(self, point: tuple[float, float]) -> tuple[StationPoint | None, float | None]:
        """The nearest station of all and the travel minutes to it."""
        if not self.stations:
            return None, None
        station = min(self.stations, key=lambda s: fast_distance_m((s.lat, s.lon), point))
        return station, self.model.minutes((station.lat, station.lon), point)


_M_PER_DEG_LAT = 111_195.0


def fast_distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Equirectangular approximation: within a fraction of a percent of the geodesic over a
    city's distances, and a hundred times cheaper. Used only to screen."""
    mean_lat = math.radians((a[0] + b[0]) / 2)
    dy = b[0] - a[0]
    dx = (b[1] - a[1]) * math.cos(mean_lat)
    return math.hypot(dx, dy) * _M_PER_DEG_LAT


def nearest_covering(
    point: tuple[float, float], stations: list[StationPoint], model: TravelModel
) -> tuple[StationPoint | None, StationPoint | None, float | None]:
    """(nearest station whose circle holds the point, nearest station at all, minutes to it)."""
    index = StationIndex(stations, model)
    nearest, minutes = index.nearest(point)
    return index.covering(point), nearest, minutes
