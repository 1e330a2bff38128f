"""The import form's second button: the same import done by a worker, for files too large
to check and write within a request; the task's page shows the counts or every problem."""

from __future__ import annotations

from pathlib import PurePath

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from carehub.core.enums import Role
from carehub.core.permissions import roles_required
from carehub.registry.background_tasks import IMPORT_TASK, KIND
from carehub.registry.exports import FORMATS
from carehub.registry.transfer_views import LABELS, ImportForm, bp
from carehub.worker import records


@bp.route("/import/background", methods=["POST"])
@roles_required(Role.ADMIN)
def import_background() -> ResponseReturnValue:
    form = ImportForm()
    if not form.validate_on_submit():
        page = render_template(
            "transfer/index.html", form=form, result=None, labels=LABELS, formats=FORMATS
        )
        return page, 422
    upload = form.file.data
    filename = PurePath(upload.filename or "upload.csv").name
    task = records.start(
        KIND,
        filename,
        IMPORT_TASK,
        form.entity.data,
        bool(form.dry_run.data),
        user_id=current_user.id,
        upload=(filename, upload.read()),
    )
    return redirect(url_for("tasks.page", task_id=task.id), code=303)
