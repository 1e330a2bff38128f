"""The phone hears the office without a reload: a dispatcher confirms an emergency in one
browser context and the caregiver's open /m/ page in another shows the offer. The time from
the confirm click to the offer on screen is measured over several emergencies; its p95 must
stay within 5 s (the issue's promise). Figures are printed for docs/benchmarks.md."""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

from sqlalchemy import select

from carehub.auth.models import User
from carehub.extensions import db
from tests.builders import Builders
from tests.e2e.support import PHONE, TIMEOUT_MS, log_in, put_on_call

# Away from the other browser tests' elders, so this caregiver is the nearest.
HOME = (39.1420, 117.2210)
REPETITIONS = 10
P95_LIMIT_S = 5.0
POLL_S = 3  # MOBILE_POLL_S, the default


def _on_call(live_server: Any, make_user: Any) -> tuple[Any, str, list[str]]:
    account = make_user("caregiver", display_name="孙值班")
    with live_server.app.app_context():
        make = Builders(db.session)
        user = db.session.scalar(select(User).where(User.username == account.username))
        carer = user.caregiver
        put_on_call(make, carer, (HOME[0] + 0.0005, HOME[1]))
        elders = [
            make.elder(name=f"周爷爷{n}", lat=HOME[0], lon=HOME[1] + 0.0001 * n)
            for n in range(REPETITIONS)
        ]
        db.session.commit()
        found = (account, carer.code, [e.code for e in elders])
        db.session.remove()
    return found


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def test_an_open_phone_shows_a_confirmed_emergency_within_seconds(
    page: Any, browser: Any, live_server: Any, make_user: Any
) -> None:
    carer, carer_code, elder_codes = _on_call(live_server, make_user)
    log_in(page, make_user("dispatcher"))

    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    context.set_default_timeout(TIMEOUT_MS)
    seconds: list[float] = []
    phase = random.Random(17)
    try:
        phone = context.new_page()
        log_in(phone, carer)
        phone.goto("/m/")
        phone.wait_for_selector("#m-route p, #m-route article")
        # Set once: still there at the end means the page was never reloaded.
        phone.evaluate("window.__notReloaded = true")

        for n, elder_code in enumerate(elder_codes, start=1):
            page.goto("/dispatch/emergency/")
            page.fill("#q", elder_code)
            page.click("main form[role=search] button[type=submit]")
            page.locator("#elder-results a.button").first.click()
            page.fill("#note", f"第{n}次：老人按了呼叫器")
            page.click("main form[method=post] button.primary")
            confirm = page.locator(
                f"#proposals tbody tr[data-caregiver='{carer_code}'] button[type=submit]"
            )
            confirm.wait_for()
            # Confirm at a random point of the phone's polling cycle, so the figures
            # sample the whole cycle rather than one phase the test's rhythm locks onto.
            page.wait_for_timeout(phase.uniform(0, POLL_S * 1000))
            started = time.perf_counter()
            confirm.click()
            phone.wait_for_function(
                "n => document.querySelectorAll('#m-emergencies article[data-offer]').length >= n",
                arg=n,
                timeout=15_000,
            )
            seconds.append(time.perf_counter() - started)
            page.wait_for_selector("#timeline tr[data-step='offered']")
            assert f"第{n}次" in phone.inner_text("#m-emergencies")

        assert phone.evaluate("window.__notReloaded") is True
    finally:
        context.close()

    median, p95 = statistics.median(seconds), _p95(seconds)
    print(
        f"\nconfirm -> offer on the phone, {len(seconds)} emergencies: "
        f"median {median:.2f} s, p95 {p95:.2f} s, max {max(seconds):.2f} s; "
        + ", ".join(f"{s:.2f}" for s in seconds)
    )
    assert p95 <= P95_LIMIT_S, seconds
