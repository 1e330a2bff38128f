"""A city-sized data set over several Tianjin districts, for scale tests.

About one station per 275 elders, each staffed for its care plans' demand
(carehub.seeding.staff.teams), and care plans giving about a third of a visit per elder on a
weekday (some 10,000 for 30,000 elders). Rows are
bulk-inserted with the per-row audit switched off and one summary entry written instead.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select

from carehub.core import audit
from carehub.core.time import now
from carehub.db import AnySession
from carehub.geo.coverage import StationPoint
from carehub.geo.travel import TravelModel
from carehub.registry.models import (
    Caregiver,
    CarePlan,
    Elder,
    ElderStatusPeriod,
    ServiceType,
    Skill,
    Station,
    caregiver_skills,
)
from carehub.seeding import inputs, places
from carehub.seeding.defaults import load_defaults
from carehub.seeding.demo import BASE_TEAM, LUNCH, anchor_date
from carehub.seeding.drafts.names import NameBook, tianjin_landline
from carehub.seeding.drafts.people import (
    address,
    apportion,
    draft_caregiver,
    draft_elder,
)
from carehub.seeding.drafts.plans import PlanDraft, draft_plans, plan_columns
from carehub.seeding.inputs import Block, District
from carehub.seeding.staff import teams

ELDERS_PER_STATION = 275
ELDERS_PER_BLOCK = 60
INTENSITY = 0.91  # care-plan intensity against the demo district's
CHUNK = 2_000
STATION_PREFIX, ELDER_PREFIX, CAREGIVER_PREFIX = "TJS", "TJE", "TJC"
_BLOCK_SUFFIXES = ["里", "新村", "花园", "小区", "家园", "公寓", "南里", "北里"]
_ORDINALS = "一二三四五六七八九十"


@dataclass
class CityCounts:
    districts: int = 0
    stations: int = 0
    elders: int = 0
    outside: int = 0
    caregivers: int = 0
    care_plans: int = 0


@dataclass
class _Place:
    district: District
    blocks: list[Block]
    block_cum: list[int]
    stations: list[dict[str, Any]]
    elders: int


def loaded_elders(session: AnySession) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(Elder).where(Elder.code.like(f"{ELDER_PREFIX}%"))
        )
        or 0
    )


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterable[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _bulk(session: AnySession, target: Any, rows: Sequence[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        session.execute(insert(target), list(chunk))


def _ids(session: AnySession, model: Any, prefix: str) -> dict[str, int]:
    rows = session.execute(select(model.code, model.id).where(model.code.like(f"{prefix}%")))
    return {code: id_ for code, id_ in rows}


def _centres(
    rng: random.Random, blocks: list[Block], k: int, rounds: int = 4
) -> list[tuple[float, float]]:
    """Station sites: a few rounds of weighted k-means over the blocks, then each centre
    moved to its nearest block, so stations sit where people live."""
    centres = [(b.lat, b.lon) for b in rng.sample(blocks, k)]
    for _ in range(rounds):
        sums = [[0.0, 0.0, 0.0] for _ in centres]
        for b in blocks:
            i = min(range(k), key=lambda j: places.approx_m((b.lat, b.lon), centres[j]))
            sums[i][0] += b.lat * b.weight
            sums[i][1] += b.lon * b.weight
            sums[i][2] += b.weight
        centres = [
            (s[0] / s[2], s[1] / s[2]) if s[2] else c for s, c in zip(sums, centres, strict=True)
        ]
    return [_nearest_block(blocks, c) for c in centres]


def _nearest_block(blocks: list[Block], point: tuple[float, float]) -> tuple[float, float]:
    block = min(blocks, key=lambda b: places.approx_m((b.lat, b.lon), point))
    return block.lat, block.lon


def _station_name(district: District, index: int) -> str:
    sub = district.subdistricts[index % len(district.subdistricts)]
    round_ = index // len(district.subdistricts)
    base = f"{sub}社区养老服务站" if sub.endswith("镇") else f"{sub}道社区养老服务站"
    return base if round_ == 0 else f"{base}（{_ORDINALS[min(round_, 9)]}站）"


def _layout(rng: random.Random, elders: int) -> list[_Place]:
    districts = list(inputs.city_districts())
    total_stations = max(1, round(elders / ELDERS_PER_STATION))
    # A small set keeps to the biggest districts, so each station still has a full roster.
    if total_stations < len(districts):
        keep = sorted(districts, key=lambda d: -d.weight)[:total_stations]
        districts = [d for d in districts if d in keep]
    weights = [float(d.weight) for d in districts]
    elder_counts = apportion(elders, weights, minimum=1)
    station_counts = apportion(total_stations, weights, minimum=1)

    number = itertools.count(1)
    result = []
    for district, n_elders, n_stations in zip(districts, elder_counts, station_counts, strict=True):
        n_blocks = max(n_stations * 2, math.ceil(n_elders / ELDERS_PER_BLOCK))
        blocks = []
        for _ in range(n_blocks):
            sub = rng.choice(district.subdistricts)
            lat, lon = places.in_disc(rng, (district.lat, district.lon), district.radius_km * 1000)
            stem = sub.rstrip("街镇")
            blocks.append(
                Block(
                    name=stem + rng.choice(_BLOCK_SUFFIXES),
                    road=sub,
                    subdistrict=sub,
                    district=district.name,
                    lat=round(lat, 6),
                    lon=round(lon, 6),
                    weight=rng.randint(1, 4),
                    outside=False,
                )
            )
        stations = []
        for index, (lat, lon) in enumerate(_centres(rng, blocks, n_stations)):
            sub = district.subdistricts[index % len(district.subdistricts)]
            stations.append(
                {
                    "code": f"{STATION_PREFIX}{next(number):04d}",
                    "name": _station_name(district, index),
                    "address": f"天津市{district.name}{sub}{rng.randint(1, 300)}号",
                    "district": district.name,
                    "lat": lat,
                    "lon": lon,
                    "circle_minutes": 15,
                    "phone": tianjin_landline(rng),
                    "provider": f"{district.name}居家养老服务中心",
                    "active": True,
                }
            )
        cum = list(itertools.accumulate(b.weight for b in blocks))
        result.append(_Place(district, blocks, cum, stations, n_elders))
    return result


def load(session: AnySession, elders: int, seed: int, model: TravelModel) -> CityCounts:
    """Bulk-load the city set; the caller commits. Call only when none is loaded."""
    rng = random.Random(seed)
    book = NameBook()
    anchor = anchor_date()
    counts = CityCounts()
    load_defaults(session)

    with audit.suppressed():
        plan = _layout(rng, elders)
        points = _stations(session, plan)
        counts.districts, counts.stations = len(plan), len(points)
        homes_at: dict[int, list[tuple[float, float]]] = {p.id: [] for p in points}
        plans_at: dict[int, list[tuple[PlanDraft, str | None]]] = {p.id: [] for p in points}
        drafted = _draft_elders(rng, book, anchor, model, plan, points, homes_at, plans_at, counts)
        _write_elders(session, *drafted, counts)
        _caregivers(session, rng, book, anchor, model, points, homes_at, plans_at, counts)

    audit.record(
        session,
        "seed",
        "City",
        note=(
            f"city set, seed {seed}: {counts.districts} districts, {counts.stations} stations, "
            f"{counts.elders} elders, {counts.caregivers} caregivers, "
            f"{counts.care_plans} care plans (bulk load, per-row audit suppressed)"
        ),
    )
    return counts


def _stations(session: AnySession, plan: list[_Place]) -> list[StationPoint]:
    station_rows = [row for p in plan for row in p.stations]
    _bulk(session, Station, station_rows)
    station_ids = _ids(session, Station, STATION_PREFIX)
    return [
        StationPoint(station_ids[r["code"]], r["code"], r["name"], r["lat"], r["lon"], 15)
        for r in station_rows
    ]


def _draft_elders(
    rng: random.Random,
    book: NameBook,
    anchor: dt.date,
    model: TravelModel,
    plan: list[_Place],
    points: list[StationPoint],
    homes_at: dict[int, list[tuple[float, float]]],
    plans_at: dict[int, list[tuple[PlanDraft, str | None]]],
    counts: CityCounts,
) -> tuple[list[dict[str, Any]], list[tuple[str, Any]], list[tuple[str, Any]]]:
    """The elders' rows, their status periods and care plans, by elder code."""
    elder_rows: list[dict[str, Any]] = []
    periods: list[tuple[str, Any]] = []
    plans: list[tuple[str, Any]] = []
    created = now()
    number = itertools.count(1)
    for place in plan:
        # Only the few stations nearest a block can hold its elders in their circles.
        nearby = {b: places.nearest_stations((b.lat, b.lon), points, 3) for b in place.blocks}
        for _ in range(place.elders):
            block = rng.choices(place.blocks, cum_weights=place.block_cum)[0]
            point = places.jitter(rng, (block.lat, block.lon), sigma_m=200, cap_m=500)
            station, covered = places.station_for(point, nearby[block], model)
            counts.outside += 0 if covered else 1
            code = f"{ELDER_PREFIX}{next(number):06d}"
            draft = draft_elder(rng, book, anchor, code, point, address(rng, block))
            draft.fields["station_id"] = station.id
            draft.fields["created_at"] = created
            homes_at[station.id].append(point)
            elder_rows.append(draft.fields)
            periods.extend((code, period) for period in draft.periods)
            for care in draft_plans(
                rng, draft.fields["care_level"], draft.fields["hardship"], anchor, INTENSITY
            ):
                plans.append((code, care))
                if draft.fields["status"] == "active":
                    plans_at[station.id].append((care, draft.fields["preferred_caregiver_gender"]))
    return elder_rows, periods, plans


