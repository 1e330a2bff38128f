"""A planning run started by the command line or the scheduler is stored as running, and
committed, before it is solved: the "already running" check (``planning.runner``) then sees
it as it sees runs queued from the web, whichever process started either."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from carehub.core import time as clock
from carehub.db import AnySession
from carehub.dispatch.planning.models import RUN_RUNNING, PlanningRun
from carehub.dispatch.planning.runner import CRASHED, _fail, queue_run
from carehub.dispatch.planning.services import validate_stations


@contextmanager
def claimed_run(
    session: AnySession,
    day: dt.date,
    codes: Sequence[str] | None,
    time_limit_s: float,
    created_by: str,
) -> Iterator[PlanningRun]:
    """Store the run (every active station when ``codes`` is empty) as running, committed;
    the body fills it in. Should the body raise, its work is rolled back and the run is
    stored as failed with the error.

    Raises ``RunConflict`` when a run of the day shares a station, ``PlanningError`` for
    unknown or inactive stations.
    """
    codes = [s.code for s in validate_stations(session, codes)]
    run = queue_run(session, day, codes, time_limit_s, created_by)
    run.status, run.heartbeat_at = RUN_RUNNING, clock.now()
    session.commit()
    try:
        yield run
    except BaseException as exc:
        session.rollback()
        _fail(session, run.id, CRASHED, str(exc) or type(exc).__name__)
        raise
