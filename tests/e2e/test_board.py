"""The live board in Chromium: a late visit stands out and the board catches up without a
reload when the caregiver checks in; a failed refresh marks the board as not up to date.
And the elder picker suggests while typing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from carehub.core.enums import RequestStatus, VisitStatus
from carehub.core.time import local_to_utc
from carehub.dispatch.models import Visit
from carehub.extensions import db
from carehub.registry.naming import name_initials
from tests.builders import Builders
from tests.e2e.support import app_settings, log_in

DAY = dt.date(2026, 11, 23)
NOW = local_to_utc(DAY, dt.time(11, 0))


@pytest.fixture
def fast_board(live_server: Any) -> Iterator[None]:
    with app_settings(live_server.app, CLOCK=lambda: NOW, BOARD_REFRESH_S=1):
        yield


def test_late_visit_highlighted_then_checked_in_live(
    page: Any, live_server: Any, make_user: Any, fast_board: None
) -> None:
    with live_server.app.app_context():
        make = Builders(db.session)
        station = make.station()
        request = make.request(
            elder=make.elder(station=station, name="孙桂兰"),
            service_date=DAY,
            window_start=dt.time(10, 0),
            window_end=dt.time(12, 0),
            status=RequestStatus.SCHEDULED,
        )
        visit = make.visit(
            request=request,
            caregiver=make.caregiver(station=station),
            planned_start=local_to_utc(DAY, dt.time(10, 0)),
            planned_end=local_to_utc(DAY, dt.time(10, 30)),
            status=VisitStatus.PUBLISHED,
        )
        db.session.commit()
        visit_id, station_id = visit.id, station.id
        db.session.remove()
    log_in(page, make_user("dispatcher", station_id=station_id))
    page.goto(f"/dispatch/board?day={DAY}")
    row = f'#board-visits tr[data-visit="{visit_id}"]'
    assert "state-late" in (page.get_attribute(row, "class") or "")
    assert "孙桂兰" in page.inner_text(row)
    page.evaluate("window.loadedOnce = true")

    with live_server.app.app_context():
        found = db.session.get(Visit, visit_id)
        assert found is not None
        found.status = VisitStatus.CHECKED_IN
        found.check_in_at = local_to_utc(DAY, dt.time(10, 40))
        db.session.commit()
        db.session.remove()
    page.wait_for_selector(f"{row}.state-ok")
    assert page.evaluate("window.loadedOnce") is True  # the same page, not reloaded
    assert "10:40" in page.inner_text(f"{row} td.check-in")
    assert page.is_hidden("#board-stale")

    page.route("**/dispatch/board.json*", lambda route: route.abort())
    page.wait_for_selector("#board-stale", state="visible")
    assert page.locator(row).count() == 1  # the last board stays on screen


def test_elder_picker_suggests_while_typing(page: Any, live_server: Any, make_user: Any) -> None:
    with live_server.app.app_context():
        elder = Builders(db.session).elder(name="欧阳春花", name_initials=name_initials("欧阳春花"))
        db.session.commit()
        code = elder.code
        db.session.remove()
    log_in(page, make_user("dispatcher"))
    page.goto("/dispatch/emergency/")
    page.locator("#q").press_sequentially("oych", delay=30)
    page.wait_for_selector("#elder-suggestions li[role=option]")
    assert code in page.inner_text("#elder-suggestions")
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "欧阳春花" in page.inner_text("#chosen-elder")
