"""An insertion that pushes a published meal round later: the round's collection and its
drops are written at their new times (through ``dispatch/retime.py``, in an order the
overlap guard accepts) and every drop still arrives within the hot-food limit; an insertion
that could only be made by letting a meal go cold is refused, and says so."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from carehub.core.enums import Role, VisitStatus
from carehub.core.time import local_to_utc
from carehub.dispatch.board import insert as insert_request
from carehub.dispatch.models import MealRound, ServiceRequest, Visit
from carehub.routing import validate
from tests.builders import CENTRE
from tests.integration.meals_support import MATRICES, round_of, write

DAY = dt.date(2026, 11, 23)
LOAD = dt.timedelta(minutes=2)


def _at(hour: int, minute: int = 0) -> dt.datetime:
    return local_to_utc(DAY, dt.time(hour, minute))


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"CLOCK": lambda: _at(8)}


@dataclass
class Day:
    round: MealRound
    drops: list[Visit]
    new: ServiceRequest


def _day(
    make: Any,
    db: Any,
    windows: tuple[tuple[dt.time, dt.time], ...],
    clean: tuple[dt.time, dt.time, int],
) -> Day:
    """One caregiver's published round of two meals (drop windows ``windows``) collected at
    the station's canteen from 10:45, as early as allowed, and an open cleaning request
    (window start, end, minutes) to insert."""
    meal = make.service_type("meal_delivery")
    meal.duration_min = 3
    station = make.station(code="HPR")
    caregiver = make.caregiver(station=station, code="CR1")
    requests = []
    for i, (start, end) in enumerate(windows, start=1):
        elder = make.elder(station=station, lat=CENTRE[0] + 0.002 * i, lon=CENTRE[1])
        requests.append(
            make.request(
                elder=elder,
                service_type=meal,
                service_date=DAY,
                window_start=start,
                window_end=end,
            )
        )
    elder = make.elder(station=station, lat=CENTRE[0] - 0.002, lon=CENTRE[1])
    new = make.request(
        elder=elder,
        service_type=make.service_type("clean", duration_min=clean[2]),
        service_date=DAY,
        window_start=clean[0],
        window_end=clean[1],
    )
    db.session.flush()
    r = round_of(DAY, caregiver, requests)
    assert validate(r.data.problem, r.plan) == []
    rows = write(db.session, r, publish=True)
    found = rows[0].meal_round
    assert found is not None
    return Day(found, sorted(rows, key=lambda v: v.planned_start), new)


def _times(d: Day) -> tuple[dt.datetime, list[dt.datetime]]:
    return d.round.collect_at, [v.planned_start for v in d.drops]


def _rides(d: Day) -> list[dt.timedelta]:
    return [v.planned_start - (d.round.collect_at + LOAD) for v in d.drops]


def test_an_insertion_before_a_round_pushes_its_collection_and_drops(make: Any, db: Any) -> None:
    # A cleaning due to start by 10:40 goes before the round, which then leaves later.
    d = _day(
        make, db, ((dt.time(10, 45), dt.time(12, 30)),) * 2, (dt.time(10, 30), dt.time(10, 40), 30)
    )
    collect, drops = _times(d)
    assert collect == _at(10, 45)
    plan = insert_request.preview(db.session, d.new, _at(8), MATRICES)
    assert plan.placed, plan.reason
    assert {s.visit.id for s in plan.shifts} == {v.id for v in d.drops}
    insert_request.apply(db.session, d.new, _at(8), plan.token, MATRICES)
    db.session.flush()
    db.session.expire_all()
    new = db.session.scalars(select(Visit).where(Visit.request_id == d.new.id)).one()
    moved, moved_drops = _times(d)
    # The round is collected after the cleaning, and each drop moved later with it.
    assert moved >= new.planned_end and moved > collect
    assert all(b > a for a, b in zip(drops, moved_drops, strict=True))
    assert all(v.status == VisitStatus.PUBLISHED and v.planned_start > moved for v in d.drops)
    assert all(v.planned_end - v.planned_start == dt.timedelta(minutes=3) for v in d.drops)
    # Still hot at every door, and the route order follows the new times.
    assert all(ride <= dt.timedelta(minutes=40) for ride in _rides(d))
    seqs = [new.route_seq, *(v.route_seq for v in d.drops)]
    assert seqs == sorted(seqs) and None not in seqs


@pytest.mark.parametrize(("hot_min", "placed"), [(60, True), (45, False)])
def test_a_push_that_would_let_a_meal_go_cold_is_refused(
    app: Any, client: Any, login_as: Any, make: Any, db: Any, hot_min: int, placed: bool
) -> None:
    # The first drop is due by 11:00, the second from 11:30: a 40-minute cleaning due by
    # 11:05 fits only between them, pushing the second drop to about 54 minutes after the
    # round leaves the kitchen (43 as published).
    app.config["MEAL_HOT_FOOD_MIN"] = hot_min
    d = _day(
        make,
        db,
        ((dt.time(10, 45), dt.time(11, 0)), (dt.time(11, 30), dt.time(12, 30))),
        (dt.time(11, 0), dt.time(11, 5), 40),
    )
    collect, drops = _times(d)
    plan = insert_request.preview(db.session, d.new, _at(8), MATRICES)
    if placed:
        assert plan.placed and [s.visit.id for s in plan.shifts] == [d.drops[1].id]
        insert_request.apply(db.session, d.new, _at(8), plan.token, MATRICES)
        db.session.expire_all()
        moved, moved_drops = _times(d)
        # The round under way keeps its collection; its second drop moves later.
        assert moved == collect and moved_drops[0] == drops[0] and moved_drops[1] > drops[1]
        assert all(ride <= dt.timedelta(minutes=hot_min) for ride in _rides(d))
        assert max(_rides(d)) > dt.timedelta(minutes=45)
        return
    assert not plan.placed and plan.reason == insert_request.REASON_HOT
    db.session.commit()
    login_as(Role.DISPATCHER)
    client.get("/lang/en")
    page = client.get(f"/dispatch/requests/{d.new.id}").get_data(as_text=True)
    assert "past the hot-food limit" in page and 'name="token"' not in page
    assert _times(d) == (collect, drops)
