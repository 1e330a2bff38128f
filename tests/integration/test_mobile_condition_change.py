"""A caregiver flags a change in the elder's condition from the phone: the elder is due for
re-assessment at once, the flag is audited, a retry flags nothing twice, and the next
assessment settles it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from carehub.assessment import services as assessments
from carehub.core.audit import AuditLog
from carehub.core.enums import Role
from carehub.registry.assessments import AssessmentFlag
from tests.phone import Phone, make_phone, new_key, phone_time, published_visit

# 11:30 in Shanghai on Monday 23 November 2026.
NOW = dt.datetime(2026, 11, 23, 3, 30, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def phone(app, make) -> Phone:  # type: ignore[no-untyped-def]
    app.config["CLOCK"] = lambda: NOW
    return make_phone(app, make)


def _due(db):  # type: ignore[no-untyped-def]
    return {d.elder.code: d for d in assessments.due_list(db.session, TODAY, 12, 30)}


def test_a_flagged_change_makes_the_elder_due_today(phone: Phone, make, db) -> None:  # type: ignore[no-untyped-def]
    visit = published_visit(make, phone)
    elder = visit.request.elder
    elder.care_level_assessed_on = dt.date(2026, 6, 1)  # next due June 2027
    db.session.commit()
    assert elder.code not in _due(db)

    body = {
        "type": "condition_change",
        "idempotency_key": new_key(),
        "recorded_at": phone_time(11, 20),
        "text": "昨天在家摔倒，走路要扶墙",
    }
    first = phone.post(f"/api/v1/visits/{visit.id}/events", json=body)
    assert first.status_code == 201, first.get_json()
    due = _due(db)[elder.code]
    assert (due.due_on, due.reason) == (TODAY, assessments.REASON_FLAG)
    flag = db.session.scalar(select(AssessmentFlag).where(AssessmentFlag.elder_id == elder.id))
    assert flag.note == "昨天在家摔倒，走路要扶墙" and flag.noted_by_id == phone.user.id
    logged = db.session.scalar(
        select(AuditLog).where(
            AuditLog.entity_type == "AssessmentFlag", AuditLog.action == "create"
        )
    )
    assert logged is not None and logged.entity_id == flag.id

    # A retry of the same event (a lost answer) flags nothing twice.
    again = phone.post(f"/api/v1/visits/{visit.id}/events", json=body)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    count = select(func.count()).select_from(AssessmentFlag)
    assert db.session.scalar(count) == 1
    # The route shows the change on the visit.
    route = phone.get(f"/api/v1/me/visits?date={TODAY}").get_json()
    (shown,) = [v for v in route["visits"] if v["id"] == visit.id]
    assert [c["text"] for c in shown["condition_changes"]] == ["昨天在家摔倒，走路要扶墙"]


def test_a_change_without_a_note_is_refused_and_flags_nothing(phone: Phone, make, db) -> None:  # type: ignore[no-untyped-def]
    visit = published_visit(make, phone)
    for text in ("   ", "变" * 501):
        answer = phone.event(visit, type="condition_change", text=text)
        assert answer.status_code == 400
        assert "text" in answer.get_json()["fields"]
    missing = phone.event(visit, type="condition_change")
    assert missing.status_code == 400 and "text" in missing.get_json()["fields"]
    assert db.session.scalar(select(func.count()).select_from(AssessmentFlag)) == 0


def test_another_caregivers_visit_cannot_be_flagged(phone: Phone, app, make, db) -> None:  # type: ignore[no-untyped-def]
    other = make_phone(app, make)
    visit = published_visit(make, other)
    answer = phone.event(visit, type="condition_change", text="看起来很虚弱")
    assert answer.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(AssessmentFlag)) == 0


def test_the_next_assessment_settles_the_flag(phone: Phone, make, db) -> None:  # type: ignore[no-untyped-def]
    visit = published_visit(make, phone)
    elder = visit.request.elder
    elder.care_level_assessed_on = dt.date(2026, 6, 1)
    db.session.commit()
    assert phone.event(visit, type="condition_change", text="吃饭少了一半").status_code == 201
    assert elder.code in _due(db)
    form = assessments.current_form(db.session)
    answers = {item.code: item.max for item in assessments.parsed(form).items()}
    assessor = make.user(Role.ASSESSOR)
    assessments.record(
        db.session,
        elder,
        form,
        answers,
        frozenset(),
        TODAY,
        assessments.Signature(assessor.id, "评估员"),
        TODAY,
    )
    db.session.commit()
    assert elder.code not in _due(db)
