"""Meal rounds on the phone API: a round lists its meals with dietary notes before the
drops, collecting it is recorded once, and only the caregiver's own round can be collected."""

from __future__ import annotations

import datetime as dt

import pytest

from carehub.dispatch.models import MealRound
from tests.integration.meals_support import meal_day, write
from tests.phone import Phone, make_phone, phone_time

DAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 2, 30, tzinfo=dt.UTC)  # 10:30 in Shanghai


@pytest.fixture
def phone(app, make) -> Phone:
    app.config["CLOCK"] = lambda: NOW
    return make_phone(app, make)


def _published_round(make, db, phone: Phone, **kw):
    r = meal_day(make, DAY, caregiver=phone.user.caregiver, **kw)
    rows = write(db.session, r, publish=True)
    db.session.commit()
    return r, rows


def test_the_route_shows_a_round_before_its_drops(phone: Phone, make, db) -> None:
    r, rows = _published_round(make, db, phone)
    body = phone.get("/api/v1/me/visits?date=2026-11-23").get_json()
    (shown,) = body["rounds"]
    assert shown["collect_at"] == "2026-11-23T10:45:00+08:00" and shown["collected_at"] is None
    assert shown["kitchen"]["name"] == r.station.name
    assert [m["visit_id"] for m in shown["meals"]] == [v.id for v in rows]
    assert [m["diet_notes"] for m in shown["meals"]] == ["低盐", "清真"]
    drops = [v for v in body["visits"] if v["meal_round"] == shown["id"]]
    assert [v["id"] for v in drops] == [v.id for v in rows]
    assert drops[0]["elder"]["diet_notes"] == "低盐"


def test_a_day_without_meals_has_no_rounds(phone: Phone) -> None:
    assert phone.get("/api/v1/me/visits?date=2026-11-23").get_json()["rounds"] == []


def test_collecting_is_recorded_once_the_earliest_counts(phone: Phone, make, db) -> None:
    _published_round(make, db, phone)
    found = db.session.query(MealRound).one()
    url = f"/api/v1/rounds/{found.id}/collect"
    first = phone.post(url, json={"recorded_at": phone_time(10, 50), "idempotency_key": "col-0001"})
    assert first.status_code == 200
    assert first.get_json()["collected_at"] == "2026-11-23T10:50:00+08:00"
    assert phone.post(url, json={"recorded_at": phone_time(10, 50)}).get_json() == first.get_json()
    earlier = phone.post(url, json={"recorded_at": phone_time(10, 48)})
    assert earlier.get_json()["collected_at"] == "2026-11-23T10:48:00+08:00"
    later = phone.post(url, json={"recorded_at": phone_time(11, 30)})
    assert later.get_json()["collected_at"] == "2026-11-23T10:48:00+08:00"
    db.session.expire_all()
    assert found.collected_at == dt.datetime(2026, 11, 23, 2, 48, tzinfo=dt.UTC)


def test_a_bad_collection_names_its_fields(phone: Phone, make, db) -> None:
    _published_round(make, db, phone)
    found = db.session.query(MealRound).one()
    bad = phone.post(
        f"/api/v1/rounds/{found.id}/collect",
        json={"recorded_at": "2026-11-23T10:50:00", "idempotency_key": "x", "meals": 3},
    )
    assert bad.status_code == 400
    assert set(bad.get_json()["fields"]) == {"recorded_at", "idempotency_key", "meals"}
    db.session.expire_all()
    assert found.collected_at is None


def test_another_caregivers_round_looks_missing(app, phone: Phone, make, db) -> None:
    _published_round(make, db, phone)
    found = db.session.query(MealRound).one()
    other = make_phone(app, make)
    answer = other.post(f"/api/v1/rounds/{found.id}/collect", json={"recorded_at": phone_time(11)})
    assert answer.status_code == 404
    assert (
        phone.post(
            "/api/v1/rounds/999999/collect", json={"recorded_at": phone_time(11)}
        ).status_code
        == 404
    )


def test_a_round_still_in_draft_is_not_shown_or_collected(phone: Phone, make, db) -> None:
    r = meal_day(make, DAY, caregiver=phone.user.caregiver)
    write(db.session, r)  # planned, not published
    db.session.commit()
    found = db.session.query(MealRound).one()
    assert phone.get("/api/v1/me/visits?date=2026-11-23").get_json()["rounds"] == []
    answer = phone.post(f"/api/v1/rounds/{found.id}/collect", json={"recorded_at": phone_time(11)})
    assert answer.status_code == 404
