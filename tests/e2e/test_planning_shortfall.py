"""Shortfall advice in Chromium: a day its staff cannot serve shows, once planned, the extra
shifts that would serve the rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from carehub.core.time import local_today
from carehub.registry.models import ServiceType
from tests.builders import Builders
from tests.e2e.support import log_in, start_planning_run, station_day

BATHS = 4


def test_a_short_day_shows_proven_shortfall_advice(
    page: Any, live_server: Any, make_user: Any, morning: None
) -> None:
    day = local_today()

    def bath(make: Builders) -> ServiceType:
        bathing = make.skill("bathing")
        bathing.name_zh = "助浴培训"
        return make.service_type("e2e_sf_bath", duration_min=60, skill=bathing)

    station_id = station_day(
        live_server,
        "E2ESF",
        day,
        bath,
        BATHS,
        (dt.time(9, 0), dt.time(10, 30)),
        skills=("bathing",),
    ).station_id

    log_in(page, make_user("dispatcher", station_id=station_id))
    page.goto("/dispatch/planning/")
    start_planning_run(page)
    page.wait_for_selector("#run-shortfall", timeout=60_000)
    lines = page.locator("#run-shortfall li").all_inner_texts()
    assert lines == [
        f"E2ESF：再增加 {BATHS - 1} 名具备「助浴培训」的护理员（09:00–11:00），"
        f"可安排 {BATHS - 1} 个待安排上门中的 {BATHS - 1} 个。"
    ]
