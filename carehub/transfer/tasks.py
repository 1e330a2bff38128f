"""A large spreadsheet imported by a worker: the same all-or-nothing import as the page's,
with the uploaded file kept on the task's row until the worker has read it."""

from __future__ import annotations

from celery import shared_task
from sqlalchemy.orm import undefer

from carehub.core import audit
from carehub.extensions import db
from carehub.registry.imports import ENTITIES, run_import
from carehub.transfer.services import actor_for, result_json
from carehub.worker import records
from carehub.worker.models import BackgroundTask

# The name the task had when it lived in the registry: queued imports still find it.
IMPORT_TASK = "carehub.registry.background_tasks.import_file"
KIND = "registry_import"


@shared_task(name=IMPORT_TASK)
def import_file(task_id: str, entity: str, dry_run: bool) -> None:
    with records.running(task_id) as handle:
        if handle is None:
            return
        row = db.session.get(BackgroundTask, task_id, options=[undefer(BackgroundTask.file_data)])
        assert row is not None and row.file_data is not None
        filename, data = row.file_name or "upload.csv", row.file_data
        actor = actor_for(db.session, row.user_id)
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
