"""Offers not accepted in time, or declined, go on to the next caregiver with an alert; each
escalation happens once however often (or however concurrently) the watch runs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from carehub.alerts.models import Alert
from carehub.auth import tokens
from carehub.core.enums import AlertKind, Role, VisitStatus
from carehub.emergency import services, timeline
from carehub.fieldwork.models import EmergencyOffer
from carehub.fieldwork.vocab import OfferStatus
from carehub.jobs import tasks
from tests.integration.emergency_support import NOW, emergency, medic
from tests.phone import Phone

MIN = dt.timedelta(minutes=1)


@pytest.fixture
def clock(app):
    current = {"at": NOW}
    app.config["CLOCK"] = lambda: current["at"]
    return current


def _states(db, request) -> list[tuple[str, str]]:
    return [(o.caregiver.code, str(o.status)) for o in services.offers(db.session, request)]


def _alerts(db) -> list[Alert]:
    return list(
        db.session.scalars(select(Alert).where(Alert.kind == AlertKind.EMERGENCY_ESCALATED))
    )


def test_an_offer_unanswered_for_three_minutes_goes_to_the_next_caregiver(
    app, make, db, clock
) -> None:
    first, second, third = medic(make, 100), medic(make, 800), medic(make, 2500)
    request = emergency(make)
    services.assign(db.session, request, first.code, NOW)
    db.session.commit()

    clock["at"] = NOW + 2 * MIN + dt.timedelta(seconds=59)
    assert "escalated" not in tasks.watch_visits(db.session, clock["at"])
    assert _states(db, request) == [(first.code, "offered")]

    clock["at"] = NOW + 3 * MIN
    assert tasks.watch_visits(db.session, clock["at"]).endswith("emergencies escalated 1")
    db.session.commit()
    assert _states(db, request) == [(first.code, "expired"), (second.code, "offered")]
    [alert] = _alerts(db)
    assert alert.elder_id == request.elder_id and first.name in alert.message
    assert second.name in alert.message

    # Running again at the same minute (a second scheduler) changes nothing.
    assert "escalated" not in tasks.watch_visits(db.session, clock["at"])
    assert len(_alerts(db)) == 1
    assert third.code not in [c for c, _ in _states(db, request)]

    line = timeline.build(request, services.offers(db.session, request))
    assert [s.what for s in line.steps] == ["received", "offered", "expired", "offered"]
    assert line.status == timeline.OFFERED


def test_the_timeout_is_configurable(app, make, db, clock) -> None:
    app.config["EMERGENCY_ACCEPT_MIN"] = 5
    first, _second = medic(make, 100), medic(make, 800)
    request = emergency(make)
    services.assign(db.session, request, first.code, NOW)
    assert services.expire_overdue(db.session, NOW + 4 * MIN) == 0
    assert services.expire_overdue(db.session, NOW + 5 * MIN) == 1


def test_two_overlapping_runs_escalate_once(app, make, db, clock, monkeypatch) -> None:
    first, _second = medic(make, 100), medic(make, 800)
    request = emergency(make)
    services.assign(db.session, request, first.code, NOW)
    db.session.commit()
    real_update = services.update

    def raced(*args):
        # Another run expires the offer between our read of the overdue offers and our update.
        db.session.execute(
            real_update(EmergencyOffer).values(status=OfferStatus.EXPIRED, responded_at=NOW)
        )
        return real_update(*args)

    monkeypatch.setattr(services, "update", raced)
    assert services.expire_overdue(db.session, NOW + 10 * MIN) == 0
    assert _alerts(db) == []
    assert len(services.offers(db.session, request)) == 1


def test_a_declined_offer_escalates_at_once(app, make, db, clock) -> None:
    user = make.user(Role.CAREGIVER, caregiver=medic(make, 100))
    second = medic(make, 800)
    request = emergency(make)
    offer = services.assign(db.session, request, user.caregiver.code, NOW)
    token, _row = tokens.issue(db.session, user)
    db.session.commit()
    phone = Phone(app.test_client(), user, token)
    clock["at"] = NOW + MIN
    answer = phone.post(f"/api/v1/emergencies/{offer.id}/decline", json={"reason": "在洗澡"})
    assert answer.status_code == 200
    db.session.expire_all()
    assert _states(db, request) == [(user.caregiver.code, "declined"), (second.code, "offered")]
    assert len(_alerts(db)) == 1
    line = timeline.build(request, services.offers(db.session, request))
    assert [(s.what, s.at) for s in line.steps][1:3] == [("offered", NOW), ("declined", NOW + MIN)]


def test_when_nobody_is_left_the_dispatcher_is_alerted_and_it_waits(app, make, db, clock) -> None:
    only = medic(make, 100)
    request = emergency(make)
    services.assign(db.session, request, only.code, NOW)
    assert services.expire_overdue(db.session, NOW + 3 * MIN) == 1
    assert _states(db, request) == [(only.code, "expired")]
    [alert] = _alerts(db)
    assert alert.message.endswith("→ -")
    assert timeline.build(request, services.offers(db.session, request)).status == "waiting"


def test_timeline_records_acceptance_arrival_and_close_with_response_time(
    app, make, db, clock
) -> None:
    from carehub.mobile import emergencies

    carer = medic(make, 100)
    request = emergency(make)
    offer = services.assign(db.session, request, carer.code, NOW + MIN)
    clock["at"] = NOW + 2 * MIN
    emergencies.accept(db.session, offer)
    visit = offer.visit
    visit.check_in_at, visit.status = NOW + 12 * MIN, VisitStatus.CHECKED_IN
    line = timeline.build(request, services.offers(db.session, request))
    assert line.status == timeline.ARRIVED
    assert line.at("received") == NOW and line.at("accepted") == NOW + 2 * MIN
    assert line.at("arrived") == NOW + 12 * MIN
    assert line.response_minutes == 12 and line.within_promise is True
    visit.check_out_at, visit.status = NOW + 40 * MIN, VisitStatus.COMPLETED
    visit.check_in_at = NOW + 16 * MIN
    line = timeline.build(request, services.offers(db.session, request))
    assert line.status == timeline.CLOSED and line.at("closed") == NOW + 40 * MIN
    assert line.response_minutes == 16 and line.within_promise is False
    # An accepted emergency is never escalated.
    assert services.expire_overdue(db.session, NOW + 60 * MIN) == 0
