"""Where a run's circles are solved: as tasks of their own, shared by every worker on the
"solve" queue (``PLANNING_FANOUT``), or by this process.

A Celery worker's pool processes are daemonic and may not start a process pool of their
own, so a run solved there without fan-out solves its circles one after another.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor

from flask import current_app

from carehub.dispatch.planning.models import PlanningRun

# A circle's task waits no longer than this past the run's limit for a solving worker.
FANOUT_GRACE_S = 60.0


def solving(run: PlanningRun) -> tuple[Executor | None, int]:
    """The executor (None: this process) and the solver processes to use for ``run``."""
    config = current_app.config
    if config["PLANNING_FANOUT"]:
        from carehub.worker.remote import TaskExecutor

        limit = float(run.time_limit_s or config["PLAN_TIME_LIMIT_S"])
        return TaskExecutor(timeout_s=limit + FANOUT_GRACE_S), int(config["PLANNING_WORKERS"])
    if multiprocessing.current_process().daemon:
        return None, 1
    return None, int(config["PLANNING_WORKERS"])
