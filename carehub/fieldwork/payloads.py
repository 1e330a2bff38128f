"""Checking what the phone sends. Every problem is reported against its field name, all at once."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from carehub.core.time import in_service_range
from carehub.fieldwork.vocab import EventType, Outcome

KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")
MAX_TEXT = 2000
COMMON = {"type", "idempotency_key", "recorded_at", "lat", "lon", "accuracy_m"}
EXTRA = {
    EventType.CHECK_IN: set(),
    EventType.CHECK_OUT: set(),
    EventType.OUTCOME: {"outcome", "checklist"},
    EventType.NOTE: {"text"},
    EventType.CONDITION_CHANGE: {"text"},
}
# A flagged change is read by an assessor from the due list: a short note.
MAX_CHANGE_TEXT = 500


class PayloadError(ValueError):
    """A request body that cannot be accepted; ``fields`` maps field names to messages."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


@dataclass(frozen=True)
class EventInput:
    type: EventType
    idempotency_key: str
    recorded_at: dt.datetime
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    outcome: Outcome | None = None
    checklist: list[str] = field(default_factory=list)
    text: str | None = None


def parse_instant(raw: object) -> dt.datetime | None:
    """An ISO 8601 instant that names its offset; a bare wall-clock time is ambiguous."""
    if not isinstance(raw, str):
        return None
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if value.tzinfo is None or value.utcoffset() is None or not in_service_range(value.date()):
        return None
    return value.astimezone(dt.UTC)


def _number(raw: object, low: float, high: float) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    value = float(raw)
    if not math.isfinite(value) or not low <= value <= high:
        return None
    return value


def parse_event(body: object) -> EventInput:
    if not isinstance(body, dict):
        raise PayloadError({"body": _("Send a JSON object.")})
    errors: dict[str, str] = {}
    kind = _event_type(body, errors)
    key = body.get("idempotency_key")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        errors["idempotency_key"] = _("Must be 8 to 100 letters, digits or the characters . _ : -")
    recorded_at = parse_instant(body.get("recorded_at"))
    if recorded_at is None:
        errors["recorded_at"] = _("Must be an ISO 8601 time with its UTC offset.")
    lat, lon, accuracy = _position(body, errors)
    outcome, checklist = _outcome(body, errors) if kind == EventType.OUTCOME else (None, [])
    text = (
        _text(body, kind, errors) if kind in (EventType.NOTE, EventType.CONDITION_CHANGE) else None
    )
    if errors or kind is None or recorded_at is None:
        raise PayloadError(errors)
    return EventInput(
        type=kind,
        idempotency_key=str(key),
        recorded_at=recorded_at,
        lat=lat,
        lon=lon,
        accuracy_m=accuracy,
        outcome=outcome,
        checklist=checklist,
        text=text,
    )


def _event_type(body: dict[str, Any], errors: dict[str, str]) -> EventType | None:
    """The event's type, and an error for every field that type does not take."""
    raw_type = body.get("type")
    kind = EventType(raw_type) if raw_type in set(EventType) else None
    if kind is None:
        errors["type"] = _(
            "Must be one of: %(choices)s.", choices=", ".join(t.value for t in EventType)
        )
    allowed = COMMON | (EXTRA[kind] if kind else set())
    for name in sorted(set(body) - allowed):
        errors[name] = _("Unknown field.")
    return kind


def _position(
    body: dict[str, Any], errors: dict[str, str]
) -> tuple[float | None, float | None, float | None]:
    """Latitude, longitude (both or neither) and accuracy in metres, each optional."""
    lat = lon = accuracy = None
    if body.get("lat") is not None:
        lat = _number(body["lat"], -90, 90)
        if lat is None:
            errors["lat"] = _("Must be a latitude between -90 and 90.")
    if body.get("lon") is not None:
        lon = _number(body["lon"], -180, 180)
        if lon is None:
            errors["lon"] = _("Must be a longitude between -180 and 180.")
    if (body.get("lat") is None) != (body.get("lon") is None):
        errors.setdefault(
            "lat" if body.get("lat") is None else "lon", _("Send lat and lon together.")
        )
    if body.get("accuracy_m") is not None:
        accuracy = _number(body["accuracy_m"], 0, 1_000_000)
        if accuracy is None:
            errors["accuracy_m"] = _("Must be a distance in metres, zero or more.")
    return lat, lon, accuracy


