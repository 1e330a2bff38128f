"""The phone hears the office: every change to a caregiver's published visits or offers
raises their change counter in the same transaction, and /api/v1/me/changes tells the open
page; new offers go by SMS to a caregiver whose phone has no push subscription."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from carehub.core.enums import RequestOrigin, VisitStatus
from carehub.dispatch.models import Visit
from carehub.fieldwork.models import EmergencyOffer
from carehub.notify import feed, sms
from tests.phone import SHANGHAI, Phone, make_phone, published_visit

NOW = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)  # 14:00 in Shanghai


@pytest.fixture(autouse=True)
def _clock(app) -> None:  # type: ignore[no-untyped-def]
    app.config["CLOCK"] = lambda: NOW


def _version(db, phone: Phone) -> int:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return feed.version(db.session, phone.user.caregiver_id)[0]


def _offer(db, make, phone: Phone) -> EmergencyOffer:  # type: ignore[no-untyped-def]
    request = make.request(
        origin=RequestOrigin.EMERGENCY, service_type=make.service_type("emergency"), priority=1
    )
    offer = EmergencyOffer(request=request, caregiver=phone.user.caregiver, offered_at=NOW)
    db.session.add(offer)
    db.session.commit()
    return offer


def _texts(app) -> list[sms.Sent]:  # type: ignore[no-untyped-def]
    sender = sms.sender(app)
    assert isinstance(sender, sms.FakeSms)
    return sender.sent


def test_an_offer_changes_the_version_the_page_polls(app, make, db) -> None:  # type: ignore[no-untyped-def]
    phone = make_phone(app, make)
    first = phone.get("/api/v1/me/changes").get_json()
    assert first["version"] == 0 and first["changed"] is True

    unchanged = phone.get(f"/api/v1/me/changes?since={first['version']}").get_json()
    assert unchanged["changed"] is False

    _offer(db, make, phone)
    after = phone.get(f"/api/v1/me/changes?since={first['version']}").get_json()
    assert after["changed"] is True and after["version"] == first["version"] + 1
    assert after["changed_at"] == "2026-11-23T14:00:00+08:00"


def test_changes_refuses_a_version_that_is_not_a_number(app, make) -> None:  # type: ignore[no-untyped-def]
    phone = make_phone(app, make)
    answer = phone.get("/api/v1/me/changes?since=abc")
    assert answer.status_code == 400 and "since" in answer.get_json()["fields"]


def test_a_draft_visit_is_not_the_phones_business_until_published(app, make, db) -> None:  # type: ignore[no-untyped-def]
    phone = make_phone(app, make)
    draft = published_visit(make, phone, status=VisitStatus.PLANNED)
    assert _version(db, phone) == 0

    draft.status = VisitStatus.PUBLISHED
    db.session.commit()
    assert _version(db, phone) == 1


def test_a_visit_handed_over_tells_both_caregivers(app, make, db) -> None:  # type: ignore[no-untyped-def]
    mine, theirs = make_phone(app, make), make_phone(app, make)
    visit = published_visit(make, mine)
    before = (_version(db, mine), _version(db, theirs))

    db.session.expire_all()  # as a later request would find it: nothing loaded
    visit = db.session.get(Visit, visit.id)
    visit.caregiver = theirs.user.caregiver
    db.session.commit()
    assert (_version(db, mine), _version(db, theirs)) == (before[0] + 1, before[1] + 1)


def test_retimed_and_cancelled_visits_count_and_an_unrelated_edit_does_not(app, make, db) -> None:  # type: ignore[no-untyped-def]
    phone = make_phone(app, make)
    visit = published_visit(make, phone)
    start = _version(db, phone)

    visit.note = "钥匙在门垫下"
    db.session.commit()
    assert _version(db, phone) == start

    visit.planned_start += dt.timedelta(minutes=30)
    visit.planned_end += dt.timedelta(minutes=30)
    db.session.commit()
    assert _version(db, phone) == start + 1

    visit.status = VisitStatus.CANCELLED
    db.session.commit()
    assert _version(db, phone) == start + 2


def test_an_offer_to_a_phone_without_push_goes_by_sms(app, make, db) -> None:  # type: ignore[no-untyped-def]
    phone = make_phone(app, make)
    offer = _offer(db, make, phone)
    texts = _texts(app)
    assert [t.to for t in texts] == [phone.user.caregiver.phone]
    assert offer.request.elder.name in texts[0].text


def test_a_route_change_is_not_texted(app, make, db) -> None:  # type: ignore[no-untyped-def]
    phone = make_phone(app, make)
    published_visit(make, phone, planned_start=NOW, planned_end=NOW + dt.timedelta(minutes=20))
    assert _version(db, phone) == 1
    assert _texts(app) == []


def test_the_caregivers_own_check_in_counts_but_tells_nobody(app, make, db) -> None:  # type: ignore[no-untyped-def]
    phone = make_phone(app, make)
    visit = published_visit(make, phone)
    start = _version(db, phone)
    assert phone.event(visit).status_code == 201
    assert _version(db, phone) == start + 1
    assert _texts(app) == []


def test_upcoming_lists_the_next_seven_days_published_visits(app, make, db) -> None:  # type: ignore[no-untyped-def]
    phone = make_phone(app, make)

    def at(days: int, hour: int, **kw) -> Visit:  # type: ignore[no-untyped-def]
        start = dt.datetime(2026, 11, 23, hour, 0, tzinfo=SHANGHAI) + dt.timedelta(days=days)
        return published_visit(
            make, phone, planned_start=start, planned_end=start + dt.timedelta(minutes=30), **kw
        )

    at(0, 16)  # today: on the route, not in the coming days
    tomorrow = at(1, 9)
    last = at(7, 10)
    at(8, 10)  # beyond the week
    at(2, 9, status=VisitStatus.PLANNED)  # a draft
    body = phone.get("/api/v1/me/upcoming").get_json()
    assert (body["from"], body["to"]) == ("2026-11-24", "2026-11-30")
    listed = [v["id"] for day in body["days"] for v in day["visits"]]
    assert listed == [tomorrow.id, last.id]
    assert body["days"][0]["visits"][0]["planned_start"] == "2026-11-24T09:00:00+08:00"
    assert [len(d["visits"]) for d in body["days"]] == [1, 0, 0, 0, 0, 0, 1]


def test_the_feed_row_holds_one_counter_per_caregiver(app, make, db) -> None:  # type: ignore[no-untyped-def]
    from carehub.notify.models import CaregiverFeed

    phone = make_phone(app, make)
    _offer(db, make, phone)
    _offer(db, make, phone)
    rows = db.session.scalars(select(CaregiverFeed)).all()
    assert [(r.caregiver_id, r.version) for r in rows] == [(phone.user.caregiver_id, 2)]


def test_an_expired_offer_is_news_for_the_phone_only_once_it_expires(app, make, db) -> None:  # type: ignore[no-untyped-def]
    from carehub.emergency import services

    phone = make_phone(app, make)
    _offer(db, make, phone)
    start = _version(db, phone)
    assert services.expire_overdue(db.session, NOW + dt.timedelta(minutes=1)) == 0
    db.session.commit()
    assert _version(db, phone) == start

    assert services.expire_overdue(db.session, NOW + dt.timedelta(minutes=5)) == 1
    db.session.commit()
    assert _version(db, phone) == start + 1
