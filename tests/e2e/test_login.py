"""Each role logs in through the real form, sees its home page, switches language and logs out."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from carehub.core.enums import Role
from tests.e2e.support import DESKTOP, PHONE, Account, log_in

NAMES = {
    Role.ADMIN: "张站长",
    Role.DISPATCHER: "李调度",
    Role.CAREGIVER: "王护理",
    Role.AUDITOR: "赵审核",
}
# Shown next to the name in the header once the page is in English.
ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.DISPATCHER: "Dispatcher",
    Role.CAREGIVER: "Caregiver",
    Role.AUDITOR: "Subsidy auditor",
}
NAV_USERS = "nav.mainnav a[href$='/admin/users']"
NAV_STATIONS = "nav.mainnav a[href$='/registry/stations']"
LOGOUT = "header form[action$='/logout'] button"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_role_home(page: Any, account: Account) -> None:
    """Each role lands on its own page; check something only that page has."""
    main = page.locator("main")
    if account.role == Role.ADMIN:
        assert main.locator("a[href$='/admin/users']").count() >= 1
    elif account.role == Role.DISPATCHER:
        assert main.locator("a[href$='/admin/coverage']").count() >= 1
    elif account.role == Role.CAREGIVER:
        assert account.caregiver_code in main.locator("dl.facts").inner_text()
    else:
        # The subsidy overview: one row per care level the default policy pays for; then
        # the last six months.
        assert main.locator("table:not(#audit-months) tbody tr").count() == 3
        assert main.locator("#audit-months tbody tr").count() == 6
    assert page.locator(NAV_USERS).count() == (1 if account.role == Role.ADMIN else 0)
    # Caregivers work from their own visits; the registry is for office roles.
    assert page.locator(NAV_STATIONS).count() == (0 if account.role == Role.CAREGIVER else 1)


@pytest.mark.parametrize(
    ("role", "viewport"),
    [
        (Role.ADMIN, DESKTOP),
        (Role.DISPATCHER, DESKTOP),
        (Role.CAREGIVER, DESKTOP),
        (Role.CAREGIVER, PHONE),
        (Role.AUDITOR, DESKTOP),
    ],
    ids=["admin", "dispatcher", "caregiver", "caregiver-phone", "auditor"],
)
def test_role_logs_in_switches_language_and_logs_out(
    page: Any, make_user: Any, role: Role, viewport: dict[str, int], tmp_path: Path
) -> None:
    account = make_user(role, display_name=NAMES[role])
    log_in(page, account)

    # A caregiver lands on today's route; the home page is one click away.
    if role == Role.CAREGIVER:
        assert urlsplit(page.url).path == "/m/"
        page.goto("/")
    assert urlsplit(page.url).path == "/"
    assert page.get_attribute("html", "lang") == "zh-CN"
    who = page.locator("header .who")
    assert account.display_name in who.inner_text()
    assert account.display_name in page.inner_text("main h1")
    assert_role_home(page, account)
    if viewport == PHONE:
        # Caregivers use the app on the road; nothing may force sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    shot = tmp_path / f"home-{role.value}-{viewport['width']}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 1000
    assert shot.read_bytes()[:8] == PNG_SIGNATURE

    page.click("header a[lang=en]")
    page.wait_for_selector("html[lang=en]")
    assert urlsplit(page.url).path == "/"
    assert ROLE_LABELS[role] in who.inner_text()
    assert page.locator("header a[lang=zh-CN]").is_visible()

    page.click("header a[lang=zh-CN]")
    page.wait_for_selector("html[lang=zh-CN]")
    assert account.display_name in who.inner_text()

    page.click(LOGOUT)
    page.wait_for_url("**/login")
    assert page.locator("#username").is_visible()

    response = page.goto("/")
    assert response is not None and response.ok
    assert urlsplit(page.url).path == "/login"
    assert page.locator("header .who").count() == 0
