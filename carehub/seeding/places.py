"""Points near a place, and a fast approximate distance for picking candidate stations."""

from __future__ import annotations

import heapq
import math
import random

from carehub.geo.coverage import StationPoint, nearest_covering
from carehub.geo.travel import TravelModel

_M_PER_DEG_LAT = 111_320.0

LatLon = tuple[float, float]


def offset(origin: LatLon, north_m: float, east_m: float) -> LatLon:
    lat, lon = origin
    return (
        lat + north_m / _M_PER_DEG_LAT,
        lon + east_m / (_M_PER_DEG_LAT * math.cos(math.radians(lat))),
    )


def jitter(rng: random.Random, origin: LatLon, sigma_m: float, cap_m: float) -> LatLon:
    """A point scattered around ``origin``, never further than ``cap_m`` from it."""
    north = max(-cap_m, min(cap_m, rng.gauss(0.0, sigma_m)))
    east = max(-cap_m, min(cap_m, rng.gauss(0.0, sigma_m)))
    lat, lon = offset(origin, north, east)
    return round(lat, 6), round(lon, 6)


def in_disc(rng: random.Random, centre: LatLon, radius_m: float) -> LatLon:
    """A point uniformly distributed over a disc."""
    r = radius_m * math.sqrt(rng.random())
    angle = rng.uniform(0.0, 2 * math.pi)
    return offset(centre, r * math.cos(angle), r * math.sin(angle))


def approx_m(a: LatLon, b: LatLon) -> float:
    """Equirectangular distance: within a fraction of a percent of geodesic over a city."""
    north = (a[0] - b[0]) * _M_PER_DEG_LAT
    east = (a[1] - b[1]) * _M_PER_DEG_LAT * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(north, east)


def nearest_stations(point: LatLon, stations: list[StationPoint], k: int) -> list[StationPoint]:
    """The ``k`` stations nearest the point by the fast distance. With every circle the
    same size only these can be the nearest covering one, so only they need the exact
    (and slow) geodesic measure."""
    return heapq.nsmallest(k, stations, key=lambda s: approx_m(point, (s.lat, s.lon)))


def station_for(
    point: LatLon, stations: list[StationPoint], model: TravelModel
) -> tuple[StationPoint, bool]:
    """The nearest station whose circle holds the point, else the nearest one; and whether
    the point is covered at all."""
    cover, nearest, _ = nearest_covering(point, stations, model)
    chosen = cover or nearest
    if chosen is None:
        raise ValueError("no stations to choose from")
    return chosen, cover is not None
