"""``POST /api/v1/emergencies`` and ``.../assign``: emergencies raised by call centres and
alarm devices. Bearer tokens only: a dispatcher's (from /api/v1/auth/token) or a device's."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound

from carehub.core.enums import Role
from carehub.core.permissions import roles_required
from carehub.core.scope import station_scope
from carehub.core.time import now
from carehub.emergency import devices, services
from carehub.emergency.proposals import Proposal
from carehub.extensions import db
from carehub.fieldwork import bearer, route
from carehub.fieldwork.payloads import PayloadError

dispatchers = roles_required(Role.DISPATCHER, Role.ADMIN)


def _token_or_device(token: str) -> Any:
    """A dispatcher's token, or an alarm device's (its last use noted)."""
    user = bearer.token_user(token)
    if user is not None:
        return user
    device = devices.find_usable(db.session, token)
    if device is None:
        return None
    device.last_used_at = now()
    return devices.DeviceUser(device)


def _forbidden_message() -> str:
    return _("Only dispatchers and alarm devices may raise emergencies.")


bp = bearer.json_api(
    Blueprint("emergency_api", __name__), _token_or_device, forbidden=_forbidden_message
)


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
def create() -> ResponseReturnValue:
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
def assign(emergency_id: int) -> ResponseReturnValue:
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
