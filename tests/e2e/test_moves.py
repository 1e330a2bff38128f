"""Moving a visit in Chromium: drag it to another caregiver's row on the day timeline, read
the preview, save, and find it in its new row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from carehub.core.time import local_today
from carehub.extensions import db
from tests.builders import Builders
from tests.e2e.support import log_in
from tests.integration.moves_support import district

GRAB = 3  # pixels right of the block's left edge where the drag starts


def test_dispatcher_drags_a_visit_to_another_caregiver(
    page: Any, live_server: Any, make_user: Any
) -> None:
    day = local_today() + dt.timedelta(days=1)
    with live_server.app.app_context():
        d = district(Builders(db.session), day)
        visit_id, target_id = d.v2.id, d.b.id
        db.session.remove()
    log_in(page, make_user("dispatcher"))
    page.goto(f"/dispatch/day?date={day.isoformat()}&station=HOME")
    row = page.locator(f'.tl-row[data-caregiver-id="{target_id}"]')
    start = int(row.get_attribute("data-day-start-minutes"))
    px = float(row.get_attribute("data-px-per-minute"))
    x = (11 * 60 - start) * px + GRAB
    with page.expect_navigation():
        page.drag_and_drop(
            f'.tl-visit[data-visit-id="{visit_id}"]',
            f'.tl-row[data-caregiver-id="{target_id}"]',
            source_position={"x": GRAB, "y": 5},
            target_position={"x": x, "y": 10},
        )
    assert f"/dispatch/visits/{visit_id}/move?caregiver_id={target_id}&start=11:00" in page.url
    assert "11:00" in page.inner_text("#move-summary")
    assert page.locator("#no-findings").is_visible()
    with page.expect_navigation():
        page.click("#save-form button.primary")
    assert "11:00" in page.inner_text(".current-time")
    page.goto(f"/dispatch/day?date={day.isoformat()}&station=HOME")
    moved = page.locator(
        f'.tl-row[data-caregiver-id="{target_id}"] .tl-visit[data-visit-id="{visit_id}"]'
    )
    assert moved.count() == 1
    assert moved.get_attribute("data-version") == "2"
    assert "tl-pinned" in (moved.get_attribute("class") or "")
