"""What each scheduled job does. A task takes the session and the time its run was scheduled
for, flushes its work and returns a one-line summary; the runner commits once.

The scheduler only enqueues each fire (``run_job``); a Celery worker claims and runs it, so
the claim's unique key still lets one run through however many times it was sent.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from flask import current_app

from carehub.alerts import services as alerts
from carehub.core.time import local_zone, now
from carehub.db import AnySession
from carehub.dispatch.generation import generate_requests
from carehub.dispatch.planning.claim import claimed_run
from carehub.dispatch.planning.runner import RunConflict
from carehub.dispatch.planning.services import plan_day
from carehub.emergency import queue as emergency_queue
from carehub.emergency import services as emergency_services
from carehub.subsidy.reconciliation import month_figures
from carehub.subsidy.reconciliation.reconcile import draft_month

RUN_TASK = "carehub.jobs.run"


@shared_task(name=RUN_TASK)
def run_job(job_id: str, scheduled_for: str, attempt: int = 1) -> int | None:
    """Claim and run one attempt of a scheduled job's run on a worker."""
    from carehub.jobs import runner

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return runner.execute(app, job_id, dt.datetime.fromisoformat(scheduled_for), attempt)


def _local_day(instant: dt.datetime) -> dt.date:
    return instant.astimezone(local_zone()).date()


def generate(session: AnySession, scheduled_for: dt.datetime) -> str:
    """Care-plan requests for GENERATE_DAYS_AHEAD days from the run's local date."""
    start = _local_day(scheduled_for)
    end = start + dt.timedelta(days=current_app.config["GENERATE_DAYS_AHEAD"] - 1)
    counts = generate_requests(session, start, end)
    return f"{start}..{end}: " + ", ".join(f"{k} {v}" for k, v in counts.as_dict().items())


def plan_tomorrow(session: AnySession, scheduled_for: dt.datetime) -> str:
    """A draft plan of the next local day for every active station, for dispatchers to review
    and publish: one run, so circles are solved side by side and can lend each other help."""
    day = _local_day(scheduled_for) + dt.timedelta(days=1)
    limit = float(current_app.config["PLAN_TIME_LIMIT_S"])
    try:
        with claimed_run(session, day, None, limit, "job:plan-tomorrow") as run:
            plan_day(
                session, day, run.stations, time_limit_s=limit, run=run, created_by=run.created_by
            )
    except RunConflict as busy:
        return f"{day}: run {busy.run.id} is still planning these stations; nothing done"
    return (
        f"{day}: run {run.id} {run.status}, {run.visits_planned} visits planned "
        f"({run.visits_lent} lent), {len(run.unassigned)} unassigned"
    )


def watch_visits(session: AnySession, scheduled_for: dt.datetime) -> str:
    """Late and missed visits, and emergency offers not accepted in time, judged against the
    clock now rather than the scheduled time, so a run that starts late does not miss what
    became due meanwhile."""
    config = current_app.config
    counts = alerts.raise_visit_alerts(
        session,
        now(),
        late_grace=dt.timedelta(minutes=config["LATE_GRACE_MIN"]),
        missed_grace=dt.timedelta(minutes=config["MISSED_GRACE_MIN"]),
    )
    escalated = emergency_services.expire_overdue(session, now())
    unoffered = emergency_queue.raise_no_offer_alerts(session, now())
    emergency_queue.resolve_no_offer_alerts(session, now())
    summary = f"late {counts.late}, missed {counts.missed}"
    if counts.resolved:
        summary += f", resolved {counts.resolved}"
    if unoffered:
        summary += f", emergencies without an offer {unoffered}"
    return summary + (f", emergencies escalated {escalated}" if escalated else "")


def previous_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def reconcile_closed_month(session: AnySession, scheduled_for: dt.datetime) -> str:
    """A draft reconciliation of the month before the run's local date."""
    month = previous_month(_local_day(scheduled_for))
    result = draft_month(session, month)
    return f"{month:%Y-%m}: {result}"


def work_out_month_figures(session: AnySession, scheduled_for: dt.datetime) -> str:
    """This month's and last month's subsidy figures stored ahead of the pages, which would
    otherwise find a month changed since and wait for them; a month whose records have not
    changed is left as it is."""
    done = month_figures.work_out_open(session, _local_day(scheduled_for))
    return ", ".join(f"{month}: {outcome}" for month, outcome in done.items())
