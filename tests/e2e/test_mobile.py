"""The caregiver's phone page in Chromium at 360 px: log in, check in, lose the network,
check out, get it back; the check-out reaches the server exactly once. Logging out leaves
nothing on the phone."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from carehub.core.enums import VisitStatus
from carehub.core.time import local_today
from carehub.dispatch.models import Visit
from carehub.extensions import db
from carehub.fieldwork.models import VisitEvent
from tests.builders import Builders
from tests.e2e.support import HOME, PHONE, TIMEOUT_MS, Account, first_visit_today, log_in


def _visit_for(live_server: Any, make_user: Any) -> tuple[Account, int]:
    account = make_user("caregiver", display_name="王护理")
    with live_server.app.app_context():
        make = Builders(db.session)
        from carehub.auth.models import User

        user = db.session.scalar(select(User).where(User.username == account.username))
        elder = make.elder(name="刘奶奶", lat=HOME[0], lon=HOME[1])
        visit = first_visit_today(make, user.caregiver, elder)
        db.session.commit()
        visit_id = visit.id
        db.session.remove()
    return account, visit_id


def _events(live_server: Any, visit_id: int) -> list[str]:
    with live_server.app.app_context():
        found = list(
            db.session.scalars(
                select(VisitEvent.type)
                .where(VisitEvent.visit_id == visit_id)
                .order_by(VisitEvent.id)
            )
        )
        db.session.remove()
    return found


def _wait_for_events(live_server: Any, visit_id: int, expected: list[str]) -> None:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        if _events(live_server, visit_id) == expected:
            return
        time.sleep(0.1)
    assert _events(live_server, visit_id) == expected


def test_check_out_made_offline_reaches_the_server_exactly_once(
    phone_page: Any, live_server: Any, make_user: Any
) -> None:
    page = phone_page
    account, visit_id = _visit_for(live_server, make_user)
    log_in(page, account)
    # A caregiver lands on today's route, not the home page.
    assert urlsplit(page.url).path == "/m/", page.url
    card = page.locator(f"article[data-visit='{visit_id}']")
    card.wait_for()
    assert "刘奶奶" in card.inner_text()
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    card.locator("button[data-action=check_in]").click()
    _wait_for_events(live_server, visit_id, ["check_in"])
    page.wait_for_selector("#m-pending-count[data-count='0']")
    page.wait_for_selector(f"article[data-visit='{visit_id}'][data-status='checked_in']")

    page.context.set_offline(True)
    # The route stays readable with no network, from what the phone kept.
    page.reload()
    card.wait_for()
    assert "离线" in page.inner_text("#m-net")
    card.locator("button[data-action=check_out]").click()
    page.wait_for_selector("#m-pending-count[data-count='1']")
    assert "签退" in page.inner_text("#m-pending")
    # The waiting event names the elder, not the visit's number.
    assert "刘奶奶" in page.inner_text("#m-pending") and "#" not in page.inner_text("#m-pending")
    assert card.get_attribute("data-status") == "completed"
    time.sleep(0.5)
    assert _events(live_server, visit_id) == ["check_in"]

    page.context.set_offline(False)
    page.wait_for_selector("#m-pending-count[data-count='0']")
    _wait_for_events(live_server, visit_id, ["check_in", "check_out"])
    # Later retries, reloads and timers must not send it again.
    page.reload()
    card.wait_for()
    time.sleep(1)
    assert _events(live_server, visit_id) == ["check_in", "check_out"]
    with live_server.app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None and visit.status == VisitStatus.COMPLETED
        assert visit.check_in_lat == pytest.approx(HOME[0])
        db.session.remove()

    card.locator(".m-check input").first.check()
    card.locator("select[name=outcome]").select_option("done")
    card.locator("button[data-action=outcome]").click()
    card.locator("details", has=page.locator("textarea[name=note]")).locator("summary").click()
    card.locator("textarea[name=note]").fill("老人精神很好")
    card.locator("button[data-action=note]").click()
    _wait_for_events(live_server, visit_id, ["check_in", "check_out", "outcome", "note"])
    # The notes panel stays open across the re-render that follows the sync.
    page.wait_for_selector(f"article[data-visit='{visit_id}'] li:has-text('老人精神很好')")
    assert card.locator("textarea[name=note]").input_value() == ""

    page.click("header form[action$='/logout'] button")
    page.wait_for_url("**/login")
    kept = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('carehub.')).length")
    assert kept == 0
    assert page.evaluate("caches.keys().then(names => names.length)") == 0


def test_an_emergency_offer_shows_on_top_and_can_be_accepted(
    phone_page: Any, live_server: Any, make_user: Any
) -> None:
    from carehub.core.enums import RequestOrigin
    from carehub.fieldwork.models import EmergencyOffer

    page = phone_page
    account, visit_id = _visit_for(live_server, make_user)
    with live_server.app.app_context():
        make = Builders(db.session)
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        request = make.request(
            origin=RequestOrigin.EMERGENCY,
            service_type=make.service_type("emergency"),
            elder=make.elder(name="陈爷爷"),
            service_date=local_today(),
            note="一键呼叫：老人摔倒",
        )
        db.session.add(EmergencyOffer(request=request, caregiver_id=visit.caregiver_id))
        db.session.commit()
        db.session.remove()

    log_in(page, account)
    page.goto("/m/")
    offer = page.locator("#m-emergencies article[data-offer]")
    offer.wait_for()
    assert "一键呼叫：老人摔倒" in offer.inner_text()
    offer.locator("button[data-action=accept]").click()
    page.wait_for_selector("#m-notice:has-text('已接单')")
    page.locator("#m-emergencies article").wait_for(state="detached")
    first = page.locator("#m-route article").first
    first.wait_for()
    assert "陈爷爷" in first.inner_text() and "emergency" in (first.get_attribute("class") or "")
