"""The bureau narrows its dashboard to a district and then a station from the selects; a
new district drops the station chosen before."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from carehub.extensions import db
from tests.builders import Builders
from tests.e2e.support import log_in

EAST, WEST = "测试东区", "测试西区"


def _query(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query, keep_blank_values=True)


def test_the_dashboard_narrows_to_a_district_and_a_station(
    page: Any, live_server: Any, make_user: Any
) -> None:
    with live_server.app.app_context():
        make = Builders(db.session)
        make.station(code="ZE1", district=EAST)
        make.station(code="ZE2", district=EAST)
        make.station(code="ZW1", district=WEST)
        db.session.commit()
        db.session.remove()
    log_in(page, make_user("bureau"))
    page.goto("/bureau/")
    assert EAST in page.inner_text("#bureau-districts")

    with page.expect_navigation():
        page.select_option("#district", EAST)
    assert _query(page)["district"] == [EAST]
    stations = page.inner_text("#bureau-stations")
    assert "ZE1" in stations and "ZE2" in stations and "ZW1" not in stations
    # Only the district's stations are offered.
    offered = page.eval_on_selector_all("#station option", "els => els.map(e => e.value)")
    assert offered == ["", "ZE1", "ZE2"]

    with page.expect_navigation():
        page.select_option("#station", "ZE2")
    assert "ZE1" not in page.inner_text("#bureau-stations")
    assert "ZE2" in page.inner_text("#bureau-scope")

    with page.expect_navigation():
        page.select_option("#district", WEST)
    assert _query(page)["district"] == [WEST] and _query(page)["station"] == [""]
    assert "ZW1" in page.inner_text("#bureau-stations")
    xlsx = page.get_attribute("a[href*='report.xlsx']", "href") or ""
    assert "district=" in xlsx
