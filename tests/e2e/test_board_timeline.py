"""A station's board in Chromium: its day timeline follows the rows' refresh. A caregiver's
check-in through the phone API and a request inserted from its page in another tab both
appear on the timeline without reloading the board."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from carehub.core.enums import VisitStatus
from carehub.core.time import local_to_utc
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.extensions import db
from tests.builders import Builders
from tests.e2e.support import app_settings, log_in
from tests.phone import make_phone, phone_time

DAY = dt.date(2026, 11, 23)
NOW = local_to_utc(DAY, dt.time(11, 0))
# Away from the other browser tests' elders, so no other station's caregiver is nearer.
HOME = (39.1830, 117.1350)


@pytest.fixture
def fast_board(live_server: Any) -> Iterator[None]:
    with app_settings(live_server.app, CLOCK=lambda: NOW, BOARD_REFRESH_S=1):
        yield


def _station_day(live_server: Any) -> dict[str, Any]:
    """A station whose one caregiver (with a phone) has a published 10:00 cleaning, and an
    open cleaning request for the afternoon."""
    app = live_server.app
    with app.app_context():
        make = Builders(db.session)
        station = make.station(lat=HOME[0], lon=HOME[1])
        phone = make_phone(app, make)
        carer = phone.user.caregiver
        carer.station = station
        carer.weekdays_mask = 0b1111111
        carer.shift_start, carer.shift_end = dt.time(8), dt.time(18)
        carer.home_lat, carer.home_lon = HOME[0] + 0.001, HOME[1]
        clean = make.service_type("clean", duration_min=30)

        def elder(n: int) -> Any:
            return make.elder(station=station, lat=HOME[0] + 0.002 * n, lon=HOME[1])

        booked = make.visit(
            request=make.request(
                elder=elder(1),
                service_type=clean,
                service_date=DAY,
                window_start=dt.time(10),
                window_end=dt.time(12),
            ),
            caregiver=carer,
            planned_start=local_to_utc(DAY, dt.time(10)),
            planned_end=local_to_utc(DAY, dt.time(10, 30)),
            status=VisitStatus.PUBLISHED,
            route_seq=1,
        )
        new = make.request(
            elder=elder(2),
            service_type=clean,
            service_date=DAY,
            window_start=dt.time(13),
            window_end=dt.time(15),
        )
        db.session.commit()
        found = {"station": station.id, "visit": booked.id, "request": new.id, "phone": phone}
        db.session.remove()
    return found


def test_the_timeline_follows_check_ins_and_insertions_without_a_reload(
    page: Any, live_server: Any, make_user: Any, fast_board: None
) -> None:
    d = _station_day(live_server)
    log_in(page, make_user("dispatcher", station_id=d["station"]))
    page.goto(f"/dispatch/board?day={DAY}")
    page.click("#board-routes summary")
    block = f'#board-timeline .tl-visit[data-visit-id="{d["visit"]}"]'
    assert page.get_attribute(block, "data-status") == "published"
    assert page.locator("#board-timeline .tl-visit").count() == 1
    page.evaluate("window.loadedOnce = true")

    # The caregiver checks in on the phone.
    with live_server.app.app_context():
        answer = d["phone"].event(d["visit"], recorded_at=phone_time(10, 40))
        assert answer.status_code in (200, 201), answer.get_data(as_text=True)
        db.session.remove()
    page.wait_for_selector(f'{block}[data-status="checked_in"]')

    # Another tab inserts the open request into the caregiver's afternoon.
    other = page.context.new_page()
    other.goto(f"/dispatch/requests/{d['request']}")
    with other.expect_navigation():
        other.click("#insert-preview form button[type=submit]")
    assert other.locator("#insert-preview form").count() == 0  # confirmed
    with live_server.app.app_context():
        found = db.session.get(ServiceRequest, d["request"])
        assert found is not None
        (inserted,) = [v for v in found.visits if v.status == VisitStatus.PUBLISHED]
        assert isinstance(inserted, Visit)
        inserted_id = inserted.id
        db.session.remove()
    page.wait_for_selector(f'#board-timeline .tl-visit[data-visit-id="{inserted_id}"]')
    assert page.evaluate("window.loadedOnce") is True  # the same page, not reloaded
    assert page.locator("#board-routes").get_attribute("open") is not None  # still unfolded
    assert page.is_hidden("#board-stale")
