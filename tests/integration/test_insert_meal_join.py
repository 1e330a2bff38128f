"""A meal inserted from its request page joins a round to come of its kitchen on the chosen
caregiver's route when the box, the hot-food limit and its window allow; otherwise it gets
a round of its own. Each rule as a pair: the same day with the rule kept joins, broken
makes a round of its own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from carehub.core.enums import Role, VisitStatus
from carehub.core.time import local_to_utc
from carehub.dispatch import adapters, meal_rounds
from carehub.dispatch.board import insert as insert_request
from carehub.dispatch.board import published
from carehub.dispatch.models import MealRound, ServiceRequest, Visit
from carehub.routing import validate
from tests.builders import CENTRE
from tests.integration.meals_support import MATRICES, Round, round_of, write
from tests.phone import make_phone

DAY = dt.date(2026, 11, 23)


def _at(hour: int, minute: int = 0) -> dt.datetime:
    return local_to_utc(DAY, dt.time(hour, minute))


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"CLOCK": lambda: _at(8)}


@dataclass
class Day:
    round: Round
    new: ServiceRequest
    rows: list[Visit]

    @property
    def held(self) -> MealRound:
        """The published round."""
        found = next(v.meal_round for v in self.rows if v.meal_round is not None)
        assert found is not None
        return found


def _day(
    make: Any,
    db: Any,
    caregiver: Any = None,
    window: tuple[dt.time, dt.time] = (dt.time(11), dt.time(12, 30)),
    far: float = 0.006,
    busy_first: bool = False,
) -> Day:
    """A published round of two meals due from 10:45, when the canteen's meals are ready
    (elders a few hundred metres from it), and a
    new meal request ``far`` degrees north of it, in ``window``. ``busy_first``: a
    published cleaning at 11:00 comes before the round, so the round is collected after it."""
    meal = make.service_type("meal_delivery")
    meal.duration_min = 3  # a drop at the door
    if caregiver is None:
        caregiver = make.caregiver(station=make.station(code="HPJ"), code="CJ1")
    station = caregiver.station
    requests = []
    for i in (1, 2):
        elder = make.elder(station=station, lat=CENTRE[0] + 0.002 * i, lon=CENTRE[1])
        requests.append(
            make.request(
                elder=elder, service_type=meal, service_date=DAY, window_start=dt.time(10, 45)
            )
        )
    events: list[Any] = []
    if busy_first:
        clean = make.service_type("clean", duration_min=30)
        elder = make.elder(station=station, lat=CENTRE[0] - 0.002, lon=CENTRE[1])
        requests.append(
            make.request(
                elder=elder,
                service_type=clean,
                service_date=DAY,
                window_start=dt.time(11),
                window_end=dt.time(11, 45),
            )
        )
        events.append(adapters.visit_id(requests[-1]))
    elder = make.elder(station=station, lat=CENTRE[0] + far, lon=CENTRE[1], diet_notes="软食")
    new = make.request(
        elder=elder,
        service_type=meal,
        service_date=DAY,
        window_start=window[0],
        window_end=window[1],
    )
    db.session.flush()
    r = round_of(DAY, caregiver, requests, meals=2, before=events)
    assert validate(r.data.problem, r.plan) == []
    rows = write(db.session, r, publish=True)
    return Day(r, new, rows)


def _insert(db: Any, d: Day) -> tuple[insert_request.InsertPlan, Visit]:
    plan = insert_request.preview(db.session, d.new, _at(8), MATRICES)
    assert plan.placed and plan.collect is not None, plan.reason
    insert_request.apply(db.session, d.new, _at(8), plan.token, MATRICES)
    row = db.session.scalars(select(Visit).where(Visit.request_id == d.new.id)).one()
    return plan, row


def _stored_day_is_valid(db: Any, d: Day) -> None:
    """The day read back from the database as the next re-plan reads it breaks no rule:
    every drop in one collected round, boxes, rides, windows and travel between stops."""
    station, carer = d.round.station, d.round.caregiver
    requests = [*d.round.requests, d.new]
    data = adapters.build_day(DAY, [station], requests, [carer], MATRICES)
    rows = [v for r in requests for v in r.visits if v.status != VisitStatus.CANCELLED]
    plan, _fixed = published.read_routes(data, rows, {carer.id: carer.code})
    assert validate(data.problem, plan) == []


def _joined(db: Any, d: Day, plan: insert_request.InsertPlan, row: Visit) -> bool:
    """Whether the meal went into the published round (else: a round of its own); either
    way its round is collected when the preview said, before its drop."""
    assert row.meal_round is not None and plan.collect is not None
    assert row.meal_round.collect_at == plan.collect[1] < row.planned_start
    _stored_day_is_valid(db, d)
    rounds = db.session.scalars(select(MealRound).order_by(MealRound.position)).all()
    sizes = [len(meal_rounds.live_visits(x)) for x in rounds]
    if row.meal_round_id == d.held.id:
        assert plan.joins is not None and sizes == [3]
        return True
    assert plan.joins is None and sorted(sizes) == [1, 2]
    return False


def test_a_meal_joins_the_round_its_kitchen_has_on_the_chosen_route(
    app: Any, client: Any, login_as: Any, make: Any, db: Any
) -> None:
    phone = make_phone(app, make)
    d = _day(make, db, caregiver=phone.user.caregiver)
    before = d.held
    plan, row = _insert(db, d)
    assert _joined(db, d, plan, row)
    # The new drop has its place in the route order, after the round's collection.
    drops = meal_rounds.live_visits(before)
    assert row in drops and row.route_seq is not None
    assert [v.route_seq for v in drops] == sorted(v.route_seq or 0 for v in drops)
    db.session.commit()
    # The phone lists it in the round, with its dietary note.
    body = phone.get("/api/v1/me/visits?date=2026-11-23").get_json()
    (shown,) = body["rounds"]
    assert shown["id"] == before.id and len(shown["meals"]) == 3
    assert row.id in [m["visit_id"] for m in shown["meals"]]
    assert "软食" in [m["diet_notes"] for m in shown["meals"]]
    # So does the packing list: one round of three meals.
    login_as(Role.DISPATCHER)
    station = d.round.station.code
    html = client.get(f"/dispatch/packing?date=2026-11-23&station={station}").get_data(as_text=True)
    assert html.count('class="card packing-round"') == 1
    assert d.new.elder.name in html and "软食" in html


@pytest.mark.parametrize(("box", "joins"), [(3, True), (2, False)])
def test_a_full_box_makes_a_round_of_its_own(
    app: Any, make: Any, db: Any, box: int, joins: bool
) -> None:
    app.config["MEAL_BOX_EBIKE"] = box
    d = _day(make, db)
    plan, row = _insert(db, d)
    assert _joined(db, d, plan, row) is joins


@pytest.mark.parametrize(("hot_min", "joins"), [(40, True), (14, False)])
def test_a_ride_over_the_hot_food_limit_makes_a_round_of_its_own(
    app: Any, make: Any, db: Any, hot_min: int, joins: bool
) -> None:
    # The new elder is about 12 minutes from the canteen: alone it arrives hot within 14
    # minutes, but not together with the round's two other drops.
    app.config["MEAL_HOT_FOOD_MIN"] = hot_min
    d = _day(make, db, far=0.02)
    plan, row = _insert(db, d)
    assert _joined(db, d, plan, row) is joins
    ride = (row.planned_start - plan.collect[1]).total_seconds() if plan.collect else 0
    assert ride <= (hot_min + 2) * 60


@pytest.mark.parametrize(
    ("window", "joins"),
    [((dt.time(11), dt.time(12, 30)), True), ((dt.time(10, 50), dt.time(11, 15)), False)],
)
def test_a_window_the_round_misses_makes_a_round_of_its_own(
    make: Any, db: Any, window: tuple[dt.time, dt.time], joins: bool
) -> None:
    # The round is collected after an 11:00 cleaning, too late for a meal due by 11:15.
    d = _day(make, db, window=window, busy_first=True)
    assert d.held.collect_at >= _at(11, 30)
    plan, row = _insert(db, d)
    assert _joined(db, d, plan, row) is joins
    assert local_to_utc(DAY, window[0]) <= row.planned_start <= local_to_utc(DAY, window[1])


@pytest.mark.parametrize(("collected", "joins"), [(False, True), (True, False)])
def test_a_round_already_collected_takes_no_more_meals(
    make: Any, db: Any, collected: bool, joins: bool
) -> None:
    # The caregiver picked the round up early, at 10:38 for 10:45: the meals are on the bike.
    d = _day(make, db)
    if collected:
        d.held.collected_at = _at(10, 38)
    now = _at(10, 40)
    plan = insert_request.preview(db.session, d.new, now, MATRICES)
    assert plan.placed and plan.collect is not None, plan.reason
    assert (plan.joins is not None) is joins
    insert_request.apply(db.session, d.new, now, plan.token, MATRICES)
    row = db.session.scalars(select(Visit).where(Visit.request_id == d.new.id)).one()
    assert (row.meal_round_id == d.held.id) is joins
    assert row.meal_round is not None and row.meal_round.collect_at >= now


@pytest.mark.parametrize(
    ("box", "says"),
    [(3, "Joins the round collected at "), (2, "in a round of its own")],
)
def test_the_request_page_says_whether_the_meal_joins_a_round(
    app: Any, client: Any, login_as: Any, make: Any, db: Any, box: int, says: str
) -> None:
    app.config["MEAL_BOX_EBIKE"] = box
    d = _day(make, db)
    db.session.commit()
    login_as(Role.DISPATCHER)
    client.get("/lang/en")
    html = client.get(f"/dispatch/requests/{d.new.id}").get_data(as_text=True)
    assert says in html and ("which then carries 3 meals" in html) is (box == 3)
