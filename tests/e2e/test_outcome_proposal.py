"""A caregiver reports "taken to hospital" on the phone; the dispatcher sees the alert, opens
the proposal and confirms it with one click: the elder is hospitalised from today and the
elder's later requests are called off. Two browser contexts: the phone and the office."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from sqlalchemy import select

from carehub.core.enums import ElderStatus, RequestStatus
from carehub.core.time import local_today
from carehub.dispatch.models import ServiceRequest
from carehub.extensions import db
from carehub.outcomes.models import StatusProposal
from carehub.registry.models import Elder
from tests.builders import Builders
from tests.e2e.support import HOME, TIMEOUT_MS, first_visit_today, log_in


def _day(live_server: Any, caregiver_username: str) -> dict[str, int]:
    from carehub.auth.models import User

    with live_server.app.app_context():
        make = Builders(db.session)
        user = db.session.scalar(select(User).where(User.username == caregiver_username))
        station = user.caregiver.station
        elder = make.elder(name="赵奶奶", lat=HOME[0], lon=HOME[1], station=station)
        today = local_today()
        visit = first_visit_today(make, user.caregiver, elder, status=RequestStatus.SCHEDULED)
        later = make.request(elder=elder, service_date=today + dt.timedelta(days=2))
        db.session.commit()
        ids = {"visit": visit.id, "elder": elder.id, "later": later.id, "station": station.id}
        db.session.remove()
    return ids


def _wait_for_proposal(live_server: Any, elder_id: int) -> None:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        with live_server.app.app_context():
            found = db.session.scalar(
                select(StatusProposal.id).where(StatusProposal.elder_id == elder_id)
            )
            db.session.remove()
        if found is not None:
            return
        time.sleep(0.1)
    raise AssertionError("the phone's outcome never reached the server")


def test_hospital_reported_on_the_phone_is_confirmed_in_the_office(
    page: Any, phone_page: Any, live_server: Any, make_user: Any
) -> None:
    carer = make_user("caregiver", display_name="孙护理")
    ids = _day(live_server, carer.username)

    log_in(phone_page, carer)
    card = phone_page.locator(f"article[data-visit='{ids['visit']}']")
    card.wait_for()
    card.locator("button[data-action=check_in]").click()
    phone_page.wait_for_selector(f"article[data-visit='{ids['visit']}'][data-status='checked_in']")
    phone_page.wait_for_selector("#m-pending-count[data-count='0']")
    # After a sync the page fetches the route again and redraws the card: choose once it has.
    phone_page.wait_for_load_state("networkidle")
    card.locator("select[name=outcome]").select_option("hospitalised")
    card.locator("button[data-action=outcome]").click()
    _wait_for_proposal(live_server, ids["elder"])

    log_in(page, make_user("dispatcher", station_id=ids["station"]))
    page.goto("/alerts")
    alert = page.locator("tr", has_text="赵奶奶")
    alert.wait_for()
    assert "待确认的老人状态变更" in alert.inner_text() and "已送医" in alert.inner_text()
    alert.locator("a", has_text="确认或驳回").click()
    row = page.locator("#open-proposals tr[data-proposal]", has_text="赵奶奶")
    row.wait_for()
    assert "住院" in row.inner_text()
    # The visit's page shows what the phone recorded.
    row.locator("a", has_text=f"#{ids['visit']}").click()
    page.wait_for_selector("#phone-record")
    assert "老人住院" in page.inner_text("#record-outcome")
    assert page.locator("#record-events tr[data-event]").count() == 2
    page.go_back()

    with page.expect_navigation():
        page.locator("#open-proposals tr[data-proposal]", has_text="赵奶奶").locator(
            "button", has_text="确认"
        ).click()
    assert "已取消 1 个服务需求" in page.inner_text(".flash-success")
    assert page.locator("#open-proposals tr[data-proposal]").count() == 0
    assert "已确认" in page.inner_text("#decided-proposals")

    with live_server.app.app_context():
        elder = db.session.get(Elder, ids["elder"])
        assert elder is not None and elder.status_on(local_today()) == ElderStatus.HOSPITALISED
        later = db.session.get(ServiceRequest, ids["later"])
        assert later is not None and later.status == RequestStatus.CANCELLED
        [proposal] = db.session.scalars(
            select(StatusProposal).where(StatusProposal.elder_id == ids["elder"])
        ).all()
        assert proposal.state == "confirmed"
        db.session.remove()
    page.goto("/alerts")
    assert page.locator("tr", has_text="赵奶奶").count() == 0
