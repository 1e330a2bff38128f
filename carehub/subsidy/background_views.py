"""The month's exports and its lock done in the background: the page sends the task and
shows its progress, then the outcome and the file (carehub.worker)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from carehub.core.permissions import roles_required
from carehub.subsidy.reports.exports import FORMATS, LAYOUTS, SCOPES
from carehub.subsidy.tasks import EXPORT_TASK, KIND, LOCK_KIND, LOCK_TASK, file_name
from carehub.subsidy.views import AUDIT, _month, bp
from carehub.worker import records


@bp.route("/<month>/export/<scope>.<fmt>/background", methods=["POST"])
@roles_required(*AUDIT)
def export_background(month: str, scope: str, fmt: str) -> ResponseReturnValue:
    m = _month(month)
    layout = request.form.get("layout", "report")
    station = request.form.get("station", "").strip()
    if scope not in SCOPES or fmt not in FORMATS or layout not in LAYOUTS:
        abort(404)
    task = records.start(
        KIND,
        file_name(m, scope, fmt, layout, station),
        EXPORT_TASK,
        str(m),
        scope,
        fmt,
        layout,
        station,
        user_id=current_user.id,
    )
    return redirect(url_for("tasks.page", task_id=task.id), code=303)


@bp.route("/<month>/lock/background", methods=["POST"])
@roles_required(*AUDIT)
def lock_background(month: str) -> ResponseReturnValue:
    m = _month(month)
    if request.form.get("confirm") != "1":
        flash(_("Confirm the lock on this page first."), "error")
        return redirect(url_for("subsidy.lock_confirm", month=str(m))), 303
    task = records.start(LOCK_KIND, str(m), LOCK_TASK, str(m), user_id=current_user.id)
    return redirect(url_for("tasks.page", task_id=task.id), code=303)
