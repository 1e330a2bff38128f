"""Emergency offers answered from the phone: accept, decline, someone else's, already taken."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from carehub.core.enums import RequestOrigin, RequestStatus, VisitStatus
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.fieldwork.models import EmergencyOffer
from carehub.fieldwork.vocab import OfferStatus
from tests.phone import Phone, make_phone

NOW = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)  # 14:00 in Shanghai


@pytest.fixture
def emergency(app, make, db) -> ServiceRequest:
    app.config["CLOCK"] = lambda: NOW
    return make.request(
        origin=RequestOrigin.EMERGENCY,
        service_type=make.service_type("emergency"),
        note="老人摔倒，家属来电",
        priority=1,
    )


def _offer(db, request: ServiceRequest, phone: Phone) -> EmergencyOffer:
    offer = EmergencyOffer(request=request, caregiver=phone.user.caregiver, offered_at=NOW)
    db.session.add(offer)
    db.session.commit()
    return offer


def test_open_offers_are_listed_and_the_first_to_accept_gets_the_visit(
    app, make, db, emergency
) -> None:
    first, second = make_phone(app, make), make_phone(app, make)
    mine, theirs = _offer(db, emergency, first), _offer(db, emergency, second)

    listed = first.get("/api/v1/me/emergencies").get_json()["offers"]
    assert [(o["id"], o["note"]) for o in listed] == [(mine.id, "老人摔倒，家属来电")]

    accepted = first.post(f"/api/v1/emergencies/{mine.id}/accept")
    assert accepted.status_code == 200
    body = accepted.get_json()
    assert body["offer"]["status"] == "accepted"
    assert body["visit"]["emergency"] is True and body["visit"]["status"] == "published"
    assert body["visit"]["planned_start"] == "2026-11-23T14:00:00+08:00"
    assert [item["code"] for item in body["visit"]["checklist"]][0] == "safety"

    db.session.expire_all()
    assert emergency.status == RequestStatus.SCHEDULED
    visit = db.session.scalars(select(Visit)).one()
    assert visit.caregiver_id == first.user.caregiver_id and visit.status == VisitStatus.PUBLISHED
    assert theirs.status == OfferStatus.WITHDRAWN

    # Accepting again changes nothing; the withdrawn offer cannot be taken.
    assert first.post(f"/api/v1/emergencies/{mine.id}/accept").status_code == 200
    assert len(db.session.scalars(select(Visit)).all()) == 1
    assert second.post(f"/api/v1/emergencies/{theirs.id}/accept").status_code == 409
    assert second.get("/api/v1/me/emergencies").get_json()["offers"] == []

    route = first.get("/api/v1/me/visits?date=2026-11-23").get_json()["visits"]
    assert [v["id"] for v in route] == [visit.id]


def test_emergencies_come_first_on_the_route(app, make, db, emergency) -> None:
    phone = make_phone(app, make)
    early = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
    planned = make.visit(
        caregiver=phone.user.caregiver, status=VisitStatus.PUBLISHED, planned_start=early
    )
    offer = _offer(db, emergency, phone)
    phone.post(f"/api/v1/emergencies/{offer.id}/accept")
    route = phone.get("/api/v1/me/visits?date=2026-11-23").get_json()["visits"]
    assert [v["emergency"] for v in route] == [True, False]
    assert route[1]["id"] == planned.id


def test_decline_with_a_reason_and_no_way_back(app, make, db, emergency) -> None:
    phone = make_phone(app, make)
    offer = _offer(db, emergency, phone)
    declined = phone.post(
        f"/api/v1/emergencies/{offer.id}/decline", json={"reason": "在另一位老人家"}
    )
    assert declined.status_code == 200
    assert declined.get_json()["offer"]["status"] == "declined"
    db.session.expire_all()
    assert offer.decline_reason == "在另一位老人家" and offer.responded_at == NOW
    assert emergency.status == RequestStatus.OPEN
    assert phone.post(f"/api/v1/emergencies/{offer.id}/accept").status_code == 409
    assert phone.post(f"/api/v1/emergencies/{offer.id}/decline").status_code == 200


def test_decline_without_a_body_and_bad_bodies(app, make, db, emergency) -> None:
    phone = make_phone(app, make)
    offer = _offer(db, emergency, phone)
    bad = phone.post(f"/api/v1/emergencies/{offer.id}/decline", json={"reason": 5, "why": "x"})
    assert bad.status_code == 400 and set(bad.get_json()["fields"]) == {"reason", "why"}
    assert phone.post(f"/api/v1/emergencies/{offer.id}/decline").status_code == 200


def test_another_caregivers_offer_looks_missing(app, make, db, emergency) -> None:
    owner, stranger = make_phone(app, make), make_phone(app, make)
    offer = _offer(db, emergency, owner)
    assert stranger.post(f"/api/v1/emergencies/{offer.id}/accept").status_code == 404
    assert stranger.post(f"/api/v1/emergencies/{offer.id}/decline").status_code == 404
    db.session.expire_all()
    assert offer.status == OfferStatus.OFFERED


def test_a_request_taken_by_dispatch_cannot_be_accepted(app, make, db, emergency) -> None:
    phone = make_phone(app, make)
    offer = _offer(db, emergency, phone)
    emergency.status = RequestStatus.CANCELLED
    db.session.commit()
    assert phone.post(f"/api/v1/emergencies/{offer.id}/accept").status_code == 409


def test_an_accepted_emergency_pushes_the_visits_it_runs_into(app, make, db, emergency) -> None:
    phone = make_phone(app, make)
    cg = phone.user.caregiver

    def published(minutes: int) -> Visit:
        start = NOW + dt.timedelta(minutes=minutes)
        return make.visit(
            caregiver=cg,
            status=VisitStatus.PUBLISHED,
            planned_start=start,
            planned_end=start + dt.timedelta(minutes=30),
            request=make.request(service_date=dt.date(2026, 11, 23)),
        )

    now_visit, next_visit, free_later = published(0), published(30), published(300)
    offer = _offer(db, emergency, phone)
    assert phone.post(f"/api/v1/emergencies/{offer.id}/accept").status_code == 200
    db.session.expire_all()
    rows = sorted(
        db.session.scalars(
            select(Visit).where(Visit.caregiver_id == cg.id, Visit.status == VisitStatus.PUBLISHED)
        ),
        key=lambda v: v.planned_start,
    )
    assert len(rows) == 4
    for a, b in zip(rows, rows[1:], strict=False):
        assert a.planned_end <= b.planned_start, (a.id, b.id)
    assert db.session.get(Visit, now_visit.id).planned_start > NOW
    assert db.session.get(Visit, free_later.id).planned_start == NOW + dt.timedelta(minutes=300)
    assert next_visit.id in {r.id for r in rows}
