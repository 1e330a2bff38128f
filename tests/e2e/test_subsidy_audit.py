"""The auditor's month end in Chromium: open October, look at a flagged visit's evidence,
approve one and reject another with reasons, watch the totals move, lock the month, find
it read-only, and download the per-elder CSV."""

from __future__ import annotations

import re
from typing import Any

from carehub.extensions import db
from tests.builders import Builders
from tests.e2e.support import log_in
from tests.integration.subsidy_support import october

MONTH = "/subsidy/2026-10"


def _stats(page: Any) -> list[str]:
    return [text.strip() for text in page.locator(".stats li strong").all_inner_texts()]


def _decide(page: Any, visit_id: int, decision: str, reason: str) -> None:
    page.goto(f"/subsidy/visits/{visit_id}")
    page.fill("#reason", reason)
    with page.expect_navigation():
        page.click(f"main form button[name=decision][value={decision}]")
    page.wait_for_selector(".flash-success")


def test_auditor_reviews_locks_and_exports_a_month(
    page: Any, live_server: Any, make_user: Any, tmp_path: Any
) -> None:
    with live_server.app.app_context():
        planted = october(Builders(db.session), db).planted
        far, short = planted["far_from_home"].id, planted["too_short"].id
        duplicate = planted["duplicate"].id
        db.session.remove()
    log_in(page, make_user("auditor"))

    page.goto(MONTH)
    entitlement, payable, flagged, pending = _stats(page)
    assert (payable, flagged, pending) == ("¥144.00", "¥64.00", "8")

    page.click(f"a[href='{MONTH}/flagged']")
    assert page.locator("#reason option").count() > 1
    page.click(f"main table a[href='/subsidy/visits/{far}']")
    page.wait_for_selector(".evidence svg")
    evidence = page.inner_text(".evidence")
    assert "200" in page.inner_text(".evidence .hint")  # the allowed circle, in metres
    # The map labels each fix with its distance from home; the rule that fired is named.
    assert re.search(r"签到 1\d{3} m", evidence) and "距住址过远" in evidence, evidence
    assert "09:00:00" in evidence and "09:15:00" in evidence

    _decide(page, far, "approved", "照片显示在老人女儿家服务")
    _decide(page, short, "rejected", "服务时长不足，家属确认")
    assert "服务时长不足，家属确认" in page.inner_text("main")

    page.goto(MONTH)
    after = _stats(page)
    # The approved 8-yuan meal becomes payable; both leave the pending column.
    assert after == [entitlement, "¥152.00", "¥48.00", "6"], after

    # Locking asks first, naming what is still unreviewed and its amount.
    with page.expect_navigation():
        page.click("#lock-month")
    warning = page.inner_text("#lock-warning")
    assert "6" in warning and "48.00" in warning, warning
    assert page.locator("#lock-unreviewed tbody tr").count() == 6
    with page.expect_navigation():
        page.click(f"form[action='{MONTH}/lock/background'] button")
    # The lock is a task: its page says when it is done and leads back to the month.
    with page.expect_navigation():
        page.click("#task-back")
    page.wait_for_selector(".badge-ok")
    assert page.locator(f"form[action='{MONTH}/lock']").count() == 0
    assert _stats(page) == after
    page.goto(f"/subsidy/visits/{duplicate}")
    assert page.locator("main form .flash-warning").count() == 1  # decisions become adjustments

    page.goto(MONTH)
    with page.expect_download() as download_info:
        page.click(f"a[href='{MONTH}/export/elders.csv']")
    saved = tmp_path / "elders.csv"
    download_info.value.save_as(saved)
    text = saved.read_bytes().decode("utf-8-sig")
    assert "EL0" in text and "EL5" in text
    assert download_info.value.suggested_filename == "subsidy-2026-10-elders.csv"
