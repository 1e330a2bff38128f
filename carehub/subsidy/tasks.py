"""The subsidy module's background tasks, run by the task queue's workers (carehub.worker).

Month figures: a month's verdicts and entitlements worked out and stored ahead of the pages
(``work_out_month`` when a page finds them stale, ``work_out_open_months`` on a schedule).
A month's export and its lock: a city's month takes longer than a request should, so the page
sends them here and shows the outcome, and the file, when they are done
(carehub.worker.records).

Each task is a thin shell around a service function, which the tests and the command line
call directly too, and runs inside the worker's Flask app context. Task names are what the
broker's messages carry: they stay as they were when these lived in two modules, so a
message sent before an upgrade still finds its task.
"""

from __future__ import annotations

from celery import shared_task
from sqlalchemy import select

from carehub.auth.models import User
from carehub.core import audit
from carehub.core.time import local_today
from carehub.db import AnySession
from carehub.extensions import db
from carehub.registry.models import Elder, Station
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation import locking, month_figures
from carehub.subsidy.reconciliation.reconcile import reconcile
from carehub.subsidy.reports.exports import MIMETYPES, export_bytes
from carehub.worker import records
from carehub.worker.models import BackgroundTask

MONTH_TASK = "carehub.subsidy.work_out_month"
OPEN_MONTHS_TASK = "carehub.subsidy.work_out_open_months"

# The names of the time these tasks lived in subsidy/background_tasks.py.
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


# -- month figures ------------------------------------------------------------------------------


@shared_task(name=MONTH_TASK, ignore_result=True, acks_late=True)
def work_out_month(month: str) -> str:
    """Work one month out and store it unless the stored figures still match the records.
    Safe to run twice, and at once on two workers (the second sees the first's claim)."""
    return month_figures.work_out(db.session, Month.parse(month))


@shared_task(name=OPEN_MONTHS_TASK, ignore_result=True)
def work_out_open_months() -> dict[str, str]:
    """This month and the last, the ones whose records still change (the scheduled job
    ``month-figures`` does the same through the job runner)."""
    return month_figures.work_out_open(db.session, local_today())
