"""The board's JSON carries a station's day timeline, drawn by the same template part as
the page, so the browser replaces it with the rows; the all-stations board has none."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from carehub.core.enums import Role
from carehub.core.time import local_to_utc
from carehub.dispatch import meal_rounds
from tests.integration.meals_support import meal_day, write

DAY = dt.date(2026, 11, 23)


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"CLOCK": lambda: local_to_utc(DAY, dt.time(9))}


def test_a_stations_refresh_carries_its_timeline_as_the_page_draws_it(
    client: Any, login_as: Any, make: Any, db: Any
) -> None:
    r = meal_day(make, DAY, code="HPT", name="和平时间线站")
    rows = write(db.session, r, publish=True)
    db.session.commit()
    login_as(Role.ADMIN)
    client.get("/lang/en")
    url = f"/dispatch/board.json?day={DAY}&station_id={r.station.id}&timeline=1"
    part = client.get(url).get_json()["timeline_html"]
    page = client.get(f"/dispatch/board?day={DAY}&station_id={r.station.id}").get_data(as_text=True)
    assert part and part in page
    assert "Meals to collect at 和平时间线站: 2" in part
    assert all(f'data-visit-id="{v.id}"' in part for v in rows)
    # A change after the page was drawn is in the next refresh: a drop leaves the round.
    found = rows[0].meal_round
    assert found is not None
    rows[1].meal_round = None
    db.session.commit()
    assert len(meal_rounds.live_visits(found)) == 1
    assert "Meals to collect at 和平时间线站: 1" in client.get(url).get_json()["timeline_html"]
    folded = client.get(url.replace("&timeline=1", "")).get_json()
    assert folded["timeline_html"] is None and folded["rows"]
    assert (
        client.get(f"/dispatch/board.json?day={DAY}&timeline=1").get_json()["timeline_html"] is None
    )
