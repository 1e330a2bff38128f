"""Inserting an unassigned request into today's published routes from its page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from carehub.availability import services as availability
from carehub.core.enums import RequestStatus, Role, VisitStatus
from carehub.core.errors import ConflictError
from carehub.core.time import local_to_utc
from carehub.dispatch.board import insert as insert_request
from carehub.dispatch.models import Visit
from carehub.geo.matrix import ModelMatrices
from carehub.geo.travel import TravelModel
from carehub.registry.services import FieldError
from tests.builders import CENTRE

DAY = dt.date(2026, 11, 23)
MATRICES = ModelMatrices(TravelModel())


def _at(hour: int, minute: int = 0) -> dt.datetime:
    return local_to_utc(DAY, dt.time(hour, minute))


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"CLOCK": lambda: _at(8)}


def _day(make: Any, db: Any) -> dict[str, Any]:
    station = make.station(code="HPA")
    clean = make.service_type("clean", duration_min=30)
    a = make.caregiver(station=station, code="CA1", skills=())

    def request(i: int, start: int, end: int) -> Any:
        elder = make.elder(station=station, lat=CENTRE[0] + 0.002 * i, lon=CENTRE[1])
        return make.request(
            elder=elder,
            service_type=clean,
            service_date=DAY,
            window_start=dt.time(start),
            window_end=dt.time(end),
        )

    for i, hour in ((1, 9), (2, 10)):
        make.visit(
            request=request(i, hour, hour + 1),
            caregiver=a,
            status=VisitStatus.PUBLISHED,
            planned_start=_at(hour),
            planned_end=_at(hour, 30),
            route_seq=i,
        )
    new = request(3, 9, 11)
    db.session.flush()
    return {"a": a, "new": new}


def test_preview_then_confirm_writes_one_published_visit(make: Any, db: Any) -> None:
    d = _day(make, db)
    plan = insert_request.preview(db.session, d["new"], _at(8), MATRICES)
    assert [(c.code, lent) for c, _, lent in plan.placed] == [("CA1", False)]
    assert not db.session.scalars(select(Visit).where(Visit.request_id == d["new"].id)).all()
    insert_request.apply(db.session, d["new"], _at(8), plan.token, MATRICES)
    row = db.session.scalars(select(Visit).where(Visit.request_id == d["new"].id)).one()
    assert row.status == VisitStatus.PUBLISHED and row.caregiver_id == d["a"].id
    assert d["new"].status == RequestStatus.SCHEDULED
    assert row.planned_start >= _at(9) and row.planned_start <= _at(11)
    with pytest.raises(FieldError):
        insert_request.preview(db.session, d["new"], _at(8), MATRICES)


def test_a_stale_preview_is_refused(make: Any, db: Any) -> None:
    d = _day(make, db)
    with pytest.raises(ConflictError):
        insert_request.apply(db.session, d["new"], _at(8), "not-the-preview", MATRICES)
    assert d["new"].status == RequestStatus.OPEN


def test_nothing_goes_in_the_past_or_to_a_do_not_send_caregiver(make: Any, db: Any) -> None:
    d = _day(make, db)
    late = insert_request.preview(db.session, d["new"], _at(11, 30), MATRICES)
    assert late.placed == [] and late.reason
    availability.set_rules(db.session, d["new"].elder, preferred=[], avoided=[d["a"]])
    avoided = insert_request.preview(db.session, d["new"], _at(8), MATRICES)
    assert avoided.placed == [] and avoided.reason


def test_the_request_page_previews_and_confirms(
    client: Any, login_as: Any, make: Any, db: Any
) -> None:
    d = _day(make, db)
    db.session.commit()
    login_as(Role.DISPATCHER)
    page = client.get(f"/dispatch/requests/{d['new'].id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "insert-placed" in html and "CA1" in html
    assert 'id="insert-collect"' not in html
    token = html.split('name="token" value="')[1].split('"')[0]
    stale = client.post(f"/dispatch/requests/{d['new'].id}", data={"token": "x"})
    assert stale.status_code == 409
    done = client.post(
        f"/dispatch/requests/{d['new'].id}", data={"token": token.replace("&gt;", ">")}
    )
    assert done.status_code == 200
    assert db.session.scalars(select(Visit).where(Visit.request_id == d["new"].id)).one()


def test_an_inserted_meal_joins_the_round_of_its_kitchen(make: Any, db: Any) -> None:
    from carehub.dispatch import meal_rounds
    from carehub.dispatch.models import MealRound
    from tests.integration.meals_support import meal_day, write

    r = meal_day(make, DAY, code="HPM")
    write(db.session, r, publish=True)
    elder = make.elder(station=r.station, lat=CENTRE[0] - 0.003, lon=CENTRE[1])
    new = make.request(elder=elder, service_type=r.requests[0].service_type, service_date=DAY)
    db.session.flush()
    plan = insert_request.preview(db.session, new, _at(8), MATRICES)
    assert plan.collect is not None and plan.collect[0].station_id == r.station.id
    insert_request.apply(db.session, new, _at(8), plan.token, MATRICES)
    row = db.session.scalars(select(Visit).where(Visit.request_id == new.id)).one()
    found = row.meal_round
    assert found is not None and found.canteen_station_id == r.station.id
    assert found.caregiver_id == row.caregiver_id and found.collect_at < row.planned_start
    # The published round has room: it carries the new meal too (the rules that make a
    # round of its own instead are in test_insert_meal_join.py).
    rounds = db.session.scalars(select(MealRound).order_by(MealRound.position)).all()
    assert [len(meal_rounds.live_visits(x)) for x in rounds] == [3]
    assert rounds[0].id == found.id


def test_an_inserted_visit_that_is_no_meal_gets_no_round(make: Any, db: Any) -> None:
    d = _day(make, db)
    plan = insert_request.preview(db.session, d["new"], _at(8), MATRICES)
    assert plan.collect is None
    insert_request.apply(db.session, d["new"], _at(8), plan.token, MATRICES)
    row = db.session.scalars(select(Visit).where(Visit.request_id == d["new"].id)).one()
    assert row.meal_round is None


def test_the_request_page_names_a_meals_kitchen_and_collection_time(
    client: Any, login_as: Any, make: Any, db: Any
) -> None:
    from tests.integration.meals_support import meal_day, write

    r = meal_day(make, DAY, code="HPM")
    write(db.session, r, publish=True)
    elder = make.elder(station=r.station, lat=CENTRE[0] - 0.003, lon=CENTRE[1])
    new = make.request(elder=elder, service_type=r.requests[0].service_type, service_date=DAY)
    db.session.commit()
    login_as(Role.DISPATCHER)
    client.get("/lang/en")
    html = client.get(f"/dispatch/requests/{new.id}").get_data(as_text=True)
    assert f"Joins the round collected at {r.station.name} at " in html
    assert "which then carries 3 meals" in html
