"""A caregiver flags a change in an elder's condition on the phone; the assessor finds the
elder at the top of the due list, with the caregiver's note on the elder's page."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from sqlalchemy import select

from carehub.auth.models import User
from carehub.core.time import local_today
from carehub.extensions import db
from carehub.registry.assessments import AssessmentFlag
from tests.builders import Builders
from tests.e2e.support import PHONE, TIMEOUT_MS, first_visit_today, log_in

CODE = "00FLAG"
NOTE = "昨天摔了一跤，走路要扶墙"


def _flags(live_server: Any, elder_id: int) -> list[str]:
    with live_server.app.app_context():
        found = list(
            db.session.scalars(
                select(AssessmentFlag.note).where(AssessmentFlag.elder_id == elder_id)
            )
        )
        db.session.remove()
    return found


@pytest.mark.parametrize("viewport", [PHONE])
def test_a_change_flagged_on_the_phone_reaches_the_assessors_due_list(
    page: Any, live_server: Any, make_user: Any
) -> None:
    carer = make_user("caregiver", display_name="赵护理")
    with live_server.app.app_context():
        make = Builders(db.session)
        user = db.session.scalar(select(User).where(User.username == carer.username))
        # Assessed a month ago: not due for eleven months, until the change.
        elder = make.elder(
            code=CODE,
            name="孙爷爷",
            station=user.caregiver.station,
            care_level_assessed_on=local_today() - dt.timedelta(days=30),
        )
        visit = first_visit_today(make, user.caregiver, elder, dt.time(10, 0))
        db.session.commit()
        elder_id, visit_id = elder.id, visit.id
        db.session.remove()

    log_in(page, carer)
    page.goto("/m/")
    card = page.locator(f"article[data-visit='{visit_id}']")
    card.wait_for()
    card.locator("details", has=page.locator("textarea[name=condition_change]")).locator(
        "summary"
    ).click()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    card.locator("textarea[name=condition_change]").fill(NOTE)
    card.locator("button[data-action=condition_change]").click()
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while _flags(live_server, elder_id) != [NOTE] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _flags(live_server, elder_id) == [NOTE]
    # The phone shows the change on the visit once the server has it.
    page.wait_for_selector(f"article[data-visit='{visit_id}'] .m-changes li:has-text('{NOTE}')")
    page.click("header form[action$='/logout'] button")
    page.wait_for_url("**/login")

    log_in(page, make_user("assessor"))
    row = page.locator("#due-list tr", has_text=CODE)
    assert "已报告状况变化" in row.inner_text()
    assert str(local_today()) in row.inner_text()
    with page.expect_navigation():
        row.locator(f"a[href='/assessments/elders/{elder_id}']").click()
    assert NOTE in page.inner_text("main")
