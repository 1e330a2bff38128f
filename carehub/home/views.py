"""The landing page for each role, plus the language switch and health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select, text

from carehub.core.enums import Role
from carehub.core.permissions import any_role, public
from carehub.extensions import db
from carehub.registry.models import Caregiver, Elder, ServiceType, Station

bp = Blueprint("home", __name__)


@bp.route("/")
@any_role
def index():  # type: ignore[no-untyped-def]
    counts = {
        "stations": db.session.scalar(select(func.count(Station.id))),
        "elders": db.session.scalar(select(func.count(Elder.id))),
        "caregivers": db.session.scalar(select(func.count(Caregiver.id))),
        "service_types": db.session.scalar(select(func.count(ServiceType.id))),
    }
    template = {
        Role.ADMIN: "home/admin.html",
        Role.DISPATCHER: "home/dispatcher.html",
        Role.CAREGIVER: "home/caregiver.html",
        Role.AUDITOR: "home/auditor.html",
    }[Role(current_user.role)]
    return render_template(template, counts=counts)


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
