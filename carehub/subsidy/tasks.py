"""Background tasks of the subsidy module, run by the task queue's workers.

Each task is a thin shell around a service function (``month_figures.work_out``), which
the tests and the command line call directly too. The worker runs every task inside its
Flask app's context (carehub.worker), which gives them the database and the settings.
"""

from __future__ import annotations

from celery import shared_task

from carehub.core.time import local_today
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation import month_figures


@shared_task(name="carehub.subsidy.work_out_month", ignore_result=True, acks_late=True)
def work_out_month(month: str) -> str:
    """Work one month out and store it unless the stored figures still match the records.
    Safe to run twice, and at once on two workers (the second sees the first's claim)."""
    from carehub.extensions import db

    return month_figures.work_out(db.session, Month.parse(month))


@shared_task(name="carehub.subsidy.work_out_open_months", ignore_result=True)
def work_out_open_months() -> dict[str, str]:
    """This month and the last, the ones whose records still change; for a periodic
    schedule, so the pages rarely find a month stale."""
    from carehub.extensions import db

    this = Month.of(local_today())
    return {str(m): month_figures.work_out(db.session, m) for m in (this.previous(), this)}
