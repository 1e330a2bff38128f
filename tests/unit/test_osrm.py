"""OSRM table provider and model matrices, against a stored response; never the network."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import pytest

from carehub.geo import osrm
from carehub.geo.matrix import ModelMatrices, local_metres, provider
from carehub.geo.travel import TravelModel, distance_m

RESPONSE = Path(__file__).parents[1] / "data" / "osrm_table_tianjin.json"
POINTS = [(39.1175, 117.195), (39.1295, 117.197), (39.14, 117.2)]


class _Fake:
    def __init__(self, bodies: list[bytes]) -> None:
        self.bodies = bodies
        self.calls: list[tuple[str, float]] = []

    def __call__(self, url: str, timeout: float) -> io.BytesIO:
        self.calls.append((url, timeout))
        return io.BytesIO(self.bodies[len(self.calls) - 1])


def test_table_response_becomes_metres_and_seconds_per_mode(monkeypatch) -> None:
    fake = _Fake([RESPONSE.read_bytes()])
    monkeypatch.setattr(osrm.urllib.request, "urlopen", fake)
    model = TravelModel()
    m = osrm.OsrmMatrices("http://osrm.test:5000/", model, timeout_s=3).matrices(
        POINTS, ["ebike", "walk"]
    )
    url, timeout = fake.calls[0]
    assert timeout == 3
    assert url == (
        "http://osrm.test:5000/table/v1/driving/"
        "117.195000,39.117500;117.197000,39.129500;117.200000,39.140000?annotations=distance"
    )
    assert m.distance[0][1] == 1523 and m.distance[1][0] == 1499 and m.distance[2][1] == 1303
    assert m.travel["ebike"][0][1] == math.ceil(1523.4 / model.speed_m_per_s("ebike"))
    assert m.travel["walk"][0][2] == math.ceil(2710.2 / model.speed_m_per_s("walk"))
    # The unroutable pair falls back to the straight-line model.
    assert m.distance[1][2] == round(model.street_metres(POINTS[1], POINTS[2]))
    assert all(m.distance[i][i] == 0 for i in range(3))


def test_large_tables_are_fetched_in_blocks(monkeypatch) -> None:
    body = json.loads(RESPONSE.read_text())
    block = {"code": "Ok", "distances": [[100.0, 200.0], [300.0, 400.0]]}
    fake = _Fake([json.dumps(block).encode()] * 4)
    monkeypatch.setattr(osrm.urllib.request, "urlopen", fake)
    four = POINTS + [(39.15, 117.21)]
    m = osrm.OsrmMatrices("http://osrm.test", TravelModel(), chunk=2).matrices(four, ["ebike"])
    assert len(fake.calls) == 4 and body["code"] == "Ok"
    assert "sources=0;1&destinations=2;3" in fake.calls[1][0]
    assert m.distance[0][2] == 100 and m.distance[1][3] == 400 and m.distance[2][0] == 100


def test_an_error_answer_raises(monkeypatch) -> None:
    fake = _Fake([b'{"code": "TooBig", "message": "Too many table coordinates"}'])
    monkeypatch.setattr(osrm.urllib.request, "urlopen", fake)
    with pytest.raises(osrm.OsrmError, match="TooBig"):
        osrm.OsrmMatrices("http://osrm.test", TravelModel()).matrices(POINTS, ["ebike"])


def test_provider_follows_configuration() -> None:
    model = TravelModel()
    assert isinstance(provider({"OSRM_URL": ""}, model), ModelMatrices)
    chosen = provider({"OSRM_URL": "http://osrm.test", "OSRM_TIMEOUT_S": 4.0}, model)
    assert isinstance(chosen, osrm.OsrmMatrices) and chosen.timeout_s == 4.0


def test_model_matrices_agree_with_geodesic() -> None:
    points = [(39.05 + 0.013 * i, 117.1 + 0.017 * (i % 5)) for i in range(12)]
    metres = local_metres(points)
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            if i != j:
                assert abs(metres[i][j] - distance_m(a, b)) <= 1e-4 * distance_m(a, b)
    model = TravelModel()
    m = ModelMatrices(model).matrices(points, ["ebike"])
    assert abs(m.travel["ebike"][0][7] - model.seconds(points[0], points[7])) <= 1
