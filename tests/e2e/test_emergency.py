"""The emergency flow in Chromium: the dispatcher raises an emergency and confirms the best
caregiver; the caregiver's phone (360 px) shows it on top and accepts; the dispatcher's
timeline shows it accepted."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from carehub.auth.models import User
from carehub.extensions import db
from carehub.fieldwork.models import EmergencyOffer
from carehub.fieldwork.vocab import OfferStatus
from tests.builders import Builders
from tests.e2e.support import HOME, PHONE, TIMEOUT_MS, log_in, put_on_call


def _on_call_caregiver(live_server: Any, make_user: Any) -> tuple[Any, str, str]:
    account = make_user("caregiver", display_name="赵急救")
    with live_server.app.app_context():
        make = Builders(db.session)
        user = db.session.scalar(select(User).where(User.username == account.username))
        carer = user.caregiver
        put_on_call(make, carer, (HOME[0] + 0.001, HOME[1]))  # next door to the elder
        elder = make.elder(name="钱奶奶", lat=HOME[0], lon=HOME[1])
        db.session.commit()
        found = (account, carer.code, elder.code)
        db.session.remove()
    return found


def _offer_status(live_server: Any, code: str) -> str | None:
    with live_server.app.app_context():
        offer = db.session.scalar(
            select(EmergencyOffer).where(EmergencyOffer.caregiver.has(code=code))
        )
        status = str(offer.status) if offer else None
        db.session.remove()
    return status


def test_dispatcher_raises_caregiver_accepts_timeline_shows_it(
    page: Any, browser: Any, live_server: Any, make_user: Any
) -> None:
    carer, carer_code, elder_code = _on_call_caregiver(live_server, make_user)
    log_in(page, make_user("dispatcher"))
    page.goto("/dispatch/emergency/")
    page.fill("#q", elder_code)
    page.click("main form[role=search] button[type=submit]")
    page.locator("#elder-results a.button").first.click()
    page.fill("#note", "老人在家中摔倒，意识清醒")
    page.click("main form[method=post] button.primary")
    best = page.locator("#proposals tbody tr").first
    assert best.get_attribute("data-caregiver") == carer_code
    best.locator("button[type=submit]").click()
    page.wait_for_selector("#timeline tr[data-step='offered']")
    assert _offer_status(live_server, carer_code) == OfferStatus.OFFERED

    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        phone = context.new_page()
        log_in(phone, carer)
        phone.goto("/m/")
        card = phone.locator("#m-emergencies article[data-offer]")
        card.wait_for()
        assert "老人在家中摔倒" in card.inner_text()
        offers_top = phone.locator("#m-emergencies").bounding_box()["y"]
        assert offers_top < phone.locator("#m-route").bounding_box()["y"]
        card.locator("button[data-action=accept]").click()
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while _offer_status(live_server, carer_code) != OfferStatus.ACCEPTED:
            assert time.monotonic() < deadline, "the acceptance never reached the server"
            time.sleep(0.1)
    finally:
        context.close()

    page.reload()
    page.wait_for_selector("#timeline tr[data-step='accepted']")
    assert "已接单" in page.inner_text("#emergency-status")
