"""A large spreadsheet imported by a worker: the same all-or-nothing import as the page's,
with the uploaded file kept on the task's row until the worker has read it."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from sqlalchemy.orm import undefer

from carehub.core import audit
from carehub.extensions import db
from carehub.registry.imports import ENTITIES, ImportResult, run_import
from carehub.worker import records
from carehub.worker.models import BackgroundTask

IMPORT_TASK = "carehub.registry.background_tasks.import_file"
KIND = "registry_import"


def result_json(result: ImportResult) -> dict[str, Any]:
    return {
        "entity": result.entity,
        "filename": result.filename,
        "dry_run": result.dry_run,
        **result.counts(),
        "errors": [[e.line, e.column, str(e.reason)] for e in result.errors],
    }


@shared_task(name=IMPORT_TASK)
def import_file(task_id: str, entity: str, dry_run: bool) -> None:
    with records.running(task_id) as handle:
        if handle is None:
            return
        row = db.session.get(BackgroundTask, task_id, options=[undefer(BackgroundTask.file_data)])
        assert row is not None and row.file_data is not None
        filename, data = row.file_name or "upload.csv", row.file_data
        actor = "web:import"
        if row.user_id is not None:
            from carehub.auth.models import User

            user = db.session.get(User, row.user_id)
            actor = f"web:{user.username}" if user else actor
        handle.progress(0, 1)
        with audit.acting_as(actor):
            result = run_import(db.session, ENTITIES[entity], filename, data, dry_run=dry_run)
        if not result.ok or result.dry_run:
            db.session.rollback()
        # The upload is not kept once read; the page offers no file for an import.
        row = db.session.get(BackgroundTask, task_id)
        assert row is not None
        row.file_name = row.file_type = None
        row.file_data = None
        handle.result = result_json(result)
        handle.progress(1, 1)