def _write_elders(
    session: AnySession,
    elder_rows: list[dict[str, Any]],
    periods: list[tuple[str, Any]],
    plans: list[tuple[str, Any]],
    counts: CityCounts,
) -> None:
    service_ids = {
        code: sid for sid, code in session.execute(select(ServiceType.id, ServiceType.code))
    }
    _bulk(session, Elder, elder_rows)
    counts.elders = len(elder_rows)
    elder_ids = _ids(session, Elder, ELDER_PREFIX)
    _bulk(
        session,
        ElderStatusPeriod,
        [
            {
                "elder_id": elder_ids[code],
                "status": status.value,
                "start_date": start,
                "end_date": end,
                "note": note,
            }
            for code, (status, start, end, note) in periods
        ],
    )
    _bulk(
        session,
        CarePlan,
        [{"elder_id": elder_ids[code], **plan_columns(care, service_ids)} for code, care in plans],
    )
    counts.care_plans = len(plans)


def _caregivers(
    session: AnySession,
    rng: random.Random,
    book: NameBook,
    anchor: dt.date,
    model: TravelModel,
    points: list[StationPoint],
    homes_at: dict[int, list[tuple[float, float]]],
    plans_at: dict[int, list[tuple[PlanDraft, str | None]]],
    counts: CityCounts,
) -> None:
    """Each station's team, sized to its care plans, with their skills."""
    caregiver_rows: list[dict[str, Any]] = []
    skill_codes: dict[str, list[str]] = {}
    services = teams.services(session)
    number = itertools.count(1)
    for station in points:

        def hire(station: StationPoint = station) -> teams.Draft:
            home = places.jitter(rng, (station.lat, station.lon), sigma_m=700, cap_m=1500)
            code = f"{CAREGIVER_PREFIX}{next(number):05d}"
            fields, codes = draft_caregiver(rng, book, code, station.id, home)
            fields.update(LUNCH)
            return fields, codes

        team = teams.station_team(
            rng,
            hire,
            BASE_TEAM,
            plans_at[station.id],
            services,
            anchor,
            (station.lat, station.lon),
            homes_at[station.id],
            model,
        )
        for fields, codes in team:
            caregiver_rows.append(fields)
            skill_codes[fields["code"]] = codes
    _bulk(session, Caregiver, caregiver_rows)
    counts.caregivers = len(caregiver_rows)
    caregiver_ids = _ids(session, Caregiver, CAREGIVER_PREFIX)
    skill_ids = {code: sid for sid, code in session.execute(select(Skill.id, Skill.code))}
    links = [
        {"caregiver_id": caregiver_ids[code], "skill_id": skill_ids[skill]}
        for code, codes in skill_codes.items()
        for skill in codes
    ]
    for chunk in _chunks(links):
        session.execute(insert(caregiver_skills), list(chunk))
