"""The page of a task started from another page: its progress while it runs, then its
outcome and the file it made. Only the user who started it (or an administrator) sees it."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import undefer

from carehub.core.enums import Role
from carehub.core.permissions import any_role
from carehub.extensions import db
from carehub.registry.imports.result import ImportResult, RowError
from carehub.worker.models import TASK_ACTIVE, TASK_DONE, BackgroundTask

bp = Blueprint("tasks", __name__)


def _task(task_id: str, with_file: bool = False) -> BackgroundTask:
    options = [undefer(BackgroundTask.file_data)] if with_file else []
    task = db.session.get(BackgroundTask, task_id, options=options)
    if task is None or (task.user_id != current_user.id and current_user.role != Role.ADMIN):
        abort(404)
    return task


def _status(task: BackgroundTask) -> dict[str, object]:
    return {
        "id": task.id,
        "status": task.status,
        "done": task.progress_done,
        "total": task.progress_total,
        "error": task.error,
        "result": task.result or {},
        "file_url": url_for("tasks.file", task_id=task.id) if task.file_name else None,
    }


def kind_label(kind: str) -> str:
    labels = {
        "subsidy_export": _("Subsidy export"),
        "subsidy_lock": _("Month lock"),
        "registry_import": _("Import"),
    }
    return labels.get(kind, kind)


@bp.route("/<task_id>")
@any_role
def page(task_id: str) -> ResponseReturnValue:
    task = _task(task_id)
    return render_template(
        "worker/task.html",
        task=task,
        kind=kind_label(task.kind),
        active=task.status in TASK_ACTIVE,
        imported=_import_result(task),
    )


def _import_result(task: BackgroundTask) -> ImportResult | None:
    """An import's outcome as the import page shows it."""
    data = task.result or {}
    if task.kind != "registry_import" or "entity" not in data:
        return None
    return ImportResult(
        entity=data["entity"],
        filename=data["filename"],
        dry_run=data["dry_run"],
        errors=[RowError(*e) for e in data["errors"]],
        created=data["created"],
        updated=data["updated"],
        unchanged=data["unchanged"],
    )


@bp.route("/<task_id>/status.json")
@any_role
def status(task_id: str) -> ResponseReturnValue:
    return jsonify(_status(_task(task_id)))


@bp.route("/<task_id>/file")
@any_role
def file(task_id: str) -> ResponseReturnValue:
    task = _task(task_id, with_file=True)
    if task.status != TASK_DONE or task.file_data is None:
        abort(404)
    return Response(
        task.file_data,
        mimetype=task.file_type or "application/octet-stream",
        headers={"Content-Disposition": f"attachment; filename={task.file_name}"},
    )
