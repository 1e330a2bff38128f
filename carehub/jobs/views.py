"""The scheduled-jobs page for administrators and the alerts list for dispatchers."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, select

from carehub.alerts import services as alert_services
from carehub.alerts.models import Alert
from carehub.core.enums import AlertKind, Role
from carehub.core.permissions import roles_required
from carehub.core.scope import station_scope
from carehub.core.time import now
from carehub.extensions import db
from carehub.jobs import catalog, summaries
from carehub.jobs.status import history_query, job_statuses
from carehub.registry.views import page_of

bp = Blueprint("jobs", __name__)
bp.add_app_template_filter(summaries.readable, "job_summary")
bp.add_app_template_filter(summaries.alert_message, "alert_message")


@bp.route("/admin/jobs")
@roles_required(Role.ADMIN)
def jobs() -> ResponseReturnValue:
    known = [definition.id for definition in catalog.definitions(current_app)]
    job_id = request.args.get("job", "").strip()
    if job_id not in known:
        job_id = ""
    failed_only = request.args.get("failed") == "1"
    return render_template(
        "jobs/jobs.html",
        statuses=job_statuses(current_app, db.session),
        page=page_of(history_query(job_id or None, failed_only)),
        job_id=job_id,
        known=known,
        failed_only=failed_only,
    )


def _visible_alerts() -> Select[Alert]:
    stmt = select(Alert)
    scope = station_scope(current_user)
    if scope is not None:
        stmt = stmt.where(Alert.station_id == scope)
    elif current_user.role != Role.ADMIN:
        stmt = stmt.where(Alert.kind != AlertKind.JOB_FAILED)
    return stmt


@bp.route("/alerts")
@roles_required(Role.ADMIN, Role.DISPATCHER)
def alerts() -> ResponseReturnValue:
    show_all = request.args.get("show") == "all"
    stmt = _visible_alerts()
    if not show_all:
        stmt = stmt.where(Alert.acknowledged_at.is_(None))
    stmt = stmt.order_by(Alert.acknowledged_at.is_not(None), Alert.created_at.desc(), Alert.id)
    return render_template("jobs/alerts.html", page=page_of(stmt), show_all=show_all)


@bp.route("/alerts/<int:alert_id>/acknowledge", methods=["POST"])
@roles_required(Role.ADMIN, Role.DISPATCHER)
def acknowledge(alert_id: int) -> ResponseReturnValue:
    alert = db.session.scalar(_visible_alerts().where(Alert.id == alert_id))
    if alert is None:
        abort(404)
    alert_services.acknowledge(db.session, alert, current_user.id, now())
    db.session.commit()
    flash(_("Alert acknowledged."), "success")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("jobs.alerts"))


def _same_site(target: str | None) -> bool:
    return bool(target) and target.startswith(request.host_url)  # type: ignore[union-attr]
