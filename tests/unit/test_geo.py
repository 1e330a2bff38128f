"""Distances and the travel-time model, without app or database."""

from __future__ import annotations

import pytest

from carehub.core.enums import TravelMode
from carehub.geo.coverage import StationPoint, nearest_covering
from carehub.geo.geocoding import FakeGeocoder
from carehub.geo.travel import TravelModel, distance_m, in_china

# Two points 1 km apart along a meridian (1 degree of latitude is about 111.0 km here).
A = (39.1000, 117.2000)
B = (39.1090, 117.2000)


def test_distance_is_geodesic_metres() -> None:
    assert distance_m(A, B) == pytest.approx(999, abs=5)


def test_travel_time_applies_detour_and_speed() -> None:
    model = TravelModel(detour_factor=1.33, speed_ebike_kmh=15, speed_walk_kmh=4.5)
    # 999 m * 1.33 = 1329 m; at 15 km/h (4.1667 m/s) that is 319 s; on foot 1063 s.
    assert model.seconds(A, B, TravelMode.EBIKE) == pytest.approx(319, abs=2)
    assert model.seconds(A, B, TravelMode.WALK) == pytest.approx(1063, abs=4)


def test_detour_factor_and_speeds_are_configurable() -> None:
    model = TravelModel.from_config({"DETOUR_FACTOR": 1.0, "SPEED_EBIKE_KMH": 18.0})
    assert model.seconds(A, B) == pytest.approx(200, abs=2)


def test_china_bounds_reject_swapped_coordinates() -> None:
    assert in_china(39.1, 117.2)
    assert not in_china(117.2, 39.1)
    assert not in_china(51.5, -0.12)


def test_nearest_covering_station_and_uncovered_points() -> None:
    near = StationPoint(1, "S1", "near", 39.1000, 117.2000, 15)
    far = StationPoint(2, "S2", "far", 39.2000, 117.2000, 15)
    model = TravelModel()
    cover, nearest, minutes = nearest_covering(B, [far, near], model)
    assert cover == near and nearest == near and minutes == pytest.approx(5.3, abs=0.1)
    # 5 km north of S1 is about 22 minutes by e-bike: outside every circle.
    cover, nearest, minutes = nearest_covering((39.145, 117.2), [near], model)
    assert cover is None and nearest == near and minutes > 15


def test_fake_geocoder_is_deterministic_and_can_miss() -> None:
    geocoder = FakeGeocoder()
    assert geocoder.geocode("和平区南京路1号") == geocoder.geocode("和平区南京路1号")
    assert geocoder.geocode("nowhere street") is None


def test_station_index_agrees_with_brute_force_geodesic() -> None:
    import random

    from carehub.geo.coverage import StationIndex

    rng = random.Random(3)
    model = TravelModel()
    stations = [
        StationPoint(
            i,
            f"S{i}",
            "",
            39.05 + rng.random() * 0.15,
            117.1 + rng.random() * 0.2,
            rng.choice([10, 15, 20]),
        )
        for i in range(25)
    ]
    index = StationIndex(stations, model)
    for _ in range(400):
        point = (39.0 + rng.random() * 0.25, 117.05 + rng.random() * 0.3)
        exact = [s for s in stations if model.minutes((s.lat, s.lon), point) <= s.circle_minutes]
        expected = min(exact, key=lambda s: distance_m((s.lat, s.lon), point)) if exact else None
        assert index.covering(point) == expected
        for station in stations:
            assert index.holds(station, point) == (station in exact)
