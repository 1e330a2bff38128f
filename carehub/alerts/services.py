"""Raising and acknowledging alerts: late and missed visits, jobs that keep failing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from carehub.alerts.models import Alert
from carehub.core import audit
from carehub.core.enums import AlertKind
from carehub.core.time import local_to_utc, local_zone
from carehub.db import AnySession
from carehub.dispatch.lateness import WAITING, due_kind
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.registry.models import Elder


@dataclass
class VisitAlertCounts:
    late: int = 0
    missed: int = 0
    resolved: int = 0


def _due_kind(
    visit: Visit, now: dt.datetime, late_grace: dt.timedelta, missed_grace: dt.timedelta
) -> AlertKind | None:
    request = visit.request
    return due_kind(
        request.service_date,
        request.window_start,
        request.window_end,
        now,
        late_grace,
        missed_grace,
    )


def raise_visit_alerts(
    session: AnySession, now: dt.datetime, late_grace: dt.timedelta, missed_grace: dt.timedelta
) -> VisitAlertCounts:
    """Alert once per visit that is late (no check-in by window start + grace) and once more
    when it is missed (no check-in by window end + grace). Flushes, never commits."""
    today = now.astimezone(local_zone()).date()
    # Yesterday too: a late-evening window's missed alert falls due after midnight.
    visits = session.scalars(
        select(Visit)
        .join(ServiceRequest, ServiceRequest.id == Visit.request_id)
        .where(
            Visit.status.in_(WAITING),
            Visit.check_in_at.is_(None),
            ServiceRequest.service_date.between(today - dt.timedelta(days=1), today),
        )
        .options(selectinload(Visit.request).selectinload(ServiceRequest.elder))
        .order_by(Visit.id)
    ).all()
    due = [
        (visit, kind)
        for visit in visits
        if (kind := _due_kind(visit, now, late_grace, missed_grace))
        and not _published_too_late(visit, kind, late_grace, missed_grace)
    ]
    raised = set(
        session.execute(
            select(Alert.kind, Alert.visit_id).where(
                Alert.visit_id.in_([visit.id for visit, _kind in due])
            )
        )
    )
    counts = VisitAlertCounts(resolved=resolve_visit_alerts(session, now))
    for visit, kind in due:
        if (kind, visit.id) in raised:
            continue
        if insert_once(session, visit_alert(visit, kind, now)):
            if kind == AlertKind.MISSED_VISIT:
                counts.missed += 1
            else:
                counts.late += 1
    return counts


def _published_too_late(
    visit: Visit, kind: AlertKind, late_grace: dt.timedelta, missed_grace: dt.timedelta
) -> bool:
    """Published only after the alert fell due (a day planned at noon, its morning already
    over): nobody was ever sent, so nobody is late. The board still shows the visit."""
    if visit.published_at is None:
        return False
    request = visit.request
    if kind == AlertKind.MISSED_VISIT:
        due = local_to_utc(request.service_date, request.window_end) + missed_grace
    else:
        due = local_to_utc(request.service_date, request.window_start) + late_grace
    return visit.published_at > due


VISIT_KINDS = (AlertKind.LATE_VISIT, AlertKind.MISSED_VISIT)


def resolve_visit_alerts(
    session: AnySession, now: dt.datetime, visit_ids: list[int] | None = None
) -> int:
    """Close the open late and missed alerts whose visit is no longer waiting: checked in,
    done, cancelled or reported missed. Closed by nobody (``acknowledged_by_id`` empty),
    which the alerts page shows as resolved. Flushes; returns how many it closed."""
    query = (
        select(Alert)
        .join(Visit, Visit.id == Alert.visit_id)
        .where(
            Alert.kind.in_(VISIT_KINDS),
            Alert.acknowledged_at.is_(None),
            (Visit.check_in_at.is_not(None)) | Visit.status.not_in(WAITING),
        )
    )
    if visit_ids is not None:
        query = query.where(Alert.visit_id.in_(visit_ids))
    found = list(session.scalars(query))
    for alert in found:
        alert.acknowledged_at = now
    session.flush()
    return len(found)


def resolve_job_failures(session: AnySession, job_id: str, now: dt.datetime) -> None:
    """A job that succeeds again closes its open failure alert."""
    for alert in session.scalars(
        select(Alert).where(
            Alert.kind == AlertKind.JOB_FAILED,
            Alert.job_id == job_id,
            Alert.acknowledged_at.is_(None),
        )
    ):
        alert.acknowledged_at = now


def resolve_emergency_alerts(session: AnySession, request_id: int, now: dt.datetime) -> None:
    """An escalated emergency someone took no longer needs the dispatchers' eyes. The alert
    names its request first in its message (``#<id> ...``), the one place it is recorded."""
    for alert in session.scalars(
        select(Alert).where(
            Alert.kind == AlertKind.EMERGENCY_ESCALATED,
            Alert.acknowledged_at.is_(None),
            Alert.message.startswith(f"#{request_id} ", autoescape=True),
        )
    ):
        alert.acknowledged_at = now


def visit_alert(visit: Visit, kind: AlertKind, now: dt.datetime) -> Alert:
    """An alert about ``visit``, naming its elder, window and caregiver."""
    request = visit.request
    elder: Elder = request.elder
    window = f"{request.window_start:%H:%M}-{request.window_end:%H:%M}"
    who = visit.caregiver.name if visit.caregiver else "-"
    return Alert(
        kind=kind,
        visit_id=visit.id,
        elder_id=elder.id,
        station_id=elder.station_id,
        message=f"{elder.name} ({elder.code}) {request.service_date} {window}, {who}",
        created_at=now,
        last_seen_at=now,
    )


def insert_once(session: AnySession, alert: Alert) -> bool:
    """Insert unless a concurrent run raised the same alert first (the unique key decides)."""
    try:
        with session.begin_nested():
            session.add(alert)
    except IntegrityError:
        return False
    return True


def raise_job_failure(session: AnySession, job_id: str, message: str, now: dt.datetime) -> Alert:
    """One open alert per failing job: a job failing every minute counts up, not floods."""
    alert = session.scalar(
        select(Alert).where(
            Alert.kind == AlertKind.JOB_FAILED,
            Alert.job_id == job_id,
            Alert.acknowledged_at.is_(None),
        )
    )
    if alert is None:
        alert = Alert(
            kind=AlertKind.JOB_FAILED,
            job_id=job_id,
            message=message,
            created_at=now,
            last_seen_at=now,
        )
        session.add(alert)
    else:
        alert.occurrences += 1
        alert.message = message
        alert.last_seen_at = now
    session.flush()
    return alert


def acknowledge(session: AnySession, alert: Alert, user_id: int, now: dt.datetime) -> None:
    if alert.acknowledged_at is not None:
        return
    alert.acknowledged_at = now
    alert.acknowledged_by_id = user_id
    audit.record(session, "acknowledge", "Alert", alert.id, after={"kind": str(alert.kind)})
    session.flush()
