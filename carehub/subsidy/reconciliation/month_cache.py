"""The fingerprint of everything a month's verdicts and entitlements are worked out from,
and the process's memo of months keyed by it.

Working out a city month takes some 20 s. The figures are stored in the database with
this fingerprint (``month_figures``); every request takes the fingerprint again (a few
cheap aggregate queries) and uses stored or kept figures only when it matches. The
auditors' decisions and the adjustments are not part of it: they are read on every
request and laid over the verdicts, so a review shows at once without recomputing.

The fingerprint covers the month's visits and their requests (count; sums of ids,
versions, caregivers, elders, services and fixes: every ORM update of a visit bumps its
version), the audit log of the reference data the rules and policies read (elders, status
periods, care-level assessments, caregivers, skills, service types, stations, policies,
month locks: every ORM change writes an entry), row counts and sums of the tables written
without audit (prices,
upload receipts and their latest time, caregivers' skills, elders and status periods loaded
in bulk, the previous month's ledger), and the rule settings. A locked month is read from
its snapshot, which only unlocking can change, so its key is the lock itself.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from carehub.core.audit import AuditLog
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.registry.models import Elder, ElderStatusPeriod, caregiver_skills
from carehub.subsidy.models import LedgerLine, MonthLock, ServicePrice, VisitReceipt
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation import reconcile as rc
from carehub.subsidy.reconciliation.rules import Settings

# Audited models whose changes alter verdicts or entitlements. Visits and requests are
# fingerprinted from their own rows instead: the city's daily dispatch work would
# otherwise invalidate every month.
REFERENCE = (
    "Elder",
    "ElderStatusPeriod",
    "Caregiver",
    "Skill",
    "ServiceType",
    "Station",
    "SubsidyPolicy",
    "MonthLock",
    "Assessment",
)
KEEP_MONTHS = 6  # the printable summary charts six; a kept city month holds about 90 MB


@dataclass
class Entry:
    fingerprint: Hashable
    computed_at: dt.datetime
    judged: rc.Judged | None = None
    snapshot: rc.Reconciliation | None = None


class Store:
    """The kept months of one application (one per process; tests get a new one per app)."""

    def __init__(self) -> None:
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str, mark: Hashable) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry.fingerprint != mark:
                return None
            self.entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> None:
        with self.lock:
            self.entries[key] = entry
            while len(self.entries) > KEEP_MONTHS:
                self.entries.popitem(last=False)


def store() -> Store:
    extensions = current_app.extensions
    found = extensions.get("subsidy_month_cache")
    if found is None:
        found = extensions.setdefault("subsidy_month_cache", Store())
    assert isinstance(found, Store)
    return found


def fingerprint(session: AnySession, month: Month, settings: Settings) -> Hashable:
    lock = session.execute(
        select(MonthLock.id, MonthLock.locked_at).where(
            MonthLock.month == str(month), MonthLock.locked.is_(True)
        )
    ).first()
    if lock is not None:
        return ("locked", lock.id, lock.locked_at)
    visits = session.execute(
        select(
            func.count(Visit.id),
            func.sum(Visit.id),
            func.sum(Visit.version),
            func.sum(Visit.request_id),
            func.sum(func.coalesce(Visit.caregiver_id, 0)),
            func.sum(ServiceRequest.elder_id),
            func.sum(ServiceRequest.service_type_id),
            # Only a deleted top row's id comes back (SQLite); the fixes tell it apart.
            func.sum(Visit.check_in_lat),
            func.sum(Visit.check_in_lon),
            func.sum(Visit.check_out_lat),
            func.sum(Visit.check_out_lon),
        )
        .select_from(Visit)
        .join(ServiceRequest, ServiceRequest.id == Visit.request_id)
        .where(ServiceRequest.service_date.between(month.first, month.last))
    ).one()
    reference = session.scalar(
        select(func.max(AuditLog.id)).where(AuditLog.entity_type.in_(REFERENCE))
    )
    unaudited = tuple(
        tuple(session.execute(query).one())
        for query in (
            select(func.count(), func.sum(Elder.id)).select_from(Elder),
            select(func.count(), func.max(ElderStatusPeriod.id)).select_from(ElderStatusPeriod),
            select(func.count(), func.max(ServicePrice.id)).select_from(ServicePrice),
            select(
                func.count(), func.sum(VisitReceipt.visit_id), func.max(VisitReceipt.received_at)
            ).select_from(VisitReceipt),
            select(
                func.count(),
                func.sum(caregiver_skills.c.caregiver_id * 1000 + caregiver_skills.c.skill_id),
            ).select_from(caregiver_skills),
            select(func.count(), func.sum(LedgerLine.id), func.sum(LedgerLine.unused_fen)).where(
                LedgerLine.month == str(month.previous())
            ),
        )
    )
    rules = tuple(sorted((code, tuple(sorted(p.items()))) for code, p in settings.params.items()))
    return ("open", tuple(visits), reference, unaudited, rules)
