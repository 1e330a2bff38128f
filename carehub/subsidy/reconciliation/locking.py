"""Locking a month freezes its figures; only an administrator can unlock, with a reason.

Locking writes the snapshot (one ledger line per elder, one result per visit) that every
later reading of the month comes from.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select

from carehub.core import audit
from carehub.core.errors import FieldError
from carehub.core.time import local_today, now
from carehub.db import AnySession
from carehub.subsidy.models import LedgerLine, MonthLock, VisitResult
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation.reconcile import is_locked, reconcile

CHUNK = 2_000


class LockedMonthError(FieldError):
    status_code = 409


def ensure_open(session: AnySession, month: Month, field: str = "month") -> None:
    """Refuse any change that would alter a locked month."""
    if is_locked(session, month):
        raise LockedMonthError(field, _("%(month)s is locked and cannot be changed.", month=month))


def next_open_month(session: AnySession, after: Month) -> Month:
    locked = set(
        session.scalars(
            select(MonthLock.month).where(MonthLock.locked.is_(True), MonthLock.month > str(after))
        )
    )
    month = after.next()
    while str(month) in locked:
        month = month.next()
    return month


def lock_month(session: AnySession, month: Month, user_id: int | None) -> MonthLock:
    if month.last >= local_today():
        raise FieldError("month", _("Only a month that has ended can be locked."))
    ensure_open(session, month)
    result = reconcile(session, month)
    lines = [
        {
            "month": str(month),
            "elder_id": line.elder_id,
            "elder_code": line.elder_code,
            "station_id": line.station_id,
            "care_level": line.care_level,
            "entitlement_fen": line.entitlement_fen,
            "carried_in_fen": line.carried_in_fen,
            "verified_fen": line.verified_fen,
            "payable_fen": line.payable_fen,
            "excess_fen": line.excess_fen,
            "unused_fen": line.unused_fen,
            "flagged_fen": line.flagged_fen,
            "verified_visits": line.verified,
            "flagged_visits": line.flagged,
            "rejected_visits": line.rejected,
        }
        for line in result.elders
    ]
    visits = [
        {
            "month": str(month),
            "visit_id": v.visit_id,
            "elder_id": v.elder_id,
            "status": v.status,
            "reasons": v.reasons,
            "value_fen": v.value_fen,
        }
        for v in result.visits.values()
    ]
    for rows, table in ((lines, LedgerLine), (visits, VisitResult)):
        for start in range(0, len(rows), CHUNK):
            session.execute(insert(table), rows[start : start + CHUNK])
    lock = session.scalar(select(MonthLock).where(MonthLock.month == str(month)))
    if lock is None:
        lock = MonthLock(month=str(month))
        session.add(lock)
    lock.locked, lock.locked_at, lock.locked_by_id = True, now(), user_id
    lock.unlocked_at = lock.unlock_reason = None
    totals = result.totals()
    audit.record(
        session,
        "lock",
        "SubsidyMonth",
        after={"month": str(month), "elders": totals.elders, "payable_fen": totals.payable_fen},
        note=str(month),
    )
    session.flush()
    return lock


def unlock_month(session: AnySession, month: Month, reason: str, user_id: int | None) -> None:
    reason = reason.strip()
    if not reason:
        raise FieldError("reason", _("Give a reason for unlocking the month."))
    lock = session.scalar(
        select(MonthLock).where(MonthLock.month == str(month), MonthLock.locked.is_(True))
    )
    if lock is None:
        raise FieldError("month", _("%(month)s is not locked.", month=month))
    session.execute(delete(LedgerLine).where(LedgerLine.month == str(month)))
    session.execute(delete(VisitResult).where(VisitResult.month == str(month)))
    lock.locked, lock.unlocked_at, lock.unlock_reason = False, now(), reason
    audit.record(session, "unlock", "SubsidyMonth", after={"month": str(month)}, note=reason)
    session.flush()
