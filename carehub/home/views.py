"""The landing page for each role, plus the language switch and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from carehub.core.enums import Role
from carehub.core.permissions import any_role, public
from carehub.core.scope import station_scope
from carehub.core.time import local_today
from carehub.extensions import db
from carehub.home import summaries

bp = Blueprint("home", __name__)


@bp.route("/")
@any_role
def index():  # type: ignore[no-untyped-def]
    role = Role(current_user.role)
    today = local_today()
    if role == Role.ADMIN:
        return render_template("home/admin.html", counts=summaries.admin_counts(db.session))
    if role == Role.DISPATCHER:
        summary = summaries.dispatcher_summary(
            db.session,
            station_scope(current_user),
            today,
            page=request.args.get("page", 1, type=int),
            per_page=int(current_app.config["PAGE_SIZE"]),
        )
        planning = summaries.planning_outlook(current_app, db.session, today)
        return render_template(
            "home/dispatcher.html", summary=summary, planning=planning, today=today
        )
    if role == Role.CAREGIVER:
        caregiver = current_user.caregiver
        visits = summaries.visits_on(db.session, caregiver.id, today) if caregiver else []
        return render_template(
            "home/caregiver.html", caregiver=caregiver, visits=visits, today=today
        )
    if role == Role.BUREAU:
        return redirect(url_for("bureau.index"))
    if role == Role.ASSESSOR:
        from carehub.assessment.views import due_page

        return render_template("home/assessor.html", page=due_page(), today=today)
    overview = summaries.subsidy_overview(db.session, today)
    months = summaries.audit_months(db.session, today)
    return render_template("home/auditor.html", overview=overview, months=months, today=today)


@bp.route("/lang/<code>")
@public
def set_language(code: str):  # type: ignore[no-untyped-def]
    from flask import current_app, session

    if code in current_app.config["LOCALES"]:
        session["lang"] = code
    target = request.referrer or url_for("home.index")
    if not target.startswith(request.host_url):
        target = url_for("home.index")
    return redirect(target)


@bp.route("/healthz")
@public
def health():  # type: ignore[no-untyped-def]
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})


@bp.route("/favicon.ico")
@public
def favicon():  # type: ignore[no-untyped-def]
    # Browsers ask for /favicon.ico whatever the page links; the icon is the static SVG.
    return redirect(url_for("static", filename="favicon.svg"), code=301)
