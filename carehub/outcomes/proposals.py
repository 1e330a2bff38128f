"""Deciding a proposed status change: confirming writes the effective-dated status period
and stops the elder's service from that day; dismissing changes nothing. Flushes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from carehub.alerts import services as alerts
from carehub.core import audit
from carehub.core.enums import ElderStatus, ProposalState, RequestStatus, VisitStatus, label
from carehub.core.errors import ConflictError, FieldError
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest
from carehub.outcomes.consequences import resolve_proposal_alert
from carehub.outcomes.models import StatusProposal
from carehub.registry.models import Elder
from carehub.registry.services import change_status

# Visits nobody has started: the ones a status change calls off.
NOT_STARTED = (VisitStatus.PLANNED, VisitStatus.PUBLISHED)


@dataclass(frozen=True)
class Confirmed:
    requests_cancelled: int
    visits_cancelled: int


def _check_open(proposal: StatusProposal) -> None:
    if proposal.state != ProposalState.OPEN:
        raise ConflictError(_("This proposal was already decided."))


def confirm(
    session: AnySession,
    proposal: StatusProposal,
    user_id: int,
    now: dt.datetime,
    effective_from: dt.date | None = None,
) -> Confirmed:
    """Give the elder the proposed status from ``effective_from`` (the visit's day unless
    the dispatcher says otherwise) and call off every request not yet started from then."""
    _check_open(proposal)
    day = effective_from or proposal.effective_from
    elder = proposal.elder
    if elder.status_on(day) == proposal.status:
        raise ConflictError(
            _(
                "The elder is already %(status)s on %(day)s.",
                status=label(ElderStatus(proposal.status)),
                day=day,
            )
        )
    try:
        change_status(elder, ElderStatus(proposal.status), day)
    except FieldError as exc:
        raise FieldError("effective_from", str(exc)) from None
    stopped = stop_service(session, elder, day, now)
    proposal.effective_from = day
    proposal.state = ProposalState.CONFIRMED
    proposal.decided_at = now
    proposal.decided_by_id = user_id
    resolve_proposal_alert(session, proposal, now)
    session.flush()
    audit.record(
        session,
        "confirm_status",
        "Elder",
        elder.id,
        after={
            "status": str(proposal.status),
            "effective_from": day.isoformat(),
            "requests_cancelled": stopped.requests_cancelled,
            "visits_cancelled": stopped.visits_cancelled,
        },
        note=f"P{proposal.id}",
    )
    return stopped


def dismiss(session: AnySession, proposal: StatusProposal, user_id: int, now: dt.datetime) -> None:
    _check_open(proposal)
    proposal.state = ProposalState.DISMISSED
    proposal.decided_at = now
    proposal.decided_by_id = user_id
    resolve_proposal_alert(session, proposal, now)
    session.flush()


def stop_service(session: AnySession, elder: Elder, day: dt.date, now: dt.datetime) -> Confirmed:
    """Cancel the elder's requests from ``day`` on whose visits have not started, and those
    visits. A request with a visit checked in, done or reported stays as it is: it is
    evidence. Care plans stay: generation skips days the elder is not active, so a
    hospitalised elder's plans resume by themselves when the status ends."""
    requests = session.scalars(
        select(ServiceRequest).where(
            ServiceRequest.elder_id == elder.id,
            ServiceRequest.service_date >= day,
            ServiceRequest.status.in_([RequestStatus.OPEN, RequestStatus.SCHEDULED]),
        )
    ).all()
    cancelled_requests = 0
    cancelled_visits: list[int] = []
    for request in requests:
        visits = [v for v in request.visits if v.status != VisitStatus.CANCELLED]
        if any(v.status not in NOT_STARTED for v in visits):
            continue
        for visit in visits:
            visit.status = VisitStatus.CANCELLED
            cancelled_visits.append(visit.id)
        request.status = RequestStatus.CANCELLED
        cancelled_requests += 1
    session.flush()
    if cancelled_visits:
        alerts.resolve_visit_alerts(session, now, cancelled_visits)
    return Confirmed(cancelled_requests, len(cancelled_visits))


def open_proposals(session: AnySession, scope: int | None) -> list[StatusProposal]:
    query = (
        select(StatusProposal)
        .join(Elder, Elder.id == StatusProposal.elder_id)
        .where(StatusProposal.state == ProposalState.OPEN)
        .order_by(StatusProposal.proposed_at, StatusProposal.id)
    )
    if scope is not None:
        query = query.where(Elder.station_id == scope)
    return list(session.scalars(query))


def recent_decisions(
    session: AnySession, scope: int | None, limit: int = 20
) -> list[StatusProposal]:
    query = (
        select(StatusProposal)
        .join(Elder, Elder.id == StatusProposal.elder_id)
        .where(StatusProposal.state != ProposalState.OPEN)
        .order_by(StatusProposal.decided_at.desc(), StatusProposal.id.desc())
        .limit(limit)
    )
    if scope is not None:
        query = query.where(Elder.station_id == scope)
    return list(session.scalars(query))


def find(session: AnySession, proposal_id: int, scope: int | None) -> StatusProposal | None:
    found = session.get(StatusProposal, proposal_id)
    if found is None or (scope is not None and found.elder.station_id != scope):
        return None
    return found
