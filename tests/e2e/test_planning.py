"""Planning in Chromium: a station dispatcher starts a run, watches it finish, reads the
figures, timeline and route map, and publishes the plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from carehub.core.enums import VisitStatus
from carehub.core.time import local_today
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.extensions import db
from tests.builders import CENTRE, Builders
from tests.e2e.support import log_in

VISITS = 3


def test_dispatcher_plans_and_publishes_a_day(
    page: Any, live_server: Any, make_user: Any, morning: None
) -> None:
    day = local_today()
    with live_server.app.app_context():
        make = Builders(db.session)
        station = make.station(code="E2EPL")
        meal = make.service_type("e2e_plan_meal")
        make.caregiver(station=station, code="E2EPL1", weekdays_mask=0b1111111)
        requests = [
            make.request(
                elder=make.elder(station=station, lat=CENTRE[0] + 0.003 * i, lon=CENTRE[1]),
                service_type=meal,
                service_date=day,
                window_start=dt.time(9, 0),
                window_end=dt.time(16, 0),
            )
            for i in range(VISITS)
        ]
        db.session.commit()
        station_id, ids = station.id, [r.id for r in requests]
        db.session.remove()

    log_in(page, make_user("dispatcher", station_id=station_id))
    page.goto("/dispatch/planning/")
    # Only the dispatcher's own station is offered, already ticked.
    boxes = page.locator("#planning-stations input[name=stations]")
    assert boxes.count() == 1 and boxes.first.is_checked()
    assert page.input_value("#date") == day.isoformat()
    page.fill("#time_limit", "2")
    page.click("#planning-form button.primary")
    page.wait_for_url("**/dispatch/planning/runs/*")
    # The page follows the run and shows the result by itself.
    page.wait_for_selector("#run-kpis", timeout=60_000)
    assert page.locator('#run-kpis tr[data-kpi="assigned"] .kpi-value').inner_text() == str(VISITS)
    assert page.locator(".tl-row[data-caregiver-id]").count() == 1
    assert page.locator(".tl-visit[data-visit-id][data-version]").count() == VISITS
    page.wait_for_selector('#route-map[data-ready="1"]')
    assert page.locator("#route-map .map-stop").count() == VISITS
    assert page.locator("#route-map path.leaflet-interactive").count() >= 1

    page.click("#publish-form button")
    page.wait_for_selector(".run-published")
    assert page.locator("#publish-form").count() == 0
    with live_server.app.app_context():
        statuses = db.session.scalars(
            select(Visit.status)
            .join(ServiceRequest, Visit.request_id == ServiceRequest.id)
            .where(ServiceRequest.id.in_(ids))
        ).all()
        db.session.remove()
    assert len(statuses) == VISITS and set(statuses) == {VisitStatus.PUBLISHED}


def test_the_result_shows_each_meal_collection_on_the_timeline_and_the_map(
    page: Any, live_server: Any, make_user: Any, morning: None
) -> None:
    from carehub.dispatch.models import MealRound

    day = local_today()
    with live_server.app.app_context():
        make = Builders(db.session)
        station = make.station(code="E2EML", name="E2E 食堂站")
        meal = make.service_type("meal_delivery")
        make.caregiver(station=station, code="E2EML1", weekdays_mask=0b1111111)
        for i in range(VISITS):
            make.request(
                elder=make.elder(station=station, lat=CENTRE[0] + 0.003 * i, lon=CENTRE[1]),
                service_type=meal,
                service_date=day,
                window_start=dt.time(11, 0),
                window_end=dt.time(12, 30),
            )
        db.session.commit()
        station_id = station.id
        db.session.remove()

    log_in(page, make_user("dispatcher", station_id=station_id))
    page.goto("/dispatch/planning/")
    page.fill("#time_limit", "2")
    page.click("#planning-form button.primary")
    page.wait_for_url("**/dispatch/planning/runs/*")
    page.wait_for_selector("#run-kpis", timeout=60_000)
    with live_server.app.app_context():
        rounds = db.session.scalars(
            select(MealRound).where(MealRound.canteen_station_id == station_id)
        ).all()
        db.session.remove()
    assert rounds
    collects = page.locator(".tl-row .tl-collect[data-round-id]")
    assert collects.count() == len(rounds)
    assert "E2E 食堂站" in collects.first.inner_text()
    page.wait_for_selector('#route-map[data-ready="1"]')
    assert page.locator("#route-map .map-kitchen").count() == len(rounds)
    assert page.locator("#route-map .map-stop").count() == VISITS
