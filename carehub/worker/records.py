"""Tasks started from a page: stored before they are sent, then filled in by the worker.

``start`` stores the row and sends the task under the row's id; inside the task, ``running``
marks it running, lets it report progress and attach a file, and stores the outcome. A task
that raises is stored failed with its message; one whose worker process died comes back
from the queue and runs again from the start.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from carehub.core import time as clock
from carehub.extensions import db
from carehub.worker import QUEUE_DEFAULT, enqueue
from carehub.worker.models import (
    TASK_DONE,
    TASK_FAILED,
    TASK_QUEUED,
    TASK_RUNNING,
    BackgroundTask,
)

log = logging.getLogger(__name__)


def start(
    kind: str,
    subject: str,
    task: str,
    *args: Any,
    user_id: int | None,
    queue: str = QUEUE_DEFAULT,
    upload: tuple[str, bytes] | None = None,
) -> BackgroundTask:
    """Store the task as queued (committed) and send it; the row.

    ``upload`` (name, bytes), a file the task reads, rides on the row rather than in the
    message, so a large one stays out of the broker and any worker can read it.
    """
    row = BackgroundTask(
        id=str(uuid.uuid4()),
        kind=kind,
        subject=subject[:200],
        user_id=user_id,
        status=TASK_QUEUED,
        created_at=clock.now(),
    )
    if upload is not None:
        row.file_name, row.file_data = upload[0][:200], upload[1]
    db.session.add(row)
    db.session.commit()
    try:
        enqueue(task, row.id, *args, queue=queue, task_id=row.id)
    except Exception as exc:
        # No broker: the row says so rather than waiting for ever.
        db.session.rollback()
        failed = db.session.get(BackgroundTask, row.id)
        if failed is not None and failed.status == TASK_QUEUED:
            failed.status, failed.finished_at = TASK_FAILED, clock.now()
            failed.error = f"not handed to the workers: {exc}"[:2000]
            db.session.commit()
        raise
    db.session.expire(row)
    return row


class Handle:
    """What a running task tells its row."""

    def __init__(self, task_id: str) -> None:
        self.task_id = task_id
        self.result: dict[str, Any] = {}
        self.file: tuple[str, str, bytes] | None = None

    def progress(self, done: int, total: int) -> None:
        """Committed at once on a connection of its own: the task's work is not."""
        try:
            with db.engine.begin() as conn:
                conn.execute(
                    update(BackgroundTask)
                    .where(BackgroundTask.id == self.task_id)
                    .values(progress_done=done, progress_total=total)
                )
        except SQLAlchemyError:
            log.warning("task %s: progress not recorded", self.task_id, exc_info=True)

    def attach(self, name: str, mimetype: str, data: bytes) -> None:
        self.file = (name, mimetype, data)


@contextmanager
def running(task_id: str) -> Iterator[Handle | None]:
    """Run the body as the task ``task_id``; None when there is nothing (left) to do."""
    session = db.session
    row = session.get(BackgroundTask, task_id)
    if row is None or row.status not in (TASK_QUEUED, TASK_RUNNING):
        yield None
        return
    row.status, row.started_at = TASK_RUNNING, clock.now()
    session.commit()
    handle = Handle(task_id)
    try:
        yield handle
    except Exception as exc:
        log.exception("task %s failed", task_id)
        session.rollback()
        row = session.get(BackgroundTask, task_id)
        if row is not None:
            row.status, row.finished_at = TASK_FAILED, clock.now()
            row.error = (str(exc) or type(exc).__name__)[:2000]
            session.commit()
        return
    # The task's own work and its outcome are committed together.
    row = session.get(BackgroundTask, task_id)
    assert row is not None
    row.status, row.finished_at, row.result = TASK_DONE, clock.now(), handle.result
    if handle.file is not None:
        row.file_name, row.file_type, row.file_data = handle.file
    session.commit()
