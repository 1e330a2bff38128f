"""Registry pages: lists, details and admin editing."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from carehub.core.enums import Role
from carehub.core.permissions import roles_required
from carehub.extensions import db
from carehub.registry.models import Station

bp = Blueprint("registry", __name__)

STAFF = (Role.ADMIN, Role.DISPATCHER, Role.AUDITOR)


@bp.route("/stations")
@roles_required(*STAFF)
def stations():  # type: ignore[no-untyped-def]
    rows = db.session.scalars(select(Station).order_by(Station.code)).all()
    return render_template("registry/stations.html", stations=rows)
