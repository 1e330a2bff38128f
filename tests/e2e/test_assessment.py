"""An assessor on a phone: from the due list to a signed assessment, the new care level on
the elder, and next month's entitlement at the new tier for the auditor."""

from __future__ import annotations

from typing import Any

import pytest

from carehub.assessment import standard
from carehub.core.enums import CareLevel, Hardship
from carehub.core.time import local_today
from carehub.extensions import db
from carehub.subsidy.months import Month
from tests.builders import Builders
from tests.e2e.support import PHONE, log_in

CODE = "00ASSESS"


@pytest.mark.parametrize("viewport", [PHONE])
def test_an_assessment_from_the_due_list_to_next_months_entitlement(
    page: Any, live_server: Any, make_user: Any
) -> None:
    with live_server.app.app_context():
        elder = Builders(db.session).elder(
            code=CODE,
            name="评估老人",
            care_level=CareLevel.MILD,
            hardship=Hardship.DIBAO,
            care_level_assessed_on=None,
        )
        db.session.commit()
        elder_id = elder.id
        db.session.remove()
    log_in(page, make_user("assessor"))

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    row = page.locator("#due-list tr", has_text=CODE)
    assert "从未评估" in row.inner_text()
    with page.expect_navigation():
        row.locator(f"a[href='/assessments/elders/{elder_id}/new']").click()

    # On the road: the form needs no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # 40 points: self-care full marks (32) and 8 of basic motor ability: severely impaired.
    form, _doc = standard.load()
    left = 40
    for item in form.items():
        value = min(item.max, left)
        left -= value
        page.select_option(f"#item_{item.code}", str(value))
    page.select_option("#place", "home")
    page.check("#confirm")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert page.inner_text("#care-level") == "重度"
    assert "能力重度受损" in page.inner_text("main")

    # The elder has left the due list.
    page.goto("/")
    assert CODE not in page.inner_text("main")

    page.context.clear_cookies()
    log_in(page, make_user("auditor"))
    page.goto(f"/registry/elders/{elder_id}")
    assert "重度" in page.inner_text("main")
    page.goto(f"/subsidy/{Month.of(local_today()).next()}")
    line = page.locator("main table tr", has_text=CODE).first
    assert "600.00" in line.inner_text()
