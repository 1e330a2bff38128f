"""A push message makes the open phone page look at once. Chromium's DevTools protocol hands
the service worker a push as a push service would; the page's polling is slowed to ten
minutes, so only the push can bring the new offer on screen in time."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from sqlalchemy import select

from carehub.auth.models import User
from carehub.core.enums import RequestOrigin
from carehub.extensions import db
from carehub.fieldwork.models import EmergencyOffer
from tests.builders import Builders
from tests.e2e.support import PHONE, TIMEOUT_MS, log_in

# Ten minutes. Set on the server, not by rewriting the page in the browser: once the service
# worker controls the page it fetches /m/ itself, past the browser test's request routing.
SLOW_POLL_S = 600


def _offer_to(live_server: Any, username: str) -> None:
    with live_server.app.app_context():
        make = Builders(db.session)
        user = db.session.scalar(select(User).where(User.username == username))
        request = make.request(
            origin=RequestOrigin.EMERGENCY,
            service_type=make.service_type("emergency"),
            service_date=dt.date.today(),
            note="呼叫器报警",
        )
        db.session.add(
            EmergencyOffer(
                request=request, caregiver=user.caregiver, offered_at=dt.datetime.now(dt.UTC)
            )
        )
        db.session.commit()
        db.session.remove()


def _open_slow_phone(browser: Any, live_server: Any, account: Any) -> tuple[Any, Any]:
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.grant_permissions(["notifications"], origin=live_server.url)
    phone = context.new_page()
    log_in(phone, account)

    phone.goto("/m/")
    phone.wait_for_selector("#m-route p, #m-route article")
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    return context, phone


def _cards(phone: Any) -> int:
    return int(phone.locator("#m-emergencies article[data-offer]").count())


def test_a_push_brings_the_offer_on_screen_at_once(
    browser: Any, live_server: Any, make_user: Any, monkeypatch: Any
) -> None:
    account = make_user("caregiver", display_name="吴推送")
    monkeypatch.setitem(live_server.app.config, "MOBILE_POLL_S", SLOW_POLL_S)
    context, phone = _open_slow_phone(browser, live_server, account)
    try:
        cdp = context.new_cdp_session(phone)
        registrations: list[dict[str, Any]] = []
        cdp.on(
            "ServiceWorker.workerRegistrationUpdated",
            lambda event: registrations.extend(event["registrations"]),
        )
        cdp.send("ServiceWorker.enable")
        deadline = time.monotonic() + 5
        while not any(not r["isDeleted"] for r in registrations):
            assert time.monotonic() < deadline, "the service worker never registered"
            phone.wait_for_timeout(100)
        registration = next(r for r in registrations if not r["isDeleted"])

        phone.wait_for_timeout(500)  # the first poll has answered
        _offer_to(live_server, account.username)
        # Without a push the slowed page does not notice ...
        phone.wait_for_timeout(3000)
        assert _cards(phone) == 0

        # ... and with one it does, without a reload.
        started = time.perf_counter()
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": live_server.url,
                "registrationId": registration["registrationId"],
                "data": json.dumps(
                    {"kind": "offer", "title": "紧急任务", "body": "x", "url": "/m/"}
                ),
            },
        )
        phone.wait_for_selector("#m-emergencies article[data-offer]", timeout=5000)
        print(f"\npush -> offer on screen: {time.perf_counter() - started:.2f} s")
        assert "呼叫器报警" in phone.inner_text("#m-emergencies")
    finally:
        context.close()
