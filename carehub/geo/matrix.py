"""Travel matrices for a set of points: seconds per travel mode and street metres.

Every provider returns the same ``Matrices``; the planner does not care whether the
metres came from the straight-line model or from a street router.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from carehub.geo.travel import LatLon, TravelModel

Matrix = tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Matrices:
    travel: dict[str, Matrix]  # seconds, one per mode
    distance: Matrix  # metres


class MatrixProvider(Protocol):
    def matrices(self, points: Sequence[LatLon], modes: Sequence[str]) -> Matrices: ...


def seconds_from_metres(
    metres: Sequence[Sequence[float]] | np.ndarray, speed_m_per_s: float
) -> Matrix:
    """Whole seconds rounded up, as ``TravelModel.seconds`` does: a plan never promises too little."""
    seconds = np.ceil(np.asarray(metres, dtype=float) / speed_m_per_s).astype(int)
    return tuple(map(tuple, seconds.tolist()))


def rounded(metres: Sequence[Sequence[float]] | np.ndarray) -> Matrix:
    return tuple(map(tuple, np.rint(np.asarray(metres, dtype=float)).astype(int).tolist()))


# WGS-84, as geopy's geodesic uses.
_A = 6_378_137.0
_E2 = 6.69437999014e-3


def local_metres(points: Sequence[LatLon]) -> np.ndarray:
    """Geodesic metres between all points, on the ellipsoid's tangent plane at their centre.

    geopy's geodesic costs about 0.2 ms a pair, so a thousand places would take two minutes;
    over a city (tens of kilometres) this local projection stays within 0.05 % of it and
    computes the whole matrix at once.
    """
    if not points:
        return np.zeros((0, 0))
    lat = np.radians(np.array([p[0] for p in points], dtype=float))
    lon = np.radians(np.array([p[1] for p in points], dtype=float))
    mid = (lat.max() + lat.min()) / 2
    w = 1 - _E2 * np.sin(mid) ** 2
    meridian = _A * (1 - _E2) / w**1.5  # radius of curvature north-south
    normal = _A / np.sqrt(w)  # east-west
    dy = (lat[:, None] - lat[None, :]) * meridian
    # East-west at each pair's own mean latitude: one latitude for all would be 0.1 % off
    # across a district.
    dx = (lon[:, None] - lon[None, :]) * normal * np.cos((lat[:, None] + lat[None, :]) / 2)
    return np.hypot(dx, dy)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ModelMatrices:
    """The straight-line model: street metres are the geodesic times the detour factor."""

    model: TravelModel

    def matrices(self, points: Sequence[LatLon], modes: Sequence[str]) -> Matrices:
        metres = local_metres(points) * self.model.detour_factor
        return Matrices(
            travel={m: seconds_from_metres(metres, self.model.speed_m_per_s(m)) for m in modes},
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
