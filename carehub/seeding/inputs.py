"""The fixed inputs in the top-level ``seed/`` folder: stations, blocks, names, districts."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from carehub.app import PROJECT_ROOT

SEED_DIR = PROJECT_ROOT / "seed"


@dataclass(frozen=True)
class StationRow:
    code: str
    name: str
    subdistrict: str
    district: str
    address: str
    lat: float
    lon: float
    phone: str
    provider: str


@dataclass(frozen=True)
class Block:
    """A residential block: where a cluster of elders lives."""

    name: str
    road: str
    subdistrict: str
    district: str
    lat: float
    lon: float
    weight: int
    outside: bool  # deliberately beyond every service circle


@dataclass(frozen=True)
class District:
    code: str
    name: str
    lat: float
    lon: float
    radius_km: float
    weight: int
    subdistricts: tuple[str, ...]


def _rows(name: str) -> list[dict[str, str]]:
    with (SEED_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _json(name: str) -> Any:
    return json.loads((SEED_DIR / name).read_text(encoding="utf-8"))


@cache
def demo_stations() -> tuple[StationRow, ...]:
    return tuple(
        StationRow(
            code=r["code"],
            name=r["name"],
            subdistrict=r["subdistrict"],
            district=r["district"],
            address=r["address"],
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            phone=r["phone"],
            provider=r["provider"],
        )
        for r in _rows("demo_stations.csv")
    )


@cache
def demo_blocks() -> tuple[Block, ...]:
    return tuple(
        Block(
            name=r["block"],
            road=r["road"],
            subdistrict=r["subdistrict"],
            district=r["district"],
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            weight=int(r["weight"]),
            outside=r["outside"] == "1",
        )
        for r in _rows("demo_blocks.csv")
    )


@cache
def surnames() -> tuple[tuple[str, int], ...]:
    return tuple((r["surname"], int(r["weight"])) for r in _rows("surnames.csv"))


@cache
def given_names() -> dict[str, dict[str, tuple[str, ...]]]:
    data = _json("given_names.json")
    return {
        generation: {gender: tuple(names) for gender, names in by_gender.items()}
        for generation, by_gender in data.items()
        if not generation.startswith("_")
    }


@cache
def city_districts() -> tuple[District, ...]:
    return tuple(
        District(
            code=d["code"],
            name=d["name"],
            lat=float(d["lat"]),
            lon=float(d["lon"]),
            radius_km=float(d["radius_km"]),
            weight=int(d["weight"]),
            subdistricts=tuple(d["subdistricts"]),
        )
        for d in _json("city_districts.json")["districts"]
    )
