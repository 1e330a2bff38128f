"""Publishing a finished run from the web: its planned visits go to the caregivers."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from carehub.core import time as clock
from carehub.core.enums import VisitStatus
from carehub.core.errors import ConflictError
from carehub.db import AnySession
from carehub.dispatch.planning.kpis import run_visits
from carehub.dispatch.planning.models import FINISHED, RUN_DONE, RUN_PUBLISHED, PlanningRun
from carehub.dispatch.planning.runner import active_clash


def newer_run(session: AnySession, run: PlanningRun) -> PlanningRun | None:
    """A later finished run of the same day sharing a station: it replaced this one's visits."""
    later = session.scalars(
        select(PlanningRun).where(
            PlanningRun.service_date == run.service_date,
            PlanningRun.id > run.id,
            PlanningRun.status.in_(FINISHED),
        )
    )
    mine = set(run.stations)
    return next((r for r in later if mine & set(r.stations)), None)


def publish_run(session: AnySession, run: PlanningRun, by: str) -> int:
    """Publish the planned visits of the run's day and stations; returns how many. Each
    visit's change is audited (``Visit`` is audited); flushes, never commits."""
    if run.status != RUN_DONE:
        raise ConflictError(_("Only a finished, unpublished run can be published."))
    newer = newer_run(session, run)
    if newer is not None:
        raise ConflictError(_("Run %(id)d replaced this plan; publish that one.", id=newer.id))
    if active_clash(session, run.service_date, run.stations) is not None:
        raise ConflictError(_("A run for these stations is in progress; wait for it to finish."))
    count = 0
    at = clock.now()
    for visit in run_visits(session, run):
        if visit.status == VisitStatus.PLANNED:
            visit.status = VisitStatus.PUBLISHED
            visit.published_at = at
            count += 1
    run.status = RUN_PUBLISHED
    run.published_at = at
    run.published_by = by
    session.flush()
    return count
