"""A month's export and its lock, done by a worker: a city's month takes longer than a request
should, so the page sends them here and shows the outcome, and the file, when they are done
(carehub.worker.records)."""

from __future__ import annotations

from celery import shared_task
from sqlalchemy import select

from carehub.auth.models import User
from carehub.core import audit
from carehub.db import AnySession
from carehub.extensions import db
from carehub.registry.models import Elder, Station
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation import locking
from carehub.subsidy.reconciliation.reconcile import reconcile
from carehub.subsidy.reports.exports import MIMETYPES, export_bytes
from carehub.worker import records
from carehub.worker.models import BackgroundTask

EXPORT_TASK = "carehub.subsidy.background_tasks.month_export"
LOCK_TASK = "carehub.subsidy.background_tasks.month_lock"
KIND = "subsidy_export"
LOCK_KIND = "subsidy_lock"


def file_name(month: Month, scope: str, fmt: str, layout: str, station: str = "") -> str:
    suffix = "" if layout == "report" else "-data"
    where = f"-{station}" if station else ""
    return f"subsidy-{month}{where}-{scope}{suffix}.{fmt}"


def month_file(
    session: AnySession, month: Month, scope: str, fmt: str, layout: str, station: str = ""
) -> bytes:
    """The export's bytes, as the page's direct download makes them."""
    result = reconcile(session, month, cached=True)
    if station:
        station_id = session.scalar(select(Station.id).where(Station.code == station))
        if station_id is None:
            raise ValueError(f"unknown station {station}")
        result = result.only_station(station_id)
    names: dict[int, str] = {}
    if layout == "report" and scope == "elders":
        ids = [line.elder_id for line in result.elders]
        found = session.execute(select(Elder.id, Elder.name).where(Elder.id.in_(ids)))
        names = {eid: name for eid, name in found}
    return export_bytes(result, scope, fmt, layout, names)


@shared_task(name=EXPORT_TASK)
def month_export(
    task_id: str, month: str, scope: str, fmt: str, layout: str, station: str = ""
) -> None:
    with records.running(task_id) as handle:
        if handle is None:
            return
        m = Month.parse(month)
        _, actor = _actor(task_id)
        handle.progress(0, 1)
        data = month_file(db.session, m, scope, fmt, layout, station)
        name = file_name(m, scope, fmt, layout, station)
        with audit.acting_as(actor):
            audit.record(db.session, "export", "SubsidyMonth", note=name)
        handle.attach(name, MIMETYPES[fmt], data)
        handle.result = {"bytes": len(data)}
        handle.progress(1, 1)


def _actor(task_id: str) -> tuple[int | None, str]:
    row = db.session.get(BackgroundTask, task_id)
    user = db.session.get(User, row.user_id) if row and row.user_id else None
    return (user.id, f"web:{user.username}") if user else (None, "web:unknown")


@shared_task(name=LOCK_TASK)
def month_lock(task_id: str, month: str) -> None:
    """Lock the month: its ledger and every visit's verdict stored, in one transaction with
    the task's outcome; a month not ended or already locked fails the task with the reason."""
    with records.running(task_id) as handle:
        if handle is None:
            return
        user_id, actor = _actor(task_id)
        with audit.acting_as(actor):
            locking.lock_month(db.session, Month.parse(month), user_id)
        handle.result = {"month": month}
