"""Travel matrices for a set of points: seconds per travel mode and street metres.

Every provider returns the same ``Matrices``; the planner does not care whether the
metres came from the straight-line model or from a street router.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from carehub.geo.travel import LatLon, TravelModel
from carehub.routing.problem import IntArray, MatrixInput

# Up to this many places the model's matrices are computed whole (a district: a few megabytes);
# above it they are lazy, and only the parts a solve cuts out are ever computed.
DENSE_MAX = 1500


@dataclass(frozen=True)
class Matrices:
    travel: Mapping[str, MatrixInput]  # seconds, one per mode
    distance: MatrixInput  # metres


class MatrixProvider(Protocol):
    def matrices(self, points: Sequence[LatLon], modes: Sequence[str]) -> Matrices: ...


def seconds_from_metres(
    metres: Sequence[Sequence[float]] | np.ndarray, speed_m_per_s: float
) -> IntArray:
    """Whole seconds rounded up, as ``TravelModel.seconds`` does: a plan never promises too little."""
    return np.ceil(np.asarray(metres, dtype=float) / speed_m_per_s).astype(np.int64)


def rounded(metres: Sequence[Sequence[float]] | np.ndarray) -> IntArray:
    return np.rint(np.asarray(metres, dtype=float)).astype(np.int64)


# WGS-84, as geopy's geodesic uses.
_A = 6_378_137.0
_E2 = 6.69437999014e-3


class Plane:
    """Places on the ellipsoid's tangent plane at their centre: geodesic metres between any
    two, computed whole or one pair at a time with the same result to the last bit.

    geopy's geodesic costs about 0.2 ms a pair, so a thousand places would take two minutes;
    over a city (tens of kilometres) this local projection stays within 0.05 % of it. The
    east-west scale is the mean of the two places' cosines of latitude (within 1e-5 of the
    cosine at their mean latitude over a city), so every pair needs only +, -, *, / and the
    square root, which numpy and Python round alike: an entry read alone equals the same
    entry of any block, and a plan checked against the whole day's places agrees with the
    solve that made it from a part.
    """

    def __init__(self, points: Sequence[LatLon]) -> None:
        lat = np.radians(np.array([p[0] for p in points], dtype=float))
        lon = np.radians(np.array([p[1] for p in points], dtype=float))
        mid = float(lat.max() + lat.min()) / 2 if len(points) else 0.0
        w = 1 - _E2 * math.sin(mid) ** 2
        self.meridian = _A * (1 - _E2) / w**1.5  # radius of curvature north-south
        self.normal = _A / math.sqrt(w)  # east-west
        self.lat, self.lon, self.cos = lat, lon, np.cos(lat)
        # Plain floats for reading one pair from Python.
        self._lat, self._lon, self._cos = lat.tolist(), lon.tolist(), self.cos.tolist()

    def __len__(self) -> int:
        return len(self._lat)

    def block(self, rows: Sequence[int], cols: Sequence[int]) -> np.ndarray:
        r, c = np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp)
        dy = (self.lat[r][:, None] - self.lat[c][None, :]) * self.meridian
        scale = (self.cos[r][:, None] + self.cos[c][None, :]) * 0.5
        dx = (self.lon[r][:, None] - self.lon[c][None, :]) * self.normal * scale
        return np.sqrt(dx * dx + dy * dy)

    def pair(self, i: int, j: int) -> float:
        dy = (self._lat[i] - self._lat[j]) * self.meridian
        scale = (self._cos[i] + self._cos[j]) * 0.5
        dx = (self._lon[i] - self._lon[j]) * self.normal * scale
        return math.sqrt(dx * dx + dy * dy)


def pair_metres(a: LatLon, b: LatLon) -> float:
    """Metres between two points on the tangent plane at their middle: within 0.05 % of the
    geodesic over a city, in microseconds where geopy takes about 0.2 ms a pair."""
    mid = math.radians((a[0] + b[0]) / 2)
    w = 1 - _E2 * math.sin(mid) ** 2
    dy = math.radians(a[0] - b[0]) * _A * (1 - _E2) / w**1.5
    dx = math.radians(a[1] - b[1]) * _A / math.sqrt(w) * math.cos(mid)
    return math.sqrt(dx * dx + dy * dy)


def local_metres(points: Sequence[LatLon]) -> np.ndarray:
    """Geodesic metres between all points (see ``Plane``)."""
    if not points:
        return np.zeros((0, 0))
    every = range(len(points))
    return Plane(points).block(every, every)


class LazyModelMatrix:
    """One matrix of the straight-line model over a plane's places, computed on demand:
    street metres (``speed`` None, rounded) or seconds at ``speed`` (rounded up). A
    ``routing.problem.LazyMatrix``."""

    def __init__(self, plane: Plane, detour: float, speed: float | None) -> None:
        self.plane, self.detour, self.speed = plane, detour, speed

    def __len__(self) -> int:
        return len(self.plane)

    def entry(self, i: int, j: int) -> int:
        metres = self.plane.pair(i, j) * self.detour
        if self.speed is None:
            return round(metres)
        return math.ceil(metres / self.speed)

    def block(self, rows: Sequence[int], cols: Sequence[int]) -> IntArray:
        metres = self.plane.block(rows, cols) * self.detour
        if self.speed is None:
            return rounded(metres)
        return seconds_from_metres(metres, self.speed)


@dataclass(frozen=True)
class ModelMatrices:
    """The straight-line model: street metres are the geodesic times the detour factor.

    A district's matrices are numpy arrays; a city's (more than ``dense_max`` places) are
    lazy, so a day holds no matrix growing with the square of its places.
    """

    model: TravelModel
    dense_max: int = DENSE_MAX

    def matrices(self, points: Sequence[LatLon], modes: Sequence[str]) -> Matrices:
        plane = Plane(points)
        detour = self.model.detour_factor
        speeds = {m: self.model.speed_m_per_s(m) for m in modes}
        if len(points) > self.dense_max:
            return Matrices(
                travel={m: LazyModelMatrix(plane, detour, v) for m, v in speeds.items()},
                distance=LazyModelMatrix(plane, detour, None),
            )
        every = range(len(points))
        metres = plane.block(every, every) * detour
        return Matrices(
            travel={m: seconds_from_metres(metres, v) for m, v in speeds.items()},
            distance=rounded(metres),
        )


def provider(config: object, model: TravelModel) -> MatrixProvider:
    """OSRM when ``OSRM_URL`` is configured, else the straight-line model."""
    get = config.get  # type: ignore[attr-defined]
    url = get("OSRM_URL") or ""
    if url:
        from carehub.geo.osrm import OsrmMatrices

        return OsrmMatrices(url, model, timeout_s=float(get("OSRM_TIMEOUT_S", 10.0)))
    return ModelMatrices(model)
