"""``POST /api/v1/emergencies`` and ``.../assign``: emergencies raised by call centres and
alarm devices. Bearer tokens only: a dispatcher's (from /api/v1/auth/token) or a device's."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin, current_user
from werkzeug.exceptions import Forbidden, NotFound, Unauthorized

from carehub.core.enums import Role
from carehub.core.errors import FieldError
from carehub.core.permissions import roles_required
from carehub.core.scope import station_scope
from carehub.core.time import now
from carehub.emergency import devices, services
from carehub.emergency.proposals import Proposal
from carehub.extensions import csrf, db, login_manager
from carehub.mobile import route, tokens
from carehub.mobile.payloads import PayloadError

bp = Blueprint("emergency_api", __name__)
csrf.exempt(bp)
dispatchers = roles_required(Role.DISPATCHER, Role.ADMIN)


@bp.record_once
def _no_login_page(state: Any) -> None:
    login_manager.blueprint_login_views[bp.name] = None


@bp.before_request
def _bearer() -> None:
    token = tokens.bearer_from_request()
    user: Any = AnonymousUserMixin()
    if token:
        row = tokens.find_usable(db.session, token)
        device = None if row else devices.find_usable(db.session, token)
        if row is not None:
            user = tokens.TokenUser(row)
        elif device is not None:
            device.last_used_at = now()
            user = devices.DeviceUser(device)
    g._login_user = user


@bp.errorhandler(PayloadError)
def _payload_error(exc: PayloadError):  # type: ignore[no-untyped-def]
    message = _("The request has errors; see the fields.")
    return jsonify({"error": message, "status": 400, "fields": exc.fields}), 400


@bp.errorhandler(FieldError)
def _field_error(exc: FieldError):  # type: ignore[no-untyped-def]
    return jsonify({"error": str(exc), "status": 400, "fields": {exc.field: str(exc)}}), 400


@bp.errorhandler(Unauthorized)
def _unauthorized(exc: Unauthorized):  # type: ignore[no-untyped-def]
    response = jsonify({"error": _("Log in again: a valid bearer token is needed."), "status": 401})
    response.headers["WWW-Authenticate"] = 'Bearer realm="carehub"'
    return response, 401


@bp.errorhandler(Forbidden)
def _forbidden(exc: Forbidden):  # type: ignore[no-untyped-def]
    message = _("Only dispatchers and alarm devices may raise emergencies.")
    return jsonify({"error": message, "status": 403}), 403


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise PayloadError({"body": _("Send a JSON object.")})
    return body


def proposal_json(p: Proposal, at: Any) -> dict[str, Any]:
    c = p.caregiver
    return {
        "caregiver_code": c.code,
        "name": c.name,
        "phone": c.phone or None,
        "station": c.station.code,
        "eta_minutes": p.eta_minutes(at),
        "eta": route.iso_local(p.eta),
        "from": p.source,
        "travel_minutes": p.travel_minutes,
        "busy_minutes": p.wait_minutes,
        "disruption": {"visits_moved": p.visits_moved, "minutes_moved": p.minutes_moved},
    }


@bp.route("/emergencies", methods=["POST"])
@dispatchers
def create():  # type: ignore[no-untyped-def]
    body = _body()
    elder = services.find_elder(db.session, body.get("elder_code"), station_scope(current_user))
    note = services.clean_note(body.get("note"))
    at = now()
    emergency = services.raise_emergency(db.session, elder, note, at)
    found = services.propose(db.session, emergency, at)
    answer = {
        "id": emergency.id,
        "received_at": route.iso_local(emergency.created_at),
        "proposals": [proposal_json(p, at) for p in found],
    }
    db.session.commit()
    return jsonify(answer), 201


@bp.route("/emergencies/<int:emergency_id>/assign", methods=["POST"])
@dispatchers
def assign(emergency_id: int):  # type: ignore[no-untyped-def]
    emergency = services.get(db.session, emergency_id, station_scope(current_user))
    if emergency is None:
        raise NotFound()
    body = _body()
    offer = services.assign(db.session, emergency, body.get("caregiver_code"), now())
    answer = {
        "id": emergency.id,
        "offer_id": offer.id,
        "caregiver_code": offer.caregiver.code,
        "status": str(offer.status),
        "offered_at": route.iso_local(offer.offered_at),
    }
    db.session.commit()
    return jsonify(answer), 201
