"""Visit events through /api/v1: idempotency, ownership, ordering, distance flags, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from carehub.core.audit import AuditLog
from carehub.core.enums import RequestStatus, VisitStatus
from carehub.fieldwork.models import VisitEvent
from tests.builders import CENTRE
from tests.phone import Phone, make_phone, phone_time, published_visit

# 11:30 in Shanghai on Monday 23 November 2026.
NOW = dt.datetime(2026, 11, 23, 3, 30, tzinfo=dt.UTC)


@pytest.fixture
def phone(app, make) -> Phone:
    app.config["CLOCK"] = lambda: NOW
    return make_phone(app, make)


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_same_key_and_body_returns_the_first_answer_and_writes_nothing(
    phone: Phone, make, db
) -> None:
    visit = published_visit(make, phone)
    body = {
        "type": "check_in",
        "idempotency_key": "same-key-123",
        "recorded_at": phone_time(11, 2),
        "lat": CENTRE[0] + 0.002,
        "lon": CENTRE[1] + 0.002,
        "accuracy_m": 8,
    }
    first = phone.post(f"/api/v1/visits/{visit.id}/events", json=body)
    assert first.status_code == 201
    events, audits = _count(db, VisitEvent), _count(db, AuditLog)

    again = phone.post(f"/api/v1/visits/{visit.id}/events", json=body)
    assert again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert (_count(db, VisitEvent), _count(db, AuditLog)) == (events, audits)


def test_same_key_with_a_different_body_is_refused(phone: Phone, make, db) -> None:
    visit = published_visit(make, phone)
    assert phone.event(visit, idempotency_key="reused-key-1").status_code == 201
    changed = phone.event(visit, idempotency_key="reused-key-1", accuracy_m=99.0)
    assert changed.status_code == 422
    assert "幂等键" in changed.get_json()["error"]
    other_visit = published_visit(make, phone)
    elsewhere = phone.event(other_visit, idempotency_key="reused-key-1")
    assert elsewhere.status_code == 422
    assert _count(db, VisitEvent) == 1


def test_another_caregivers_visit_looks_missing(app, phone: Phone, make, db) -> None:
    other = make_phone(app, make)
    theirs = published_visit(make, other)
    assert phone.event(theirs).status_code == 404
    assert phone.event(theirs, type="note", text="hello").status_code == 404
    assert phone.event(999_999).status_code == 404
    assert _count(db, VisitEvent) == 0
    mine = phone.get("/api/v1/me/visits?date=2026-11-23").get_json()["visits"]
    assert [v["id"] for v in mine] == []
    assert [
        v["id"] for v in other.get("/api/v1/me/visits?date=2026-11-23").get_json()["visits"]
    ] == [theirs.id]


def test_unpublished_and_cancelled_visits(phone: Phone, make, db) -> None:
    draft = published_visit(make, phone, status=VisitStatus.PLANNED)
    assert phone.event(draft).status_code == 404
    visit = published_visit(make, phone)
    visit.status = VisitStatus.CANCELLED
    db.session.commit()
    answer = phone.event(visit)
    assert answer.status_code == 409
    assert answer.get_json()["error"] == "该服务已取消。"
    assert _count(db, VisitEvent) == 0


def test_check_out_arriving_before_check_in_is_ordered_by_recorded_at(
    phone: Phone, make, db
) -> None:
    visit = published_visit(make, phone)
    out = phone.event(visit, type="check_out", recorded_at=phone_time(11, 40))
    assert out.status_code == 201
    assert out.get_json()["visit"]["status"] == "completed"
    into = phone.event(visit, type="check_in", recorded_at=phone_time(11, 10))
    assert into.status_code == 201
    db.session.expire_all()
    assert visit.status == VisitStatus.COMPLETED
    assert visit.check_in_at == dt.datetime(2026, 11, 23, 3, 10, tzinfo=dt.UTC)
    assert visit.check_out_at == dt.datetime(2026, 11, 23, 3, 40, tzinfo=dt.UTC)
    assert visit.duration_minutes == 30
    assert visit.request.status == RequestStatus.DONE

    events = db.session.scalars(select(VisitEvent).order_by(VisitEvent.id)).all()
    assert [e.type for e in events] == ["check_out", "check_in"]
    # The phone's time and the server's are both kept.
    assert all(e.received_at == NOW for e in events)
    assert events[0].recorded_at == dt.datetime(2026, 11, 23, 3, 40, tzinfo=dt.UTC)
    body = into.get_json()["event"]
    assert body["recorded_at"] == "2026-11-23T11:10:00+08:00"
    assert body["received_at"] == "2026-11-23T11:30:00+08:00"


def test_status_follows_the_events(phone: Phone, make, db) -> None:
    visit = published_visit(make, phone)
    assert phone.event(visit).get_json()["visit"]["status"] == "checked_in"
    done = phone.event(visit, type="outcome", outcome="done", checklist=["meal_handed"])
    assert done.get_json()["visit"] == {
        "id": visit.id,
        "status": "checked_in",
        "check_in_at": "2026-11-23T11:05:00+08:00",
        "check_out_at": None,
        "outcome": "done",
    }
    out = phone.event(visit, type="check_out", recorded_at=phone_time(11, 25))
    assert out.get_json()["visit"]["status"] == "completed"

    missed = published_visit(make, phone)
    phone.event(missed, type="check_in")
    answer = phone.event(missed, type="outcome", outcome="not_home")
    assert answer.get_json()["visit"]["status"] == "missed"
    db.session.expire_all()
    assert missed.status == VisitStatus.MISSED and missed.outcome == "not_home"


def test_far_check_in_is_accepted_and_flagged_with_its_distance(phone: Phone, make, db) -> None:
    visit = published_visit(make, phone)
    elder = visit.request.elder
    near = phone.event(visit, lat=elder.lat + 0.001, lon=elder.lon)  # about 111 m
    assert near.status_code == 201
    assert near.get_json()["event"]["flags"] == []
    assert 105 < near.get_json()["event"]["distance_m"] < 115

    far_visit = published_visit(make, phone)
    far = phone.event(far_visit, lat=elder.lat + 0.003, lon=elder.lon)  # about 333 m
    assert far.status_code == 201
    event = far.get_json()["event"]
    assert event["flags"] == ["far_from_home"]
    assert 325 < event["distance_m"] < 340
    db.session.expire_all()
    assert far_visit.status == VisitStatus.CHECKED_IN
    listed = phone.get("/api/v1/me/visits?date=2026-11-23").get_json()["visits"]
    assert {v["id"]: v["flags"] for v in listed} == {visit.id: [], far_visit.id: ["far_from_home"]}


@pytest.mark.parametrize("app_config", [{"MOBILE_CHECKIN_RADIUS_M": 50.0}])
def test_the_radius_is_configurable(phone: Phone, make) -> None:
    visit = published_visit(make, phone)
    elder = visit.request.elder
    answer = phone.event(visit, lat=elder.lat + 0.001, lon=elder.lon)
    assert answer.get_json()["event"]["flags"] == ["far_from_home"]


def test_a_check_in_without_location_is_accepted_and_flagged(phone: Phone, make) -> None:
    visit = published_visit(make, phone)
    answer = phone.post(
        f"/api/v1/visits/{visit.id}/events",
        json={"type": "check_in", "idempotency_key": "no-place-1", "recorded_at": phone_time(11)},
    )
    assert answer.status_code == 201
    assert answer.get_json()["event"]["flags"] == ["no_location"]


def test_a_phone_clock_far_ahead_is_flagged(phone: Phone, make) -> None:
    visit = published_visit(make, phone)
    answer = phone.event(visit, type="note", text="到了", recorded_at=phone_time(13))
    assert answer.get_json()["event"]["flags"] == ["clock_ahead"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"type", "idempotency_key", "recorded_at"}),
        (
            {"type": "check_in", "idempotency_key": "short", "recorded_at": "2026-11-23T11:00:00"},
            {"idempotency_key", "recorded_at"},
        ),
        (
            {
                "type": "check_in",
                "idempotency_key": "good-key-1",
                "recorded_at": phone_time(11),
                "lat": 91,
                "lon": "117",
                "accuracy_m": -1,
            },
            {"lat", "lon", "accuracy_m"},
        ),
        (
            {
                "type": "check_in",
                "idempotency_key": "good-key-2",
                "recorded_at": phone_time(11),
                "lat": 39.1,
            },
            {"lon"},
        ),
        (
            {
                "type": "outcome",
                "idempotency_key": "good-key-3",
                "recorded_at": phone_time(11),
                "outcome": "gone",
                "checklist": "x",
            },
            {"outcome", "checklist"},
        ),
        (
            {
                "type": "note",
                "idempotency_key": "good-key-4",
                "recorded_at": phone_time(11),
                "text": "  ",
            },
            {"text"},
        ),
        (
            {
                "type": "note",
                "idempotency_key": "good-key-5",
                "recorded_at": phone_time(11),
                "text": "x" * 2001,
            },
            {"text"},
        ),
        (
            {
                "type": "check_in",
                "idempotency_key": "good-key-6",
                "recorded_at": phone_time(11),
                "text": "hi",
            },
            {"text"},
        ),
        ([1, 2], {"body"}),
    ],
    ids=[
        "empty",
        "key-and-naive-time",
        "coordinates",
        "lat-alone",
        "outcome",
        "blank-note",
        "long-note",
        "stray-field",
        "not-an-object",
    ],
)
def test_bad_payloads_get_400_naming_each_field(phone: Phone, make, db, body, fields) -> None:
    visit = published_visit(make, phone)
    answer = phone.post(f"/api/v1/visits/{visit.id}/events", json=body)
    assert answer.status_code == 400
    assert set(answer.get_json()["fields"]) == fields
    assert _count(db, VisitEvent) == 0


def test_a_body_that_is_not_json_gets_400(phone: Phone, make) -> None:
    visit = published_visit(make, phone)
    answer = phone.post(
        f"/api/v1/visits/{visit.id}/events", data="type=check_in", content_type="text/plain"
    )
    assert answer.status_code == 400
    assert answer.get_json()["fields"] == {"body": "请发送 JSON 对象。"}


def test_checklist_items_must_belong_to_the_service(phone: Phone, make, db) -> None:
    visit = published_visit(make, phone)
    answer = phone.event(visit, type="outcome", outcome="done", checklist=["floors", "meal_warm"])
    # Well formed but not on this service's checklist: a conflict with the visit, named.
    assert answer.status_code == 409
    assert "floors" in answer.get_json()["error"]
    assert _count(db, VisitEvent) == 0
    ok = phone.event(visit, type="outcome", outcome="done", checklist=["meal_warm", "meal_handed"])
    assert ok.status_code == 201
    listed = phone.get("/api/v1/me/visits?date=2026-11-23").get_json()["visits"][0]
    assert listed["checklist_done"] == ["meal_warm", "meal_handed"]
    assert [item["code"] for item in listed["checklist"]] == [
        "meal_handed",
        "meal_warm",
        "diet_checked",
    ]


def test_notes_are_kept_in_recorded_order(phone: Phone, make) -> None:
    visit = published_visit(make, phone)
    phone.event(visit, type="note", text="第二条", recorded_at=phone_time(11, 20))
    phone.event(visit, type="note", text="第一条", recorded_at=phone_time(11, 10))
    listed = phone.get("/api/v1/me/visits?date=2026-11-23").get_json()["visits"][0]
    assert [n["text"] for n in listed["notes"]] == ["第一条", "第二条"]
    assert listed["status"] == "published"


def test_a_check_out_sent_days_late_is_flagged_by_the_subsidy_audit(phone: Phone, make, db) -> None:
    from carehub.subsidy.months import Month
    from carehub.subsidy.reconciliation.reconcile import reconcile

    visit = published_visit(make, phone)
    # The phone was offline for four days: both events were recorded on the 19th.
    assert (
        phone.event(visit, "check_in", recorded_at="2026-11-19T11:02:00+08:00").status_code == 201
    )
    assert (
        phone.event(visit, "check_out", recorded_at="2026-11-19T11:20:00+08:00").status_code == 201
    )
    result = reconcile(db.session, Month.parse("2026-11"))
    assert "late_upload" in result.visits[visit.id].reasons


def test_a_prompt_check_out_is_not_flagged_as_late(phone: Phone, make, db) -> None:
    from carehub.subsidy.months import Month
    from carehub.subsidy.reconciliation.reconcile import reconcile

    visit = published_visit(make, phone)
    assert phone.event(visit, "check_in", recorded_at=phone_time(11, 2)).status_code == 201
    assert phone.event(visit, "check_out", recorded_at=phone_time(11, 20)).status_code == 201
    assert (
        "late_upload" not in reconcile(db.session, Month.parse("2026-11")).visits[visit.id].reasons
    )
