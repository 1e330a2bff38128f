"""One travel-time model: straight-line distance times a street-detour factor, at the mode's speed.

Straight lines under-state street distance by about a third in a city grid, hence the
default factor of 1.33. Both the factor and the speeds are configurable.
"""

from __future__ import annotations

from dataclasses import dataclass

from geopy.distance import geodesic

from carehub.core.enums import TravelMode

# Mainland China's bounding box, generous at the edges; used to reject swapped or
# mistyped coordinates at import.
CHINA_LAT = (18.0, 53.6)
CHINA_LON = (73.4, 135.1)

LatLon = tuple[float, float]


@dataclass(frozen=True)
class TravelModel:
    detour_factor: float = 1.33
    speed_ebike_kmh: float = 15.0
    speed_walk_kmh: float = 4.5

    @classmethod
    def from_config(cls, config: object) -> TravelModel:
        get = config.get  # type: ignore[attr-defined]
        return cls(
            detour_factor=float(get("DETOUR_FACTOR", 1.33)),
            speed_ebike_kmh=float(get("SPEED_EBIKE_KMH", 15.0)),
            speed_walk_kmh=float(get("SPEED_WALK_KMH", 4.5)),
        )

    def speed_m_per_s(self, mode: TravelMode | str) -> float:
        kmh = self.speed_walk_kmh if TravelMode(mode) == TravelMode.WALK else self.speed_ebike_kmh
        return kmh * 1000 / 3600

    def street_metres(self, a: LatLon, b: LatLon) -> float:
        return distance_m(a, b) * self.detour_factor

    def seconds(self, a: LatLon, b: LatLon, mode: TravelMode | str = TravelMode.EBIKE) -> int:
        """Travel time in whole seconds, rounded up so a plan never promises too little."""
        metres = self.street_metres(a, b)
        return int(-(-metres // self.speed_m_per_s(mode)))

    def minutes(self, a: LatLon, b: LatLon, mode: TravelMode | str = TravelMode.EBIKE) -> float:
        return self.seconds(a, b, mode) / 60


def distance_m(a: LatLon, b: LatLon) -> float:
    """Geodesic (WGS-84) distance in metres."""
    return float(geodesic(a, b).meters)


def in_china(lat: float, lon: float) -> bool:
    return CHINA_LAT[0] <= lat <= CHINA_LAT[1] and CHINA_LON[0] <= lon <= CHINA_LON[1]


def current_model() -> TravelModel:
    from flask import current_app, has_app_context

    return TravelModel.from_config(current_app.config) if has_app_context() else TravelModel()
