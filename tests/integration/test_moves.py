"""Moving, pinning and the conflicts between two dispatchers, through the service."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from carehub.core.audit import AuditLog
from carehub.core.enums import VisitStatus
from carehub.core.errors import DomainError, FieldError
from carehub.dispatch.models import Visit
from carehub.dispatch.moves import services as moves
from tests.integration.moves_support import DAY, at, district

# Before the day: 08:00 on the day before, so no start lies in the past.
NOW = dt.datetime(2026, 11, 22, 0, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fixed_clock(app) -> None:  # type: ignore[no-untyped-def]
    app.config["CLOCK"] = lambda: NOW


def _kinds(preview: moves.Preview) -> set[str]:
    return {f.kind for f in preview.hard}


def test_a_clean_move_reports_nothing_and_new_times(make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    p = moves.preview_move(db.session, d.v2.id, d.b.id, dt.time(11, 0), d.v2.version)
    assert p.hard == [] and p.soft == []
    assert p.start == at(11) and p.end == at(11, 15)
    moved = [t for t in p.times if t.moved]
    assert [(t.caregiver.code, t.seq) for t in moved] == [("CGB", 2)]
    # Nothing written by a preview.
    db.session.rollback()
    assert db.session.get(Visit, d.v2.id).caregiver_id == d.a.id


def test_preview_names_a_window_violation(make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    p = moves.preview_move(db.session, d.v2.id, d.b.id, dt.time(14, 0), d.v2.version)
    assert _kinds(p) == {"window"}
    text = p.hard[0].message
    assert d.v2.request.elder.name in text and "14:00" in text and "08:30–12:30" in text


def test_preview_names_a_skill_violation(make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    p = moves.preview_move(db.session, d.v1.id, d.c.id, None, None)
    assert _kinds(p) == {"skill"}
    assert d.c.name in p.hard[0].message


def test_preview_names_a_shift_violation(make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    d.v1.request.window_start = dt.time(6, 0)
    db.session.commit()
    p = moves.preview_move(db.session, d.v1.id, d.b.id, dt.time(7, 0), None)
    assert "shift" in _kinds(p)
    assert "08:00–17:00" in next(f.message for f in p.hard if f.kind == "shift")


def test_without_a_time_the_visit_goes_where_it_fits(make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    p = moves.preview_move(db.session, d.v1.id, d.b.id, None, None)
    assert p.hard == []
    # b already serves 09:30 for 15 minutes: 09:00 still fits before it.
    assert p.start == at(9)


def test_a_crowded_start_pushes_the_next_visit_as_a_soft_finding(make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    p = moves.preview_move(db.session, d.v1.id, d.b.id, dt.time(9, 25), None)
    assert p.hard == []
    assert {f.kind for f in p.soft} == {"shifted"}
    pushed = next(t for t in p.times if t.visit.id == d.v3.id)
    assert pushed.new_start > at(9, 30)


def test_apply_moves_resequences_pins_and_audits(make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    moves.apply_move(db.session, d.v1.id, d.b.id, dt.time(11, 0), d.v1.version)
    db.session.commit()
    v1, v2, v3 = (db.session.get(Visit, v.id) for v in (d.v1, d.v2, d.v3))
    assert (v1.caregiver_id, v1.planned_start, v1.planned_end) == (d.b.id, at(11), at(11, 15))
    assert v1.pinned and not v1.lent and v1.version == 2
    assert (v3.route_seq, v1.route_seq, v2.route_seq) == (1, 2, 1)
    entries = db.session.scalars(
        select(AuditLog).where(AuditLog.entity_type == "Visit", AuditLog.entity_id == v1.id)
    ).all()
    assert {e.action for e in entries} >= {"update", "move"}


def test_soft_findings_need_confirmation(make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    with pytest.raises(moves.NeedsConfirmation):
        moves.apply_move(db.session, d.v1.id, d.far.id, dt.time(11, 0), d.v1.version)
    db.session.rollback()
    p = moves.apply_move(
        db.session, d.v1.id, d.far.id, dt.time(11, 0), d.v1.version, confirmed=True
    )
    assert {f.kind for f in p.soft} == {"lent"}
    db.session.commit()
    assert db.session.get(Visit, d.v1.id).lent


def test_hard_findings_need_an_override_reason(make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    with pytest.raises(moves.NeedsConfirmation):
        moves.apply_move(db.session, d.v2.id, d.b.id, dt.time(14, 0), d.v2.version, confirmed=True)
    db.session.rollback()
    assert db.session.get(Visit, d.v2.id).caregiver_id == d.a.id
    moves.apply_move(
        db.session,
        d.v2.id,
        d.b.id,
        dt.time(14, 0),
        d.v2.version,
        override_reason="老人电话同意下午",
    )
    db.session.commit()
    note = db.session.scalar(
        select(AuditLog.note).where(AuditLog.action == "move", AuditLog.entity_id == d.v2.id)
    )
    assert "老人电话同意下午" in note and "14:00" in note


def test_a_changed_preview_must_be_looked_at_again(make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    p = moves.preview_move(db.session, d.v1.id, d.b.id, dt.time(11, 0), d.v1.version)
    d.b.shift_end = dt.time(10, 0)
    db.session.commit()
    with pytest.raises(moves.NeedsConfirmation):
        moves.apply_move(
            db.session,
            d.v1.id,
            d.b.id,
            dt.time(11, 0),
            d.v1.version,
            confirmed=True,
            fingerprint=p.fingerprint,
        )


def test_two_dispatchers_one_wins_the_other_gets_the_conflict(app, make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    ids = (d.v1.id, d.a.id, d.b.id, d.c.id)
    db.session.remove()
    first, second = Session(db.engine), Session(db.engine)
    try:
        seen1 = first.get(Visit, ids[0])
        seen2 = second.get(Visit, ids[0])
        assert seen1.version == seen2.version == 1
        moves.apply_move(first, ids[0], ids[2], dt.time(11, 0), 1)
        first.commit()
        with pytest.raises(moves.MoveConflict) as caught:
            moves.apply_move(second, ids[0], ids[1], dt.time(12, 0), 1)
        current = caught.value.visit
        assert current.caregiver_id == ids[2] and current.version == 2
        second.rollback()
    finally:
        first.close()
        second.close()
    fresh = db.session.get(Visit, ids[0])
    assert (fresh.caregiver_id, fresh.planned_start, fresh.version) == (ids[2], at(11), 2)
    moves_logged = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "move", AuditLog.entity_id == ids[0])
    ).all()
    assert len(moves_logged) == 1


def test_a_stale_version_is_a_conflict_before_anything_is_computed(make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    with pytest.raises(moves.MoveConflict):
        moves.apply_move(db.session, d.v1.id, d.b.id, dt.time(11, 0), d.v1.version + 1)


@pytest.mark.parametrize(
    "status", [VisitStatus.CHECKED_IN, VisitStatus.COMPLETED, VisitStatus.CANCELLED]
)
def test_started_or_closed_visits_are_refused(make, db, status) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    d.v1.status = status
    db.session.commit()
    with pytest.raises(DomainError, match="can no longer be changed"):
        moves.apply_move(db.session, d.v1.id, d.b.id, dt.time(11, 0), d.v1.version)
    with pytest.raises(DomainError):
        moves.set_pinned(db.session, d.v1.id, True, d.v1.version)


def test_scoped_dispatchers_stay_in_their_station(make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    with pytest.raises(FieldError) as caught:
        moves.preview_move(db.session, d.v1.id, d.far.id, None, None, scope=d.home.id)
    assert caught.value.field == "caregiver_id"
    with pytest.raises(moves.VisitNotFound):
        moves.preview_move(db.session, d.v1.id, d.b.id, None, None, scope=d.other.id)
    assert [c.code for c in moves.caregiver_choices(db.session, d.v1, d.home.id)] == [
        "CGA",
        "CGB",
        "CGC",
    ]
    assert "CGF" in [c.code for c in moves.caregiver_choices(db.session, d.v1, None)]


def test_a_caregiver_off_that_day_is_refused(make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    d.b.weekdays_mask = 0b0100000  # Saturdays only
    db.session.commit()
    with pytest.raises(FieldError, match="does not work"):
        moves.preview_move(db.session, d.v1.id, d.b.id, None, None)


def test_pin_and_unpin_guarded_by_version(make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    moves.set_pinned(db.session, d.v1.id, True, 1)
    db.session.commit()
    assert db.session.get(Visit, d.v1.id).pinned and d.v1.version == 2
    with pytest.raises(moves.MoveConflict):
        moves.set_pinned(db.session, d.v1.id, False, 1)
    moves.set_pinned(db.session, d.v1.id, False, 2)
    db.session.commit()
    assert not db.session.get(Visit, d.v1.id).pinned


def test_a_pair_visit_keeps_its_partner_in_step(make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    pair = make.service_type(
        "pair_meal", duration_min=30, caregivers_needed=2, skill=make.skill("meal")
    )
    req = make.request(
        elder=make.elder(station=d.home),
        service_type=pair,
        service_date=DAY,
        window_start=dt.time(8, 30),
        window_end=dt.time(15, 0),
    )
    d_cg = make.caregiver(station=d.home, code="CGD", weekdays_mask=0b1111111)
    on_a = make.visit(request=req, caregiver=d.a, planned_start=at(11), planned_end=at(11, 30))
    on_b = make.visit(request=req, caregiver=d.b, planned_start=at(11), planned_end=at(11, 30))
    db.session.commit()
    p = moves.preview_move(db.session, on_a.id, d_cg.id, dt.time(13, 0), None)
    assert p.hard == []
    partner = next(t for t in p.times if t.visit.id == on_b.id)
    assert partner.new_start == at(13)
    with pytest.raises(FieldError, match="already serves"):
        moves.preview_move(db.session, on_a.id, d.b.id, None, None)
    # The partner cannot follow past the end of its shift: the pair falls apart.
    d.b.shift_end = dt.time(12, 0)
    db.session.commit()
    late = moves.preview_move(db.session, on_a.id, d_cg.id, dt.time(13, 0), None)
    assert "shift" in _kinds(late)


def test_moving_a_visit_onto_its_own_route_without_a_time_changes_nothing(make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    p = moves.preview_move(db.session, d.v2.id, d.a.id, None, d.v2.version)
    assert p.hard == [] and p.soft == []
    assert p.start == at(10)
    assert all(not t.shifted for t in p.times if not t.moved)


def test_a_caregiver_lent_from_afar_can_still_retime_their_visit(make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    afar = make.station(code="FAR", lat=d.home.lat + 0.2, lon=d.home.lon)
    make.station(code="MID", lat=d.home.lat + 0.02, lon=d.home.lon)
    lent = make.caregiver(station=afar, code="CGL", weekdays_mask=0b1111111)
    d.v1.caregiver = lent
    db.session.commit()
    assert "CGL" in [c.code for c in moves.caregiver_choices(db.session, d.v1, None)]
    assert "CGL" not in [c.code for c in moves.caregiver_choices(db.session, d.v1, d.home.id)]
    p = moves.preview_move(db.session, d.v1.id, lent.id, dt.time(11, 0), None)
    assert p.start == at(11)


def test_a_move_that_leaves_no_room_for_lunch_is_named(make, db) -> None:  # type: ignore[no-untyped-def]
    d = district(make)
    # An hour's lunch between 11:30 and 12:30: only 11:30 itself will do.
    d.b.lunch_start, d.b.lunch_end, d.b.lunch_minutes = dt.time(11, 30), dt.time(12, 30), 60
    db.session.commit()
    before_lunch = moves.preview_move(db.session, d.v2.id, d.b.id, dt.time(11, 0), d.v2.version)
    assert before_lunch.hard == []
    over_lunch = moves.preview_move(db.session, d.v2.id, d.b.id, dt.time(11, 45), d.v2.version)
    assert _kinds(over_lunch) == {"break"}
    assert d.b.name in over_lunch.hard[0].message and "lunch" in over_lunch.hard[0].message