def _outcome(body: dict[str, Any], errors: dict[str, str]) -> tuple[Outcome | None, list[str]]:
    """An outcome event's outcome and the checklist items done, duplicates dropped."""
    outcome: Outcome | None = None
    checklist: list[str] = []
    raw_outcome = body.get("outcome")
    if raw_outcome in set(Outcome):
        outcome = Outcome(raw_outcome)
    else:
        errors["outcome"] = _(
            "Must be one of: %(choices)s.", choices=", ".join(o.value for o in Outcome)
        )
    raw_list = body.get("checklist", [])
    if not isinstance(raw_list, list) or not all(isinstance(c, str) for c in raw_list):
        errors["checklist"] = _("Must be a list of checklist item codes.")
    else:
        checklist = list(dict.fromkeys(raw_list))
    return outcome, checklist


def _text(body: dict[str, Any], kind: EventType, errors: dict[str, str]) -> str | None:
    """A note's or a condition change's text, stripped, within its limit."""
    limit = MAX_TEXT if kind == EventType.NOTE else MAX_CHANGE_TEXT
    raw_text = body.get("text")
    if not isinstance(raw_text, str) or not raw_text.strip():
        errors["text"] = _("Write the note.") if kind == EventType.NOTE else _("Say what changed.")
        return None
    if len(raw_text) > limit:
        errors["text"] = _("At most %(n)d characters.", n=limit)
        return None
    return raw_text.strip()


def parse_collect(body: object) -> dt.datetime:
    """A round's collection: when the phone recorded it. The key only lets the phone's queue
    tell its items apart; collecting twice changes nothing anyway."""
    if not isinstance(body, dict):
        raise PayloadError({"body": _("Send a JSON object.")})
    errors: dict[str, str] = {}
    recorded_at = parse_instant(body.get("recorded_at"))
    if recorded_at is None:
        errors["recorded_at"] = _("Must be an ISO 8601 time with its UTC offset.")
    key = body.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not KEY_PATTERN.match(key)):
        errors["idempotency_key"] = _("Must be 8 to 100 letters, digits or the characters . _ : -")
    for name in sorted(set(body) - {"recorded_at", "idempotency_key"}):
        errors[name] = _("Unknown field.")
    if errors or recorded_at is None:
        raise PayloadError(errors)
    return recorded_at


def parse_login(body: object) -> tuple[str, str]:
    if not isinstance(body, dict):
        raise PayloadError({"body": _("Send a JSON object.")})
    errors: dict[str, str] = {}
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not username.strip():
        errors["username"] = _("A username is required.")
    elif len(username) > 80:
        errors["username"] = _("At most %(n)d characters.", n=80)
    if not isinstance(password, str) or not password:
        errors["password"] = _("A password is required.")
    elif len(password) > 200:
        errors["password"] = _("At most %(n)d characters.", n=200)
    for name in sorted(set(body) - {"username", "password"}):
        errors[name] = _("Unknown field.")
    if errors:
        raise PayloadError(errors)
    return str(username).strip(), str(password)


def parse_decline(body: object) -> str | None:
    if body is None:
        return None
    if not isinstance(body, dict):
        raise PayloadError({"body": _("Send a JSON object.")})
    errors: dict[str, str] = {}
    reason = body.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_TEXT):
        errors["reason"] = _("At most %(n)d characters.", n=MAX_TEXT)
    for name in sorted(set(body) - {"reason"}):
        errors[name] = _("Unknown field.")
    if errors:
        raise PayloadError(errors)
    return reason.strip() or None if isinstance(reason, str) else None
