"""Intake in Chromium: a dispatcher finds an elder by pinyin initials, creates a request
for tomorrow and sees it in the day's list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from carehub.core.time import local_today
from carehub.extensions import db
from carehub.registry.naming import name_initials
from tests.builders import Builders
from tests.e2e.support import log_in


def test_dispatcher_creates_request_found_by_initials(
    page: Any, live_server: Any, make_user: Any
) -> None:
    with live_server.app.app_context():
        make = Builders(db.session)
        elder = make.elder(name="欧阳秋菊", name_initials=name_initials("欧阳秋菊"))
        make.service_type(
            "e2e_cleaning",
            name_zh="测试保洁服务",
            window_start=dt.time(14, 0),
            window_end=dt.time(16, 0),
        )
        db.session.commit()
        code, initials = elder.code, elder.name_initials
        day = local_today() + dt.timedelta(days=1)
        db.session.remove()
    log_in(page, make_user("dispatcher"))
    page.goto("/dispatch/requests/new")
    page.fill("#q", initials)
    page.click("main form[role=search] button[type=submit]")
    row = page.locator("#elder-results tr", has_text=code)
    row.locator("a.button").click()
    page.locator("#service_type_id").select_option(
        value=page.locator("#service_type_id option", has_text="测试保洁服务").get_attribute(
            "value"
        )
    )
    page.fill("#service_date", day.isoformat())
    page.fill("#note", "电话预约保洁")
    page.click("main form[method=post] button.primary")
    page.wait_for_selector("#requests")
    listing = page.inner_text("#requests")
    assert "欧阳秋菊" in listing and "14:00–16:00" in listing and "电话预约保洁" in listing
