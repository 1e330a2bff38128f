"""``/api/v1/me/absences``: the caregiver's phone asks for an absence and lists its own.
Bearer tokens only, as the rest of the phone API; a dispatcher decides the request."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from carehub.availability import services
from carehub.availability.models import CaregiverAbsence
from carehub.availability.views import absence_span
from carehub.core.enums import AbsenceKind, AbsenceStatus, Role
from carehub.core.permissions import roles_required
from carehub.core.time import in_service_range, to_local
from carehub.extensions import db
from carehub.fieldwork import bearer
from carehub.fieldwork.payloads import PayloadError
from carehub.registry.models import Caregiver

bp = bearer.json_api(Blueprint("absence_api", __name__))
FIELDS = {"kind", "first_day", "last_day", "start_time", "end_time", "note"}


def _caregiver() -> Caregiver:
    caregiver: Caregiver | None = current_user.caregiver
    if caregiver is None:
        raise Forbidden(_("This account is not linked to a caregiver."))
    return caregiver


def absence_json(a: CaregiverAbsence) -> dict[str, Any]:
    return {
        "id": a.id,
        "kind": str(a.kind),
        "starts_at": to_local(a.starts_at).isoformat(),  # type: ignore[union-attr]
        "ends_at": to_local(a.ends_at).isoformat(),  # type: ignore[union-attr]
        "status": str(a.status),
        "note": a.note,
    }


def _text(body: dict[str, Any], name: str, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise PayloadError({name: _("Required value missing")})
        return None
    if not isinstance(value, str):
        raise PayloadError({name: _("Send text.")})
    return value.strip()


def _day(body: dict[str, Any], name: str, required: bool = False) -> dt.date | None:
    text = _text(body, name, required)
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise PayloadError({name: _("Enter a date as YYYY-MM-DD.")}) from None
    if not in_service_range(day):
        raise PayloadError({name: _("Enter a date as YYYY-MM-DD.")})
    return day


def _wall(body: dict[str, Any], name: str) -> dt.time | None:
    text = _text(body, name)
    if text is None:
        return None
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise PayloadError({name: _("Enter a time as HH:MM.")}) from None


def _read(body: object) -> tuple[str, dt.datetime, dt.datetime, str | None]:
    if not isinstance(body, dict):
        raise PayloadError({"body": _("Send a JSON object.")})
    stray = sorted(set(body) - FIELDS)
    if stray:
        raise PayloadError({stray[0]: _("Unknown field.")})
    kind = _text(body, "kind", required=True)
    if kind not in set(AbsenceKind):
        raise PayloadError({"kind": _("Choose sick or leave.")})
    first = _day(body, "first_day", required=True)
    assert first is not None
    last = _day(body, "last_day") or first
    lo, hi = absence_span(first, last, _wall(body, "start_time"), _wall(body, "end_time"))
    note = _text(body, "note")
    return kind, lo, hi, note[:500] if note else None


@bp.route("/me/absences", methods=["GET"])
@roles_required(Role.CAREGIVER)
def my_absences() -> ResponseReturnValue:
    caregiver = _caregiver()
    rows = services.for_caregiver(db.session, caregiver)
    return jsonify({"absences": [absence_json(a) for a in rows]})


@bp.route("/me/absences", methods=["POST"])
@roles_required(Role.CAREGIVER)
def ask_absence() -> ResponseReturnValue:
    caregiver = _caregiver()
    kind, lo, hi, note = _read(request.get_json(silent=True))
    absence = services.ask(db.session, caregiver, kind, lo, hi, note, current_user.id)
    db.session.commit()
    return jsonify(absence_json(absence)), 201


DAY = {"type": "string", "format": "date"}
WALL = {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"}
SCHEMAS: dict[str, Any] = {
    "AbsenceRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["kind", "first_day"],
        "properties": {
            "kind": {"enum": [k.value for k in AbsenceKind]},
            "first_day": DAY,
            "last_day": DAY,
            "start_time": WALL,
            "end_time": WALL,
            "note": {"type": "string", "maxLength": 500},
        },
    },
    "Absence": {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "kind", "starts_at", "ends_at", "status", "note"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"enum": [k.value for k in AbsenceKind]},
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"},
            "status": {"enum": [s.value for s in AbsenceStatus]},
            "note": {"type": ["string", "null"]},
        },
    },
    "Absences": {
        "type": "object",
        "additionalProperties": False,
        "required": ["absences"],
        "properties": {
            "absences": {"type": "array", "items": {"$ref": "#/components/schemas/Absence"}}
        },
    },
}


def paths(json: Any, error: Any, secured: Any) -> dict[str, Any]:
    """The OpenAPI operations of this module, in the phone API's document."""
    common = {
        "401": error("No valid bearer token."),
        "403": error("Not a caregiver account, or not linked to a caregiver."),
    }
    return {
        "/api/v1/me/absences": {
            "get": {
                "operationId": "myAbsences",
                "summary": "The caller's absences, latest first, with their state.",
                "security": secured,
                "responses": {
                    "200": json({"$ref": "#/components/schemas/Absences"}, "Absences."),
                    **common,
                },
            },
            "post": {
                "operationId": "askAbsence",
                "summary": "Ask for sick leave or time off; a dispatcher approves or declines.",
                "description": (
                    "Whole days from first_day to last_day (default: first_day), or from "
                    "start_time on the first day to end_time on the last."
                ),
                "security": secured,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/AbsenceRequest"}
                        }
                    },
                },
                "responses": {
                    "201": json({"$ref": "#/components/schemas/Absence"}, "The request, waiting."),
                    "400": error("Bad payload; `fields` names each problem."),
                    **common,
                },
            },
        }
    }
