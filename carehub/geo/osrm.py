"""Street distances from an OSRM ``table`` service (``CAREHUB_OSRM_URL``).

OSRM gives the metres along streets; the seconds per mode are those metres at the travel
model's speed for the mode. A city's OSRM instance serves one profile (usually the car),
whose durations say nothing about an e-bike or a walker, while its street distances hold for
all three. Pairs OSRM cannot route (null in the answer) fall back to the straight-line model.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from carehub.geo.matrix import Matrices, rounded, seconds_from_metres
from carehub.geo.travel import LatLon, TravelModel

# osrm-routed refuses tables larger than --max-table-size (100 by default) a side.
DEFAULT_CHUNK = 100


class OsrmError(RuntimeError):
    pass


@dataclass(frozen=True)
class OsrmMatrices:
    base_url: str  # e.g. http://osrm.internal:5000
    model: TravelModel
    profile: str = "driving"
    timeout_s: float = 10.0
    chunk: int = DEFAULT_CHUNK

    def table_url(self, points: Sequence[LatLon], sources: range, destinations: range) -> str:
        # OSRM takes lon,lat pairs.
        coords = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
        url = f"{self.base_url.rstrip('/')}/table/v1/{self.profile}/{coords}?annotations=distance"
        if len(sources) < len(points) or len(destinations) < len(points):
            url += "&sources=" + ";".join(map(str, sources))
            url += "&destinations=" + ";".join(map(str, destinations))
        return url

    def fetch(self, url: str) -> dict[str, Any]:
        with urllib.request.urlopen(url, timeout=self.timeout_s) as response:  # noqa: S310
            body: dict[str, Any] = json.load(response)
        if body.get("code") != "Ok":
            raise OsrmError(f"OSRM table failed: {body.get('code')} {body.get('message', '')}")
        return body

    def matrices(self, points: Sequence[LatLon], modes: Sequence[str]) -> Matrices:
        n = len(points)
        metres: list[list[float]] = [[0.0] * n for _ in range(n)]
        for a in range(0, n, self.chunk):
            for b in range(0, n, self.chunk):
                if n <= self.chunk:
                    sources = destinations = range(n)
                    sub: Sequence[LatLon] = points
                else:
                    # Send only the coordinates this block needs, and index into them.
                    rows, cols = range(a, min(a + self.chunk, n)), range(b, min(b + self.chunk, n))
                    sub = [points[i] for i in rows] + [points[j] for j in cols]
                    sources = range(len(rows))
                    destinations = range(len(rows), len(rows) + len(cols))
                body = self.fetch(self.table_url(sub, sources, destinations))
                for si, row in enumerate(body["distances"]):
                    i = a + si
                    for dj, value in enumerate(row):
                        j = b + dj
                        if i == j:
                            continue
                        metres[i][j] = (
                            float(value)
                            if value is not None
                            else self.model.street_metres(points[i], points[j])
                        )
        return Matrices(
            travel={m: seconds_from_metres(metres, self.model.speed_m_per_s(m)) for m in modes},
            distance=rounded(metres),
        )
