"""A caregiver's meal round on the phone in Chromium: collect the meals at the canteen
(offline, sent when the network is back), then check two drops in and out, in order."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from carehub.core.enums import VisitStatus
from carehub.core.time import local_today
from carehub.dispatch.models import MealRound, Visit
from carehub.extensions import db
from tests.builders import Builders
from tests.e2e.support import TIMEOUT_MS, Account, log_in
from tests.e2e.test_mobile import _wait_for_events
from tests.integration.meals_support import meal_day, write


def _round_for(live_server: Any, make_user: Any) -> tuple[Account, int, list[int]]:
    account = make_user("caregiver", display_name="赵送餐")
    with live_server.app.app_context():
        from carehub.auth.models import User

        user = db.session.scalar(select(User).where(User.username == account.username))
        # Every day of the week: the test runs on whatever day it is in Shanghai.
        user.caregiver.weekdays_mask = 0b1111111
        r = meal_day(Builders(db.session), local_today(), caregiver=user.caregiver)
        rows = write(db.session, r, publish=True)
        db.session.commit()
        round_id = rows[0].meal_round_id
        drops = [v.id for v in rows]
        db.session.remove()
    assert round_id is not None
    return account, round_id, drops


def _collected(live_server: Any, round_id: int) -> bool:
    with live_server.app.app_context():
        found = db.session.get(MealRound, round_id)
        done = found is not None and found.collected_at is not None
        db.session.remove()
    return done


def _statuses(live_server: Any, ids: list[int]) -> list[str]:
    with live_server.app.app_context():
        found = [str(db.session.get(Visit, i).status) for i in ids]  # type: ignore[union-attr]
        db.session.remove()
    return found


def test_a_round_is_collected_then_two_drops_checked_out(
    phone_page: Any,
    live_server: Any,
    make_user: Any,
) -> None:
    page = phone_page
    account, round_id, drops = _round_for(live_server, make_user)
    log_in(page, account)
    page.goto("/m/")
    card = page.locator(f"article[data-round='{round_id}']")
    card.wait_for()
    text = card.inner_text()
    assert "2" in text and "低盐" in text and "清真" in text
    # The round comes first, then its drops in order.
    order = page.eval_on_selector_all(
        "#m-route article", "els => els.map(e => e.dataset.round ? 'R' : e.dataset.visit)"
    )
    assert order == ["R", *(str(d) for d in drops)]
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    # Collected with no network: kept on the phone, sent when the network returns.
    page.context.set_offline(True)
    card.locator("button[data-action=collect]").click()
    page.wait_for_selector("#m-pending-count[data-count='1']")
    page.wait_for_selector(f"article[data-round='{round_id}'][data-collected='1']")
    assert not _collected(live_server, round_id)
    page.context.set_offline(False)
    page.wait_for_selector("#m-pending-count[data-count='0']")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not _collected(live_server, round_id) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _collected(live_server, round_id)

    for drop in drops:
        drop_card = page.locator(f"article[data-visit='{drop}']")
        assert "饮食" in drop_card.inner_text()
        drop_card.locator("button[data-action=check_in]").click()
        _wait_for_events(live_server, drop, ["check_in"])
        page.wait_for_selector(f"article[data-visit='{drop}'][data-status='checked_in']")
        drop_card.locator("button[data-action=check_out]").click()
        _wait_for_events(live_server, drop, ["check_in", "check_out"])
        page.wait_for_selector(f"article[data-visit='{drop}'][data-status='completed']")
    assert _statuses(live_server, drops) == [VisitStatus.COMPLETED.value] * 2
    # After a reload the round still reads as collected.
    page.reload()
    page.wait_for_selector(f"article[data-round='{round_id}'][data-collected='1']")
