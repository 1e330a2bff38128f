"""An auditor's decisions on flagged visits.

In an open month a decision is stored against the visit and the month's figures follow it.
In a locked month nothing of that month changes: the decision becomes an adjustment entry
(the change in the elder's payable amount) in the next open month.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from carehub.core import audit
from carehub.core.enums import VisitStatus
from carehub.core.errors import FieldError
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.subsidy.models import Adjustment, LedgerLine, VisitResult, VisitReview
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation.ledger import elder_line
from carehub.subsidy.reconciliation.locking import next_open_month
from carehub.subsidy.reconciliation.reconcile import DECISIONS, is_locked

DECISION_CHOICES = tuple(DECISIONS)


@dataclass
class Outcome:
    visit_id: int
    adjustment: Adjustment | None = None


def _check(decision: str, reason: str) -> str:
    if decision not in DECISIONS:
        raise FieldError("decision", _("Choose approve or reject."))
    reason = reason.strip()
    if not reason:
        raise FieldError("reason", _("Give a reason for the decision."))
    if len(reason) > 1000:
        raise FieldError("reason", _("Too long: at most %(max)s characters", max=1000))
    return reason


def _visit_month(session: AnySession, visit_id: int) -> Month:
    row = session.execute(
        select(ServiceRequest.service_date, Visit.status)
        .join(Visit, Visit.request_id == ServiceRequest.id)
        .where(Visit.id == visit_id)
    ).first()
    if row is None or row.status != VisitStatus.COMPLETED:
        raise FieldError("visit", _("Only completed visits are reviewed."))
    return Month.of(row.service_date)


def review(
    session: AnySession, visit_id: int, decision: str, reason: str, user_id: int | None
) -> Outcome:
    reason = _check(decision, reason)
    month = _visit_month(session, visit_id)
    if is_locked(session, month):
        return Outcome(visit_id, _adjust(session, month, visit_id, decision, reason, user_id))
    found = session.scalar(select(VisitReview).where(VisitReview.visit_id == visit_id))
    if found is None:
        found = VisitReview(visit_id=visit_id)
        session.add(found)
    found.decision, found.reason, found.reviewer_id = decision, reason, user_id
    from carehub.core.time import now

    found.reviewed_at = now()
    session.flush()
    return Outcome(visit_id)


def review_many(
    session: AnySession, visit_ids: Iterable[int], decision: str, reason: str, user_id: int | None
) -> list[Outcome]:
    ids = sorted(set(visit_ids))
    if not ids:
        raise FieldError("visit_ids", _("Select at least one visit."))
    reason = _check(decision, reason)
    return [review(session, vid, decision, reason, user_id) for vid in ids]


def _adjust(
    session: AnySession,
    source: Month,
    visit_id: int,
    decision: str,
    reason: str,
    user_id: int | None,
) -> Adjustment:
    result = session.scalar(select(VisitResult).where(VisitResult.visit_id == visit_id))
    if result is None:
        raise FieldError("visit", _("This visit is not part of the locked month."))
    line = session.scalar(
        select(LedgerLine).where(
            LedgerLine.month == str(source), LedgerLine.elder_id == result.elder_id
        )
    )
    assert line is not None  # every visit's elder has a line in the snapshot
    statuses = _corrected_statuses(session, source, result.elder_id)
    before = _payable(line, statuses)
    statuses[visit_id] = (DECISIONS[decision], statuses[visit_id][1])
    delta = _payable(line, statuses) - before
    target = next_open_month(session, source)
    adjustment = Adjustment(
        month=str(target),
        source_month=str(source),
        elder_id=result.elder_id,
        visit_id=visit_id,
        decision=decision,
        amount_fen=delta,
        reason=reason,
        created_by_id=user_id,
    )
    session.add(adjustment)
    audit.record(
        session,
        "adjust",
        "SubsidyMonth",
        after={"month": str(target), "source_month": str(source), "amount_fen": delta},
        note=reason,
    )
    session.flush()
    return adjustment


def _corrected_statuses(
    session: AnySession, source: Month, elder_id: int
) -> dict[int, tuple[str, int]]:
    """The elder's visits in the locked month with every correction made so far applied."""
    statuses = {
        vid: (status, value)
        for vid, status, value in session.execute(
            select(VisitResult.visit_id, VisitResult.status, VisitResult.value_fen).where(
                VisitResult.month == str(source), VisitResult.elder_id == elder_id
            )
        )
    }
    for vid, decision in session.execute(
        select(Adjustment.visit_id, Adjustment.decision)
        .where(Adjustment.source_month == str(source), Adjustment.elder_id == elder_id)
        .order_by(Adjustment.id)
    ):
        if vid in statuses and decision in DECISIONS:
            statuses[vid] = (DECISIONS[decision], statuses[vid][1])
    return statuses


def _payable(line: LedgerLine, statuses: dict[int, tuple[str, int]]) -> int:
    entitled = line.entitlement_fen - line.carried_in_fen
    recomputed = elder_line(
        line.elder_id,
        line.elder_code,
        line.station_id,
        line.care_level,
        entitled,
        statuses.values(),
        line.carried_in_fen,
    )
    return recomputed.payable_fen
