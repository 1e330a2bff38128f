"""From the day's rows to the timeline builder's input (``dispatch.timeline``): caregivers
as workers, visits as stops, the meal rounds of those visits as collections at their
kitchen, and travel minutes by the current travel model. Pages load the rows; this only
reads them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import selectinload
from sqlalchemy.orm.strategy_options import _AbstractLoad

from carehub.dispatch import timeline
from carehub.dispatch.adapters import local_seconds, meal_rules
from carehub.dispatch.meal_rounds import live_visits
from carehub.dispatch.models import MealRound, Visit
from carehub.geo.travel import current_model
from carehub.registry.models import Caregiver, Elder


def round_loading() -> list[_AbstractLoad]:
    """Loader options for a query of visits whose rounds ``collects`` reads: one query
    each for the rounds, their places and their drops, not one per visit."""
    found = selectinload(Visit.meal_round)
    return [
        found.selectinload(MealRound.kitchen),
        found.selectinload(MealRound.canteen_station),
        found.selectinload(MealRound.visits),
    ]


def _minutes(t: Any) -> int:
    return int(t.hour) * 60 + int(t.minute)


def home(c: Caregiver) -> tuple[float, float] | None:
    """Where the caregiver's day starts and ends: home, else their station."""
    if c.home_lat is not None and c.home_lon is not None:
        return (c.home_lat, c.home_lon)
    if c.station is not None and c.station.lat is not None:
        return (c.station.lat, c.station.lon)
    return None


def place(elder: Elder) -> tuple[float, float] | None:
    return (elder.lat, elder.lon) if elder.has_coordinates else None  # type: ignore[return-value]


def _lunch(c: Caregiver) -> tuple[int, int, int] | None:
    if c.lunch_start is None or c.lunch_end is None or not c.lunch_minutes:
        return None
    return (_minutes(c.lunch_start), _minutes(c.lunch_end), c.lunch_minutes)


def worker(c: Caregiver) -> timeline.Worker:
    return timeline.Worker(
        c.id,
        c.name,
        c.code,
        _minutes(c.shift_start),
        _minutes(c.shift_end),
        home(c),
        str(c.travel_mode),
        lunch=_lunch(c),
    )


def stop(v: Visit, day: dt.date, locale: str, station_id: int | None = None) -> timeline.Stop:
    """The visit as a stop; with ``station_id``, a visit of another station's elder is
    shown as away (moved from that station's page)."""
    assert v.caregiver_id is not None and v.planned_start is not None
    elder = v.request.elder
    away = None
    if station_id is not None and elder.station_id != station_id:
        away = elder.station.name if elder.station is not None else ""
    return timeline.Stop(
        v.id,
        v.version,
        v.caregiver_id,
        local_seconds(v.planned_start, day) // 60,
        local_seconds(v.planned_end or v.planned_start, day) // 60,
        elder.name,
        v.request.service_type.display_name(locale),
        place(elder),
        v.lent,
        str(v.status),
        v.pinned,
        away,
    )


def kitchen_place(found: MealRound) -> tuple[float, float] | None:
    where = found.kitchen or found.canteen_station
    if where is None or where.lat is None or where.lon is None:
        return None
    return (where.lat, where.lon)


def rounds(visits: Iterable[Visit]) -> list[MealRound]:
    """The meal rounds these visits are drops of, each once, by collection time."""
    found = {v.meal_round.id: v.meal_round for v in visits if v.meal_round is not None}
    return sorted(found.values(), key=lambda r: (r.collect_at, r.id))


def collects(visits: Iterable[Visit], day: dt.date) -> list[timeline.Collect]:
    """Each round's collection: when its caregiver loads how many meals, and where."""
    load = meal_rules().load // 60
    out = []
    for found in rounds(visits):
        start = local_seconds(found.collect_at, day) // 60
        out.append(
            timeline.Collect(
                found.id,
                found.caregiver_id,
                start,
                start + load,
                found.place_name,
                len(live_visits(found)),
                kitchen_place(found),
            )
        )
    return out


def travel() -> timeline.TravelMinutes:
    model = current_model()

    def minutes(a: Any, b: Any, mode: str) -> int:
        if a is None or b is None:
            return 0
        return round(model.seconds(a, b, mode) / 60)

    return minutes


def build(
    caregivers: Sequence[Caregiver],
    visits: Sequence[Visit],
    day: dt.date,
    locale: str,
    station_id: int | None = None,
    **options: Any,
) -> timeline.Timeline:
    """The timeline of these caregivers' rows (in this order) with these visits and their
    meal rounds; ``options`` go to ``timeline.build``."""
    placed = [v for v in visits if v.caregiver_id is not None and v.planned_start is not None]
    return timeline.build(
        [worker(c) for c in caregivers],
        [stop(v, day, locale, station_id) for v in placed],
        travel(),
        collects=collects(placed, day),
        **options,
    )
