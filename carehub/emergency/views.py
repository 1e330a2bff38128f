"""The dispatcher's emergency screen: find the elder, describe the situation, confirm one of
the proposed caregivers; then follow the emergency's timeline."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from carehub.core.enums import Role
from carehub.core.errors import DomainError, FieldError
from carehub.core.permissions import roles_required
from carehub.core.scope import station_scope
from carehub.core.time import now
from carehub.emergency import positions, queue, services, timeline
from carehub.extensions import db
from carehub.registry.models import Elder
from carehub.registry.services import ElderFilter, elder_query

bp = Blueprint("emergency", __name__)


@bp.app_template_global("open_emergencies")
def open_emergencies(at: dt.datetime, station_id: int | None) -> list[queue.OpenEmergency]:
    """The open emergencies the board shows on top: dispatch sits below emergency, so the
    board's template asks here rather than its view importing the queue."""
    return queue.open_emergencies(db.session, at, station_id)


dispatchers = roles_required(Role.DISPATCHER, Role.ADMIN)
SEARCH_LIMIT = 10

STEP_LABELS = {
    timeline.RECEIVED: _l("Call received"),
    timeline.OFFERED: _l("Offered to"),
    timeline.ACCEPTED: _l("Accepted by"),
    timeline.DECLINED: _l("Declined by"),
    timeline.EXPIRED: _l("Not answered in time by"),
    timeline.WITHDRAWN: _l("Withdrawn from"),
    timeline.ARRIVED: _l("Arrived (check-in)"),
    timeline.CLOSED: _l("Closed (check-out)"),
}
STATUS_LABELS = {
    timeline.WAITING: _l("Waiting for a caregiver"),
    timeline.OFFERED: _l("Offered, waiting for an answer"),
    timeline.ACCEPTED: _l("Accepted, on the way"),
    timeline.ARRIVED: _l("Caregiver arrived"),
    timeline.CLOSED: _l("Closed"),
    timeline.CANCELLED: _l("Cancelled"),
}
SOURCE_LABELS = {
    positions.AT_VISIT: _l("finishing a visit"),
    positions.LAST_CHECK_IN: _l("from the last check-in"),
    positions.NEXT_VISIT: _l("on the way to the next visit"),
    positions.HOME: _l("from home"),
    positions.STATION: _l("from the station"),
}


def _elder(elder_id: object) -> Elder | None:
    try:
        wanted = int(str(elder_id))
    except ValueError:
        return None
    stmt = elder_query(ElderFilter(), station_scope(current_user)).where(Elder.id == wanted)
    return db.session.scalar(stmt)


@bp.route("/", methods=["GET", "POST"])
@dispatchers
def start() -> ResponseReturnValue:
    text = request.values.get("q", "").strip()
    chosen = _elder(request.values.get("elder_id", ""))
    errors: dict[str, str] = {}
    note = request.form.get("note", "")
    if request.method == "POST":
        try:
            if chosen is None:
                raise FieldError("elder_id", _("Choose the elder first."))
            if not services.clean_note(note):
                # The caregiver sent needs to know what to expect at the door.
                raise FieldError("note", _("Describe what happened."))
            emergency = services.raise_emergency(
                db.session, chosen, services.clean_note(note), now()
            )
        except FieldError as exc:
            errors[exc.field] = str(exc)
        except DomainError as exc:
            errors["elder_id"] = str(exc)
        else:
            db.session.commit()
            return redirect(url_for("emergency.show", emergency_id=emergency.id))
    found: list[Elder] = []
    if text and chosen is None:
        stmt = elder_query(ElderFilter(text=text), station_scope(current_user))
        found = list(db.session.scalars(stmt.limit(SEARCH_LIMIT)))
    status = 400 if errors else 200
    return render_template(
        "emergency/start.html",
        q=text,
        found=found,
        chosen=chosen,
        note=note,
        errors=errors,
        emergencies=queue.open_emergencies(db.session, now(), station_scope(current_user)),
    ), status


@bp.route("/<int:emergency_id>")
@dispatchers
def show(emergency_id: int) -> ResponseReturnValue:
    emergency = services.get(db.session, emergency_id, station_scope(current_user))
    if emergency is None:
        abort(404)
    at = now()
    offers = services.offers(db.session, emergency)
    line = timeline.build(emergency, offers)
    proposals = services.propose(db.session, emergency, at) if line.status == "waiting" else []
    return render_template(
        "emergency/show.html",
        emergency=emergency,
        line=line,
        proposals=proposals,
        now=at,
        accept_minutes=services.accept_minutes(),
        step_labels=STEP_LABELS,
        status_labels=STATUS_LABELS,
        source_labels=SOURCE_LABELS,
    )


@bp.route("/<int:emergency_id>/assign", methods=["POST"])
@dispatchers
def assign(emergency_id: int) -> ResponseReturnValue:
    emergency = services.get(db.session, emergency_id, station_scope(current_user))
    if emergency is None:
        abort(404)
    try:
        offer = services.assign(db.session, emergency, request.form.get("caregiver_code"), now())
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Offered to %(name)s.", name=offer.caregiver.name), "success")
    return redirect(url_for("emergency.show", emergency_id=emergency_id))
