"""A dispatcher's day in Chromium, end to end: take a phone request, plan the day from the
planning page, publish it, and find the visit on the live board."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from carehub.core.enums import VisitStatus
from carehub.core.time import local_today
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.extensions import db
from carehub.registry.naming import name_initials
from tests.builders import CENTRE, Builders
from tests.e2e.support import log_in, start_planning_run

ELDER = "诸葛秀英"


def test_request_planned_published_and_on_the_board(
    page: Any, live_server: Any, make_user: Any, morning: None
) -> None:
    day = local_today()
    with live_server.app.app_context():
        make = Builders(db.session)
        station = make.station(code="E2EDAY")
        make.service_type(
            "e2e_day_meal",
            name_zh="日间助餐",
            window_start=dt.time(9, 0),
            window_end=dt.time(16, 0),
        )
        make.caregiver(station=station, code="E2EDAY1", weekdays_mask=0b1111111)
        elder = make.elder(
            station=station,
            name=ELDER,
            name_initials=name_initials(ELDER),
            lat=CENTRE[0] + 0.004,
            lon=CENTRE[1],
        )
        db.session.commit()
        station_id, elder_code, elder_id = station.id, elder.code, elder.id
        db.session.remove()

    log_in(page, make_user("dispatcher", station_id=station_id))

    # Intake: the elder is found by pinyin initials and today's request is created.
    page.goto("/dispatch/requests/new")
    page.fill("#q", name_initials(ELDER))
    page.click("main form[role=search] button[type=submit]")
    page.locator("#elder-results tr", has_text=elder_code).locator("a.button").click()
    option = page.locator("#service_type_id option", has_text="日间助餐")
    page.locator("#service_type_id").select_option(value=option.get_attribute("value"))
    page.fill("#service_date", day.isoformat())
    page.click("main form[method=post] button.primary")
    page.wait_for_selector("#requests")
    assert ELDER in page.inner_text("#requests")

    # Planning: a run for the dispatcher's station, followed until it is done, then published.
    page.goto("/dispatch/planning/")
    start_planning_run(page, day)
    page.wait_for_selector("#run-kpis", timeout=60_000)
    assert page.locator('#run-kpis tr[data-kpi="assigned"] .kpi-value').inner_text() == "1"
    page.click("#publish-form button")
    page.wait_for_selector(".run-published")

    with live_server.app.app_context():
        visit = db.session.scalars(
            select(Visit)
            .join(ServiceRequest, Visit.request_id == ServiceRequest.id)
            .where(ServiceRequest.service_date == day, ServiceRequest.elder_id == elder_id)
        ).one()
        assert visit.status == VisitStatus.PUBLISHED
        visit_id = visit.id
        db.session.remove()

    # The board lists the published visit with its elder.
    page.goto(f"/dispatch/board?day={day.isoformat()}")
    row = page.locator(f'#board-visits tr[data-visit="{visit_id}"]')
    assert row.count() == 1
    assert ELDER in row.inner_text()
