"""The kitchen's packing list: a station's meal rounds of a day, one printable section per
round. A dispatcher tied to a station sees only that station's list."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from carehub.core.enums import Role
from carehub.core.permissions import roles_required
from carehub.core.scope import station_scope
from carehub.core.time import local_today
from carehub.dispatch import meal_rounds
from carehub.extensions import db
from carehub.registry.models import Station

bp = Blueprint("packing", __name__)


def _error(message: str) -> ResponseReturnValue:
    return render_template("errors/error.html", code=400, message=message), 400


@bp.route("/packing")
@roles_required(Role.DISPATCHER, Role.ADMIN)
def packing_list() -> ResponseReturnValue:
    text = request.args.get("date", "").strip()
    try:
        day = dt.date.fromisoformat(text) if text else local_today()
    except ValueError:
        return _error(_("Enter the date as YYYY-MM-DD."))
    scope = station_scope(current_user)
    query = select(Station).where(Station.active.is_(True)).order_by(Station.code)
    if scope is not None:
        query = query.where(Station.id == scope)
    stations = list(db.session.scalars(query))
    code = request.args.get("station", "").strip()
    if code:
        station = db.session.scalar(select(Station).where(Station.code == code))
        if station is None:
            return _error(_("Unknown station: %(code)s", code=code))
        if scope is not None and station.id != scope:
            abort(403)
    elif stations:
        station = stations[0]
    else:
        return _error(_("No station is in service."))
    rounds = meal_rounds.packing_list(db.session, station.id, day)
    return render_template(
        "dispatch/packing.html",
        day=day,
        station=station,
        stations=stations,
        rounds=[(r, meal_rounds.live_visits(r)) for r in rounds],
    )
