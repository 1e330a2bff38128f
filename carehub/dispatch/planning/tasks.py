"""Dispatch's background tasks, run by ``carehub worker``."""

from __future__ import annotations

from celery import shared_task
from flask import current_app

from carehub.dispatch.planning import runner as planning_runner


@shared_task(name=planning_runner.PLAN_TASK)
def plan_run(run_id: int) -> None:
    """Solve a queued planning run; a failure ends as a failed run with its message."""
    planning_runner.execute(current_app._get_current_object(), run_id)  # type: ignore[attr-defined]
