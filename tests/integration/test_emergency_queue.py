"""The open-emergencies queue on the dispatcher's console, and the alert for an emergency
that has had no offer for EMERGENCY_NO_OFFER_MIN minutes, which resolves itself once an
offer is made."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from carehub.alerts.models import Alert
from carehub.core.enums import AlertKind, RequestStatus, Role
from carehub.emergency import devices, queue, services
from carehub.fieldwork.models import EmergencyOffer
from carehub.fieldwork.vocab import OfferStatus
from carehub.jobs import tasks
from tests.integration.emergency_support import ELDER_AT, NOW, emergency, medic

SECOND = dt.timedelta(seconds=1)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def clock(app):  # type: ignore[no-untyped-def]
    current = {"at": NOW}
    app.config["CLOCK"] = lambda: current["at"]
    return current


def _alerts(db, open_only: bool = False) -> list[Alert]:  # type: ignore[no-untyped-def]
    query = select(Alert).where(Alert.kind == AlertKind.EMERGENCY_NO_OFFER)
    if open_only:
        query = query.where(Alert.acknowledged_at.is_(None))
    return list(db.session.scalars(query))


def _watch(db, clock, at: dt.datetime) -> str:  # type: ignore[no-untyped-def]
    clock["at"] = at
    summary = tasks.watch_visits(db.session, at)
    db.session.commit()
    return summary


def test_no_alert_before_a_minute_without_an_offer(app, make, db, clock) -> None:  # type: ignore[no-untyped-def]
    request = emergency(make)
    db.session.commit()
    _watch(db, clock, NOW + MINUTE - SECOND)
    assert _alerts(db) == []
    [item] = queue.open_emergencies(db.session, NOW + MINUTE - SECOND)
    assert (item.request.id, item.state, item.overdue) == (request.id, queue.NO_OFFER, False)


def test_a_minute_without_an_offer_alerts_the_station_once(app, make, db, clock) -> None:  # type: ignore[no-untyped-def]
    request = emergency(make)
    db.session.commit()
    assert _watch(db, clock, NOW + MINUTE).endswith("emergencies without an offer 1")
    _watch(db, clock, NOW + 2 * MINUTE)
    [alert] = _alerts(db)
    assert alert.station_id == request.elder.station_id and alert.elder_id == request.elder_id
    assert alert.message.startswith(f"#{request.id} ")
    assert queue.open_emergencies(db.session, NOW + MINUTE)[0].overdue


def test_the_limit_is_configurable(app, make, db, clock) -> None:  # type: ignore[no-untyped-def]
    app.config["EMERGENCY_NO_OFFER_MIN"] = 5
    emergency(make)
    db.session.commit()
    _watch(db, clock, NOW + 4 * MINUTE)
    assert _alerts(db) == []
    _watch(db, clock, NOW + 5 * MINUTE)
    assert len(_alerts(db)) == 1


def test_an_offer_resolves_the_alert(app, make, db, clock) -> None:  # type: ignore[no-untyped-def]
    carer = medic(make, 200)
    request = emergency(make)
    db.session.commit()
    _watch(db, clock, NOW + MINUTE)
    assert len(_alerts(db, open_only=True)) == 1
    services.assign(db.session, request, carer.code, NOW + 2 * MINUTE)
    db.session.commit()
    [alert] = _alerts(db)
    assert alert.acknowledged_at == NOW + 2 * MINUTE and alert.acknowledged_by_id is None
    [item] = queue.open_emergencies(db.session, NOW + 2 * MINUTE)
    assert (item.state, item.offered_to) == (queue.OFFERED, carer.name)


def test_an_emergency_with_an_offer_never_alerts(app, make, db, clock) -> None:  # type: ignore[no-untyped-def]
    carer = medic(make, 200)
    request = emergency(make)
    services.assign(db.session, request, carer.code, NOW + 10 * SECOND)
    db.session.commit()
    _watch(db, clock, NOW + 2 * MINUTE)
    assert _alerts(db) == []


def test_a_cancelled_emergency_resolves_its_alert(app, make, db, clock) -> None:  # type: ignore[no-untyped-def]
    request = emergency(make)
    db.session.commit()
    _watch(db, clock, NOW + MINUTE)
    request.status = RequestStatus.CANCELLED
    db.session.commit()
    _watch(db, clock, NOW + 2 * MINUTE)
    assert _alerts(db, open_only=True) == []
    assert queue.open_emergencies(db.session, NOW + 2 * MINUTE) == []


def test_accepted_emergencies_leave_the_queue_and_unanswered_ones_stay(app, make, db) -> None:  # type: ignore[no-untyped-def]
    a, b = medic(make, 200), medic(make, 400)
    taken = emergency(make)
    refused = emergency(make)
    services.assign(db.session, taken, a.code, NOW)
    services.assign(db.session, refused, b.code, NOW)
    offers = {o.request_id: o for o in db.session.scalars(select(EmergencyOffer))}
    offers[taken.id].status = OfferStatus.ACCEPTED
    offers[refused.id].status = OfferStatus.DECLINED
    db.session.flush()
    found = queue.open_emergencies(db.session, NOW + MINUTE)
    assert [(e.request.id, e.state) for e in found] == [(refused.id, queue.UNANSWERED)]


def test_an_alarm_device_emergency_is_queued_and_alerted(app, make, db, clock) -> None:  # type: ignore[no-untyped-def]
    elder = make.elder(lat=ELDER_AT[0], lon=ELDER_AT[1])
    token, _device = devices.issue(db.session, "一键呼叫-7")
    db.session.commit()
    answer = app.test_client().post(
        "/api/v1/emergencies",
        json={"elder_code": elder.code, "note": "一键呼叫"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201
    [item] = queue.open_emergencies(db.session, NOW)
    assert item.request.elder_id == elder.id and item.state == queue.NO_OFFER
    _watch(db, clock, NOW + MINUTE)
    assert len(_alerts(db)) == 1


def test_the_board_lists_open_emergencies_of_the_dispatchers_station_only(
    app, make, db, client, login_as, clock
) -> None:  # type: ignore[no-untyped-def]
    mine = emergency(make)
    theirs = emergency(make)
    db.session.commit()
    clock["at"] = NOW + 2 * MINUTE
    login_as(Role.DISPATCHER, station_id=mine.elder.station_id)
    page = client.get("/dispatch/board?day=2026-11-23").get_data(as_text=True)
    assert f'data-emergency="{mine.id}"' in page
    assert f'data-emergency="{theirs.id}"' not in page
    # No offer for two minutes: marked overdue; it links to the emergency's page to offer it.
    row = page.split(f'data-emergency="{mine.id}"')[1].split("</tr>")[0]
    assert f'data-emergency="{mine.id}" class="emergency-no_offer overdue"' in page
    assert f"/dispatch/emergency/{mine.id}" in row
    refreshed = client.get("/dispatch/board.json?day=2026-11-23").get_json()
    assert f'data-emergency="{mine.id}"' in refreshed["html"]


def test_the_emergency_screen_lists_the_queue(app, make, db, client, login_as, clock) -> None:  # type: ignore[no-untyped-def]
    request = emergency(make)
    db.session.commit()
    login_as(Role.DISPATCHER)
    page = client.get("/dispatch/emergency/").get_data(as_text=True)
    assert f'data-emergency="{request.id}"' in page
