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
from tests.e2e.support import log_in, start_planning_run, station_day

VISITS = 3


def test_dispatcher_plans_and_publishes_a_day(
    page: Any, live_server: Any, make_user: Any, morning: None
) -> None:
    day = local_today()
    made = station_day(
        live_server,
        "E2EPL",
        day,
        lambda make: make.service_type("e2e_plan_meal"),
        VISITS,
        (dt.time(9, 0), dt.time(16, 0)),
    )
    station_id, ids = made.station_id, made.request_ids

    log_in(page, make_user("dispatcher", station_id=station_id))
    page.goto("/dispatch/planning/")
    # Only the dispatcher's own station is offered, already ticked.
    boxes = page.locator("#planning-stations input[name=stations]")
    assert boxes.count() == 1 and boxes.first.is_checked()
    assert page.input_value("#date") == day.isoformat()
    start_planning_run(page)
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
    station_id = station_day(
        live_server,
        "E2EML",
        day,
        lambda make: make.service_type("meal_delivery"),
        VISITS,
        (dt.time(11, 0), dt.time(12, 30)),
        name="E2E 食堂站",
    ).station_id

    log_in(page, make_user("dispatcher", station_id=station_id))
    page.goto("/dispatch/planning/")
    start_planning_run(page)
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
