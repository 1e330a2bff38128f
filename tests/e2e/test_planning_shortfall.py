"""Shortfall advice in Chromium: a day its staff cannot serve shows, once planned, the extra
shifts that would serve the rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from carehub.core.time import local_today
from carehub.extensions import db
from tests.builders import CENTRE, Builders
from tests.e2e.support import log_in

BATHS = 4


def test_a_short_day_shows_proven_shortfall_advice(
    page: Any, live_server: Any, make_user: Any, morning: None
) -> None:
    day = local_today()
    with live_server.app.app_context():
        make = Builders(db.session)
        station = make.station(code="E2ESF")
        bathing = make.skill("bathing")
        bathing.name_zh = "助浴培训"
        bath = make.service_type("e2e_sf_bath", duration_min=60, skill=bathing)
        make.caregiver(station=station, skills=("bathing",), code="E2ESF1", weekdays_mask=0b1111111)
        for i in range(BATHS):
            make.request(
                elder=make.elder(station=station, lat=CENTRE[0] + 0.003 * i, lon=CENTRE[1]),
                service_type=bath,
                service_date=day,
                window_start=dt.time(9, 0),
                window_end=dt.time(10, 30),
            )
        db.session.commit()
        station_id = station.id
        db.session.remove()

    log_in(page, make_user("dispatcher", station_id=station_id))
    page.goto("/dispatch/planning/")
    page.fill("#time_limit", "2")
    page.click("#planning-form button.primary")
    page.wait_for_url("**/dispatch/planning/runs/*")
    page.wait_for_selector("#run-shortfall", timeout=60_000)
    lines = page.locator("#run-shortfall li").all_inner_texts()
    assert lines == [
        f"E2ESF：再增加 {BATHS - 1} 名具备「助浴培训」的护理员（09:00–11:00），"
        f"可安排 {BATHS - 1} 个待安排上门中的 {BATHS - 1} 个。"
    ]
