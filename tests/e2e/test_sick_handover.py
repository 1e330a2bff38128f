"""The sick hand-over opened from tomorrow's board in Chromium: the day of the board is the
day previewed, named and handed over; today's visits are left alone; nobody is double-booked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from carehub.core.enums import RequestStatus, VisitStatus
from carehub.core.time import local_to_utc
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.extensions import db
from tests.builders import Builders
from tests.e2e.support import app_settings, log_in

TODAY = dt.date(2026, 11, 23)
TOMORROW = TODAY + dt.timedelta(days=1)
NOW = local_to_utc(TODAY, dt.time(11, 0))


@pytest.fixture
def fixed_clock(live_server: Any) -> Iterator[None]:
    with app_settings(live_server.app, CLOCK=lambda: NOW):
        yield


def _day(live_server: Any) -> dict[str, int]:
    with live_server.app.app_context():
        make = Builders(db.session)
        station = make.station()
        sick = make.caregiver(station=station, name="徐秀云")
        other = make.caregiver(station=station, name="崔丽")

        def visit(cg: Any, day: dt.date, hour: int) -> Visit:
            request = make.request(
                elder=make.elder(station=station),
                service_date=day,
                window_start=dt.time(hour),
                window_end=dt.time(hour + 2),
                status=RequestStatus.SCHEDULED,
            )
            return make.visit(
                request=request,
                caregiver=cg,
                planned_start=local_to_utc(day, dt.time(hour)),
                planned_end=local_to_utc(day, dt.time(hour, 30)),
                status=VisitStatus.PUBLISHED,
            )

        today = visit(sick, TODAY, 14)
        handed = visit(sick, TOMORROW, 14)
        busy = visit(other, TOMORROW, 14)  # the other caregiver's own 14:00 visit
        db.session.commit()
        ids = {
            "station": station.id,
            "sick": sick.id,
            "other": other.id,
            "today": today.id,
            "handed": handed.id,
            "busy": busy.id,
        }
        db.session.remove()
    return ids


def test_hand_over_from_tomorrows_board(
    page: Any, live_server: Any, make_user: Any, fixed_clock: None
) -> None:
    ids = _day(live_server)
    log_in(page, make_user("dispatcher", station_id=ids["station"]))
    page.goto(f"/dispatch/board?day={TOMORROW}&station_id={ids['station']}")
    with page.expect_navigation():
        page.click("main a.button[href*='/dispatch/sick']")
    assert page.input_value("#day") == TOMORROW.isoformat()
    page.select_option("#caregiver_id", str(ids["sick"]))
    with page.expect_navigation():
        page.click("form.toolbar button[type=submit]")
    assert TOMORROW.isoformat() in page.inner_text("#sick-day")
    assert page.locator(f'#sick-visits tr[data-visit="{ids["handed"]}"]').count() == 1
    assert page.locator(f'#sick-visits tr[data-visit="{ids["today"]}"]').count() == 0
    with page.expect_navigation():
        page.click("#sick-preview form button[type=submit]")
    assert "已转交" in page.inner_text("main"), page.inner_text("main")

    with live_server.app.app_context():
        today = db.session.get(Visit, ids["today"])
        handed = db.session.get(Visit, ids["handed"])
        assert today is not None and handed is not None
        assert today.caregiver_id == ids["sick"] and today.status == VisitStatus.PUBLISHED
        assert handed.caregiver_id == ids["other"] and handed.status == VisitStatus.PUBLISHED
        # The other caregiver's own visit moved later: no two of theirs share time.
        theirs = db.session.scalars(
            select(Visit)
            .join(ServiceRequest)
            .where(
                Visit.caregiver_id == ids["other"],
                ServiceRequest.service_date == TOMORROW,
                Visit.status == VisitStatus.PUBLISHED,
            )
            .order_by(Visit.planned_start)
        ).all()
        assert len(theirs) == 2
        first, second = theirs
        assert first.planned_end is not None and second.planned_start is not None
        assert first.planned_end <= second.planned_start
        db.session.remove()
