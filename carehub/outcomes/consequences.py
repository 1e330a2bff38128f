"""What a visit's outcome sets off: "elder not at home" alerts the station, "taken to
hospital" and "deceased" propose the elder's status change to the dispatchers.

Called after every visit event with the visit already derived from all its events, so an
outcome the caregiver corrects (a later outcome event) takes back what the earlier one set
off: the not-at-home alert resolves itself, an undecided proposal is withdrawn. Flushes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from carehub.alerts.models import Alert
from carehub.alerts.services import insert_once, visit_alert
from carehub.core.enums import AlertKind, ElderStatus, ProposalState
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.fieldwork.vocab import Outcome
from carehub.outcomes.models import StatusProposal

# The outcomes that mean the elder's status has changed, and to what.
PROPOSED_STATUS = {
    Outcome.HOSPITALISED: ElderStatus.HOSPITALISED,
    Outcome.DECEASED: ElderStatus.DECEASED,
}


def after_event(session: AnySession, visit: Visit, now: dt.datetime) -> None:
    """Bring the visit's alerts and proposals in line with its current outcome."""
    outcome = visit.outcome
    if outcome == Outcome.NOT_HOME:
        _alert_not_home(session, visit, now)
    else:
        resolve_not_home(session, now, visit_ids=[visit.id])
    if visit.check_in_at is not None:
        # Someone opened the door to this visit: the elder's earlier not-at-home is over.
        resolve_not_home(
            session,
            now,
            elder_id=visit.request.elder_id,
            before=visit.check_in_at,
            other_than=visit.id,
        )
    wanted = PROPOSED_STATUS.get(Outcome(outcome)) if outcome in set(Outcome) else None
    for proposal in _open_proposals(session, visit_id=visit.id):
        if proposal.status != wanted:
            withdraw(session, proposal, now)
    if wanted is not None:
        propose(session, visit, wanted, now)
    session.flush()


def _alert_not_home(session: AnySession, visit: Visit, now: dt.datetime) -> None:
    exists = session.scalar(
        select(Alert.id).where(Alert.kind == AlertKind.ELDER_NOT_HOME, Alert.visit_id == visit.id)
    )
    if exists is not None:
        return
    insert_once(session, visit_alert(visit, AlertKind.ELDER_NOT_HOME, now))


def resolve_not_home(
    session: AnySession,
    now: dt.datetime,
    *,
    visit_ids: list[int] | None = None,
    elder_id: int | None = None,
    before: dt.datetime | None = None,
    other_than: int | None = None,
) -> int:
    """Close open not-at-home alerts of these visits, or those of this elder raised before
    ``before`` (at visits other than ``other_than``). Closed by nobody, as the late and
    missed alerts resolve themselves."""
    query = select(Alert).where(
        Alert.kind == AlertKind.ELDER_NOT_HOME, Alert.acknowledged_at.is_(None)
    )
    if visit_ids is not None:
        query = query.where(Alert.visit_id.in_(visit_ids))
    if elder_id is not None:
        query = query.where(Alert.elder_id == elder_id)
        if before is not None:
            query = query.where(Alert.created_at < before)
        if other_than is not None:
            query = query.where(Alert.visit_id != other_than)
    found = list(session.scalars(query))
    for alert in found:
        alert.acknowledged_at = now
    return len(found)


def _open_proposals(
    session: AnySession, *, visit_id: int | None = None, elder_id: int | None = None
) -> list[StatusProposal]:
    query = select(StatusProposal).where(StatusProposal.state == ProposalState.OPEN)
    if visit_id is not None:
        query = query.where(StatusProposal.visit_id == visit_id)
    if elder_id is not None:
        query = query.where(StatusProposal.elder_id == elder_id)
    return list(session.scalars(query.order_by(StatusProposal.id)))


def propose(
    session: AnySession, visit: Visit, status: ElderStatus, now: dt.datetime
) -> StatusProposal:
    """One open proposal per elder and status: a second visit reporting the same keeps the
    first proposal (and its alert)."""
    request: ServiceRequest = visit.request
    for found in _open_proposals(session, elder_id=request.elder_id):
        if found.status == status:
            return found
    proposal = StatusProposal(
        elder_id=request.elder_id,
        visit_id=visit.id,
        status=status,
        effective_from=request.service_date,
        state=ProposalState.OPEN,
        proposed_at=now,
    )
    session.add(proposal)
    session.flush()
    elder = request.elder
    who = visit.caregiver.name if visit.caregiver else "-"
    session.add(
        Alert(
            kind=AlertKind.STATUS_PROPOSED,
            elder_id=elder.id,
            station_id=elder.station_id,
            message=f"{proposal_mark(proposal)}{elder.name} ({elder.code}) {status} "
            f"{request.service_date}, {who}",
            created_at=now,
            last_seen_at=now,
        )
    )
    return proposal


def proposal_mark(proposal: StatusProposal) -> str:
    """How a proposal's alert names it, first in its message."""
    return f"P{proposal.id} "


def resolve_proposal_alert(session: AnySession, proposal: StatusProposal, now: dt.datetime) -> None:
    for alert in session.scalars(
        select(Alert).where(
            Alert.kind == AlertKind.STATUS_PROPOSED,
            Alert.acknowledged_at.is_(None),
            Alert.message.startswith(proposal_mark(proposal), autoescape=True),
        )
    ):
        alert.acknowledged_at = now


def withdraw(session: AnySession, proposal: StatusProposal, now: dt.datetime) -> None:
    proposal.state = ProposalState.WITHDRAWN
    proposal.decided_at = now
    resolve_proposal_alert(session, proposal, now)
