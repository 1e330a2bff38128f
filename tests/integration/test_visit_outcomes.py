"""Outcomes reported on the phone and what they set off in the office: the not-at-home alert,
and the status change proposed for a dispatcher to confirm or dismiss."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from carehub.alerts.models import Alert
from carehub.core.audit import AuditLog
from carehub.core.enums import (
    AlertKind,
    ElderStatus,
    ProposalState,
    RequestOrigin,
    RequestStatus,
    Role,
    VisitStatus,
)
from carehub.dispatch.generation import generate_requests
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.outcomes import proposals
from carehub.outcomes.models import StatusProposal
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation.reconcile import reconcile
from tests.phone import Phone, make_phone, phone_time, published_visit

# 11:30 in Shanghai on Monday 23 November 2026.
NOW = dt.datetime(2026, 11, 23, 3, 30, tzinfo=dt.UTC)
DAY = dt.date(2026, 11, 23)


@pytest.fixture
def phone(app, make) -> Phone:  # type: ignore[no-untyped-def]
    app.config["CLOCK"] = lambda: NOW
    return make_phone(app, make)


def _report(phone: Phone, visit: Visit, outcome: str, minute: int = 10) -> None:
    assert phone.event(visit, "check_in", recorded_at=phone_time(11, minute - 5)).status_code == 201
    answer = phone.event(visit, "outcome", outcome=outcome, recorded_at=phone_time(11, minute))
    assert answer.status_code == 201, answer.get_json()


def _alerts(db, kind: AlertKind, open_only: bool = True) -> list[Alert]:  # type: ignore[no-untyped-def]
    query = select(Alert).where(Alert.kind == kind)
    if open_only:
        query = query.where(Alert.acknowledged_at.is_(None))
    return list(db.session.scalars(query))


def _proposals(db) -> list[StatusProposal]:  # type: ignore[no-untyped-def]
    return list(db.session.scalars(select(StatusProposal).order_by(StatusProposal.id)))


# Elder not at home alerts the station.


def test_not_at_home_alerts_the_elders_station(phone: Phone, make, db) -> None:  # type: ignore[no-untyped-def]
    visit = published_visit(make, phone)
    _report(phone, visit, "not_home")
    [alert] = _alerts(db, AlertKind.ELDER_NOT_HOME)
    assert alert.visit_id == visit.id
    assert alert.station_id == visit.request.elder.station_id
    assert _proposals(db) == []


def test_a_service_done_alerts_nobody(phone: Phone, make, db) -> None:  # type: ignore[no-untyped-def]
    _report(phone, published_visit(make, phone), "done")
    assert _alerts(db, AlertKind.ELDER_NOT_HOME, open_only=False) == []


def test_a_retried_not_at_home_alerts_once(phone: Phone, make, db) -> None:  # type: ignore[no-untyped-def]
    visit = published_visit(make, phone)
    _report(phone, visit, "not_home")
    phone.event(visit, "outcome", outcome="not_home", recorded_at=phone_time(11, 20))
    assert len(_alerts(db, AlertKind.ELDER_NOT_HOME, open_only=False)) == 1


def test_the_alert_resolves_itself_when_the_caregiver_corrects_the_outcome(
    phone: Phone, make, db
) -> None:  # type: ignore[no-untyped-def]
    visit = published_visit(make, phone)
    _report(phone, visit, "not_home")
    phone.event(visit, "outcome", outcome="done", recorded_at=phone_time(11, 30))
    [alert] = _alerts(db, AlertKind.ELDER_NOT_HOME, open_only=False)
    assert alert.acknowledged_at is not None and alert.acknowledged_by_id is None


def test_the_alert_resolves_itself_when_a_later_visit_finds_the_elder_home(
    phone: Phone, make, db, app
) -> None:  # type: ignore[no-untyped-def]
    first = published_visit(make, phone)
    _report(phone, first, "not_home")
    later_request = make.request(elder=first.request.elder, window_start=dt.time(15))
    later = published_visit(
        make,
        phone,
        request=later_request,
        route_seq=2,
        planned_start=NOW + dt.timedelta(hours=4),
        planned_end=NOW + dt.timedelta(hours=4, minutes=15),
    )
    # Still away: nothing checked in since.
    assert len(_alerts(db, AlertKind.ELDER_NOT_HOME)) == 1
    app.config["CLOCK"] = lambda: NOW + dt.timedelta(hours=4)
    phone.event(later, "check_in", recorded_at=phone_time(15, 30))
    assert _alerts(db, AlertKind.ELDER_NOT_HOME) == []


# Taken to hospital and deceased propose the status change; nothing changes before a decision.


@pytest.mark.parametrize(
    "outcome,status", [("hospitalised", "hospitalised"), ("deceased", "deceased")]
)
def test_hospital_and_death_propose_the_status_change(
    phone: Phone, make, db, outcome: str, status: str
) -> None:  # type: ignore[no-untyped-def]
    visit = published_visit(make, phone)
    _report(phone, visit, outcome)
    [proposal] = _proposals(db)
    assert (proposal.status, proposal.state, proposal.effective_from) == (status, "open", DAY)
    assert proposal.visit_id == visit.id
    [alert] = _alerts(db, AlertKind.STATUS_PROPOSED)
    assert alert.message.startswith(f"P{proposal.id} ")
    elder = visit.request.elder
    db.session.refresh(elder)
    assert elder.status == ElderStatus.ACTIVE and elder.status_periods == []


def test_a_refused_service_proposes_nothing(phone: Phone, make, db) -> None:  # type: ignore[no-untyped-def]
    _report(phone, published_visit(make, phone), "refused")
    assert _proposals(db) == []
    assert _alerts(db, AlertKind.STATUS_PROPOSED, open_only=False) == []


def test_a_corrected_outcome_withdraws_the_undecided_proposal(phone: Phone, make, db) -> None:  # type: ignore[no-untyped-def]
    visit = published_visit(make, phone)
    _report(phone, visit, "hospitalised")
    phone.event(visit, "outcome", outcome="refused", recorded_at=phone_time(11, 40))
    [proposal] = _proposals(db)
    assert proposal.state == ProposalState.WITHDRAWN
    assert _alerts(db, AlertKind.STATUS_PROPOSED) == []


def test_two_visits_reporting_hospital_make_one_proposal(phone: Phone, make, db) -> None:  # type: ignore[no-untyped-def]
    first = published_visit(make, phone)
    second = published_visit(
        make,
        phone,
        request=make.request(elder=first.request.elder),
        route_seq=2,
        planned_start=NOW + dt.timedelta(hours=1),
        planned_end=NOW + dt.timedelta(hours=1, minutes=15),
    )
    _report(phone, first, "hospitalised")
    _report(phone, second, "hospitalised", minute=20)
    assert len(_proposals(db)) == 1


# Confirming: effective-dated, audited, no further requests, a shortened entitlement.


def _elder_with_plan(make, db, phone: Phone):  # type: ignore[no-untyped-def]
    elder = make.elder()
    plan = make.care_plan(elder=elder, weekdays_mask=0b1111111, start_date=dt.date(2026, 11, 1))
    generate_requests(db.session, DAY, DAY + dt.timedelta(days=6))
    request = db.session.scalar(
        select(ServiceRequest).where(
            ServiceRequest.care_plan_id == plan.id, ServiceRequest.service_date == DAY
        )
    )
    request.status = RequestStatus.SCHEDULED
    visit = published_visit(make, phone, request=request)
    return elder, plan, visit


def _requests_after(db, elder, day: dt.date) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        select(func.count())
        .select_from(ServiceRequest)
        .where(
            ServiceRequest.elder_id == elder.id,
            ServiceRequest.service_date > day,
            ServiceRequest.status != RequestStatus.CANCELLED,
        )
    )


def _entitlement(db, elder) -> int:  # type: ignore[no-untyped-def]
    result = reconcile(db.session, Month(2026, 11))
    return next(line.entitlement_fen for line in result.elders if line.elder_id == elder.id)


def test_confirmed_hospital_stops_requests_and_shortens_the_entitlement(
    phone: Phone, make, db, client, login_as
) -> None:  # type: ignore[no-untyped-def]
    elder, _plan, visit = _elder_with_plan(make, db, phone)
    twin = make.elder(care_level=elder.care_level, hardship=elder.hardship)
    db.session.commit()
    full = _entitlement(db, twin)
    assert _entitlement(db, elder) == full > 0
    _report(phone, visit, "hospitalised")
    assert _requests_after(db, elder, DAY) == 6  # the rest of the week, still coming

    dispatcher = login_as(Role.DISPATCHER)
    [proposal] = _proposals(db)
    answer = client.post(f"/dispatch/status-proposals/{proposal.id}/confirm", data={})
    assert answer.status_code == 302
    db.session.expire_all()

    assert elder.status_on(DAY) == ElderStatus.HOSPITALISED
    assert elder.status_on(DAY - dt.timedelta(days=1)) == ElderStatus.ACTIVE
    assert _requests_after(db, elder, DAY) == 0
    # Nightly generation makes none either, for this week or the next.
    counts = generate_requests(db.session, DAY, DAY + dt.timedelta(days=13))
    assert counts.created == 0 and _requests_after(db, elder, DAY) == 0
    # November: 22 active days of 30.
    assert _entitlement(db, elder) == full * 22 // 30 < full
    assert _entitlement(db, twin) == full
    proposal = db.session.get(StatusProposal, proposal.id)
    assert proposal.state == ProposalState.CONFIRMED and proposal.decided_by_id == dispatcher.id
    assert _alerts(db, AlertKind.STATUS_PROPOSED) == []
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "confirm_status"))
    assert entry.entity_id == elder.id and entry.user_id == dispatcher.id
    assert entry.after["effective_from"] == "2026-11-23" and entry.after["requests_cancelled"] == 6
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.entity_type == "ElderStatusPeriod")
        )
        == 1
    )


def test_the_reporting_visit_keeps_its_record(phone: Phone, make, db, client, login_as) -> None:  # type: ignore[no-untyped-def]
    _elder, _plan, visit = _elder_with_plan(make, db, phone)
    _report(phone, visit, "hospitalised")
    login_as(Role.DISPATCHER)
    client.post(f"/dispatch/status-proposals/{_proposals(db)[0].id}/confirm")
    db.session.expire_all()
    assert visit.status == VisitStatus.MISSED and visit.outcome == "hospitalised"
    assert visit.request.status != RequestStatus.CANCELLED


def test_a_dismissed_proposal_changes_nothing(phone: Phone, make, db, client, login_as) -> None:  # type: ignore[no-untyped-def]
    elder, _plan, visit = _elder_with_plan(make, db, phone)
    _report(phone, visit, "hospitalised")
    login_as(Role.DISPATCHER)
    [proposal] = _proposals(db)
    assert client.post(f"/dispatch/status-proposals/{proposal.id}/dismiss").status_code == 302
    db.session.expire_all()
    assert elder.status_on(DAY + dt.timedelta(days=1)) == ElderStatus.ACTIVE
    assert _requests_after(db, elder, DAY) == 6
    assert proposal.state == ProposalState.DISMISSED
    assert _alerts(db, AlertKind.STATUS_PROPOSED) == []


def test_a_chosen_later_date_keeps_the_days_before(
    phone: Phone, make, db, client, login_as
) -> None:  # type: ignore[no-untyped-def]
    elder, _plan, visit = _elder_with_plan(make, db, phone)
    _report(phone, visit, "hospitalised")
    login_as(Role.DISPATCHER)
    [proposal] = _proposals(db)
    client.post(
        f"/dispatch/status-proposals/{proposal.id}/confirm", data={"effective_from": "2026-11-26"}
    )
    db.session.expire_all()
    assert elder.status_on(dt.date(2026, 11, 25)) == ElderStatus.ACTIVE
    assert elder.status_on(dt.date(2026, 11, 26)) == ElderStatus.HOSPITALISED
    assert _requests_after(db, elder, DAY) == 2  # the 24th and 25th


def test_a_bad_date_is_refused_naming_the_field_and_nothing_changes(
    phone: Phone, make, db, client, login_as
) -> None:  # type: ignore[no-untyped-def]
    elder, _plan, visit = _elder_with_plan(make, db, phone)
    _report(phone, visit, "hospitalised")
    login_as(Role.DISPATCHER)
    [proposal] = _proposals(db)
    url = f"/dispatch/status-proposals/{proposal.id}/confirm"
    answer = client.post(url, data={"effective_from": "23/11/2026"})
    assert answer.status_code == 400
    assert "2026-11-23" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert proposal.state == ProposalState.OPEN and elder.status_periods == []
    assert _requests_after(db, elder, DAY) == 6


def test_a_date_before_the_current_status_began_is_refused(
    phone: Phone, make, db, client, login_as
) -> None:  # type: ignore[no-untyped-def]
    elder, _plan, visit = _elder_with_plan(make, db, phone)
    _report(phone, visit, "hospitalised")
    from carehub.registry.services import change_status

    change_status(elder, ElderStatus.MOVED, dt.date(2026, 11, 30))
    db.session.commit()
    login_as(Role.DISPATCHER)
    [proposal] = _proposals(db)
    answer = client.post(f"/dispatch/status-proposals/{proposal.id}/confirm")
    assert answer.status_code == 400
    db.session.expire_all()
    assert proposal.state == ProposalState.OPEN
    assert [p.status for p in elder.status_periods] == [ElderStatus.MOVED]


def test_a_decided_proposal_cannot_be_decided_again(
    phone: Phone, make, db, client, login_as
) -> None:  # type: ignore[no-untyped-def]
    _elder, _plan, visit = _elder_with_plan(make, db, phone)
    _report(phone, visit, "deceased")
    login_as(Role.DISPATCHER)
    [proposal] = _proposals(db)
    client.post(f"/dispatch/status-proposals/{proposal.id}/dismiss")
    answer = client.post(f"/dispatch/status-proposals/{proposal.id}/confirm")
    assert answer.status_code == 409
    assert 'class="flash flash-error"' in answer.get_data(as_text=True)
    db.session.expire_all()
    assert proposal.state == ProposalState.DISMISSED


def test_another_stations_dispatcher_cannot_see_or_decide(
    phone: Phone, make, db, client, login_as
) -> None:  # type: ignore[no-untyped-def]
    _elder, _plan, visit = _elder_with_plan(make, db, phone)
    _report(phone, visit, "hospitalised")
    login_as(Role.DISPATCHER, station_id=make.station().id)
    [proposal] = _proposals(db)
    page = client.get("/dispatch/status-proposals/").get_data(as_text=True)
    assert f'data-proposal="{proposal.id}"' not in page
    assert client.post(f"/dispatch/status-proposals/{proposal.id}/confirm").status_code == 404
    db.session.expire_all()
    assert proposal.state == ProposalState.OPEN


def test_the_own_stations_dispatcher_sees_the_proposal(
    phone: Phone, make, db, client, login_as
) -> None:  # type: ignore[no-untyped-def]
    elder, _plan, visit = _elder_with_plan(make, db, phone)
    _report(phone, visit, "hospitalised")
    login_as(Role.DISPATCHER, station_id=elder.station_id)
    [proposal] = _proposals(db)
    page = client.get("/dispatch/status-proposals/").get_data(as_text=True)
    assert f'data-proposal="{proposal.id}"' in page


def test_an_emergency_for_the_hospitalised_elder_is_refused(phone: Phone, make, db) -> None:  # type: ignore[no-untyped-def]
    elder, _plan, visit = _elder_with_plan(make, db, phone)
    _report(phone, visit, "hospitalised")
    [proposal] = _proposals(db)
    proposals.confirm(db.session, proposal, phone.user.id, NOW)
    from carehub.core.errors import FieldError
    from carehub.emergency import services

    with pytest.raises(FieldError):
        services.raise_emergency(db.session, elder, "摔倒", NOW)
    assert RequestOrigin.EMERGENCY not in {
        r.origin for r in db.session.scalars(select(ServiceRequest))
    }
