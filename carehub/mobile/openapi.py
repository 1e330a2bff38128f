"""The OpenAPI 3.1 description of /api/v1. A test checks it against the URL map and
validates real responses against these schemas, so it cannot drift from the code."""

from __future__ import annotations

from typing import Any

from carehub.fieldwork.vocab import EventType, Flag, OfferStatus, Outcome

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **extra: Any) -> Schema:
    return {"type": [kind, "null"], **extra}


def _obj(required: list[str], properties: dict[str, Schema], closed: bool = True) -> Schema:
    schema: Schema = {"type": "object", "required": required, "properties": properties}
    if closed:
        schema["additionalProperties"] = False
    return schema


INSTANT = {"type": "string", "format": "date-time"}
# Ids are the database's 32-bit integers (carehub.app.MAX_ID).
ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
# Dates and instants the service accepts (carehub.core.time.EARLIEST_DAY .. LATEST_DAY).
PHONE_INSTANT = {
    "type": "string",
    "format": "date-time",
    "pattern": "^20[0-9]{2}-",
    "description": "The phone's time, ISO 8601 with its UTC offset, in 2000-2099.",
}


def _event(kind: str, required: list[str], extra: dict[str, Schema]) -> Schema:
    properties: dict[str, Schema] = {
        "type": {"const": kind},
        "idempotency_key": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{8,100}$"},
        "recorded_at": PHONE_INSTANT,
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "lon": {"type": "number", "minimum": -180, "maximum": 180},
        "accuracy_m": {"type": "number", "minimum": 0, "maximum": 1_000_000},
        **extra,
    }
    return {
        "type": "object",
        "required": ["type", "idempotency_key", "recorded_at", *required],
        "additionalProperties": False,
        "properties": properties,
        "dependentRequired": {"lat": ["lon"], "lon": ["lat"]},
    }


LOCAL_INSTANT = _nullable("string", format="date-time")
VISIT_STATUSES = ["published", "checked_in", "completed", "missed"]

SCHEMAS: dict[str, Schema] = {
    "Error": _obj(
        ["error", "status"],
        {
            "error": {"type": "string"},
            "status": {"type": "integer"},
            "fields": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "Field name -> what is wrong with it (400 only).",
            },
        },
    ),
    "TokenRequest": _obj(
        ["username", "password"],
        {
            "username": {"type": "string", "pattern": "\\S", "maxLength": 80},
            "password": {"type": "string", "minLength": 1, "maxLength": 200},
        },
    ),
    "Token": _obj(
        ["token", "token_type", "expires_at"],
        {
            "token": {"type": "string", "description": "Shown once; only its hash is stored."},
            "token_type": {"const": "Bearer"},
            "expires_at": INSTANT,
        },
    ),
    "Me": _obj(
        ["id", "username", "display_name", "caregiver"],
        {
            "id": {"type": "integer"},
            "username": {"type": "string"},
            "display_name": {"type": "string"},
            "caregiver": _obj(
                ["code", "name", "station", "station_phone"],
                {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "station": {"type": "string"},
                    "station_phone": _nullable("string"),
                },
            ),
        },
    ),
    "VisitState": _obj(
        ["id", "status", "check_in_at", "check_out_at", "outcome"],
        {
            "id": {"type": "integer"},
            "status": {"enum": VISIT_STATUSES},
            "check_in_at": LOCAL_INSTANT,
            "check_out_at": LOCAL_INSTANT,
            "outcome": {"enum": [*(o.value for o in Outcome), None]},
        },
    ),
    "Visit": _obj(
        [
            "id",
            "status",
            "check_in_at",
            "check_out_at",
            "outcome",
            "route_seq",
            "meal_round",
            "planned_start",
            "planned_end",
            "emergency",
            "instructions",
            "service",
            "elder",
            "navigation_url",
            "checklist",
            "checklist_done",
            "notes",
            "condition_changes",
            "flags",
        ],
        {
            "id": {"type": "integer"},
            "status": {"enum": VISIT_STATUSES},
            "check_in_at": LOCAL_INSTANT,
            "check_out_at": LOCAL_INSTANT,
            "outcome": {"enum": [*(o.value for o in Outcome), None]},
            "route_seq": _nullable("integer"),
            "meal_round": _nullable(
                "integer", description="A meal drop: the id of the round that collects it."
            ),
            "planned_start": LOCAL_INSTANT,
            "planned_end": LOCAL_INSTANT,
            "emergency": {"type": "boolean"},
            "instructions": _nullable("string"),
            "service": _obj(
                ["code", "name", "duration_min"],
                {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "duration_min": {"type": "integer"},
                },
            ),
            "elder": _ref("Elder"),
            "navigation_url": {"type": "string", "format": "uri"},
            "checklist": {
                "type": "array",
                "items": _obj(
                    ["code", "label"], {"code": {"type": "string"}, "label": {"type": "string"}}
                ),
            },
            "checklist_done": {"type": "array", "items": {"type": "string"}},
            "notes": {
                "type": "array",
                "items": _obj(
                    ["text", "recorded_at"],
                    {"text": {"type": "string"}, "recorded_at": INSTANT},
                ),
            },
            "condition_changes": {
                "type": "array",
                "description": "Changes in the elder's condition flagged from this visit.",
                "items": _obj(
                    ["text", "recorded_at"],
                    {"text": {"type": "string"}, "recorded_at": INSTANT},
                ),
            },
            "flags": {"type": "array", "items": {"enum": [f.value for f in Flag]}},
        },
    ),
    "Elder": _obj(
        ["name", "phone", "address"],
        {
            "name": {"type": "string"},
            "phone": _nullable("string"),
            "address": {"type": "string"},
            "lat": _nullable("number"),
            "lon": _nullable("number"),
            "notes": _nullable("string"),
            "diet_notes": _nullable("string", description="低盐, 软食, 清真 ..."),
        },
    ),
    "Round": _obj(
        [
            "id",
            "position",
            "collect_at",
            "collected_at",
            "kitchen",
            "navigation_url",
            "meals",
        ],
        {
            "id": {"type": "integer"},
            "position": {"type": "integer", "description": "1, 2, ... in the caregiver's day."},
            "collect_at": INSTANT,
            "collected_at": LOCAL_INSTANT,
            "kitchen": _obj(
                ["name", "address", "lat", "lon"],
                {
                    "name": {"type": "string"},
                    "address": {"type": "string"},
                    "lat": _nullable("number"),
                    "lon": _nullable("number"),
                },
            ),
            "navigation_url": {"type": "string", "format": "uri"},
            "meals": {
                "type": "array",
                "description": "In drop order.",
                "items": _obj(
                    ["visit_id", "elder", "address", "diet_notes"],
                    {
                        "visit_id": {"type": "integer"},
                        "elder": {"type": "string"},
                        "address": {"type": "string"},
                        "diet_notes": _nullable("string"),
                    },
                ),
            },
        },
    ),
    "Route": _obj(
        ["date", "visits", "rounds"],
        {
            "date": {"type": "string", "format": "date"},
            "visits": {"type": "array", "items": _ref("Visit")},
            "rounds": {
                "type": "array",
                "items": _ref("Round"),
                "description": "Meal rounds: collect at the kitchen, then the drops.",
            },
        },
    ),
    "CollectRequest": _obj(
        ["recorded_at"],
        {
            "recorded_at": PHONE_INSTANT,
            "idempotency_key": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{8,100}$"},
        },
    ),
    # One closed shape per event type, as payloads.parse_event checks them: a note needs
    # its text and an outcome its outcome, and neither takes the other's fields.
    "EventRequest": {
        "oneOf": [
            _event("check_in", [], {}),
            _event("check_out", [], {}),
            _event(
                "outcome",
                ["outcome"],
                {
                    "outcome": {"enum": [o.value for o in Outcome]},
                    "checklist": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "Codes of the checklist items done.",
                    },
                },
            ),
            _event(
                "note",
                ["text"],
                {
                    "text": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 2000,
                        "pattern": "\\S",
                        "description": "The note; not only spaces.",
                    }
                },
            ),
            _event(
                "condition_change",
                ["text"],
                {
                    "text": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 500,
                        "pattern": "\\S",
                        "description": "What changed in the elder's condition; the elder "
                        "becomes due for re-assessment at once.",
                    }
                },
            ),
        ],
    },
    "Event": _obj(
        [
            "id",
            "visit_id",
            "type",
            "idempotency_key",
            "recorded_at",
            "received_at",
            "lat",
            "lon",
            "accuracy_m",
            "distance_m",
            "flags",
            "outcome",
            "checklist",
            "text",
        ],
        {
            "id": {"type": "integer"},
            "visit_id": {"type": "integer"},
            "type": {"enum": [t.value for t in EventType]},
            "idempotency_key": {"type": "string"},
            "recorded_at": INSTANT,
            "received_at": INSTANT,
            "lat": _nullable("number"),
            "lon": _nullable("number"),
            "accuracy_m": _nullable("number"),
            "distance_m": _nullable(
                "number", description="Metres from the elder's home (check-in and check-out)."
            ),
            "flags": {"type": "array", "items": {"enum": [f.value for f in Flag]}},
            "outcome": {"enum": [*(o.value for o in Outcome), None]},
            "checklist": {"type": ["array", "null"], "items": {"type": "string"}},
            "text": _nullable("string"),
        },
    ),
    "EventResult": _obj(["event", "visit"], {"event": _ref("Event"), "visit": _ref("VisitState")}),
    "Offer": _obj(
        [
            "id",
            "status",
            "offered_at",
            "responded_at",
            "visit_id",
            "service",
            "note",
            "elder",
            "navigation_url",
        ],
        {
            "id": {"type": "integer"},
            "status": {"enum": [s.value for s in OfferStatus]},
            "offered_at": INSTANT,
            "responded_at": LOCAL_INSTANT,
            "visit_id": _nullable("integer"),
            "service": {"type": "string"},
            "note": _nullable("string"),
            "elder": _ref("Elder"),
            "navigation_url": {"type": "string", "format": "uri"},
        },
    ),
    "Offers": _obj(["offers"], {"offers": {"type": "array", "items": _ref("Offer")}}),
    "AcceptResult": _obj(
        ["offer", "visit"],
        {"offer": _ref("Offer"), "visit": {"oneOf": [_ref("Visit"), {"type": "null"}]}},
    ),
    "EmergencyRequest": _obj(
        ["elder_code"],
        {
            "elder_code": {"type": "string"},
            "note": {"type": ["string", "null"], "maxLength": 2000},
        },
    ),
    "Proposal": _obj(
        [
            "caregiver_code",
            "name",
            "phone",
            "station",
            "eta_minutes",
            "eta",
            "from",
            "travel_minutes",
            "busy_minutes",
            "disruption",
        ],
        {
            "caregiver_code": {"type": "string"},
            "name": {"type": "string"},
            "phone": _nullable("string"),
            "station": {"type": "string", "description": "The caregiver's station code."},
            "eta_minutes": {"type": "integer", "minimum": 0},
            "eta": INSTANT,
            "from": {
                "enum": ["at_visit", "last_check_in", "next_visit", "home", "station"],
                "description": "Where the caregiver sets off from.",
            },
            "travel_minutes": {"type": "integer", "minimum": 0},
            "busy_minutes": {
                "type": "integer",
                "minimum": 0,
                "description": "Minutes until the visit under way is done.",
            },
            "disruption": _obj(
                ["visits_moved", "minutes_moved"],
                {
                    "visits_moved": {"type": "integer", "minimum": 0},
                    "minutes_moved": {"type": "integer", "minimum": 0},
                },
            ),
        },
    ),
    "Emergency": _obj(
        ["id", "received_at", "proposals"],
        {
            "id": {"type": "integer"},
            "received_at": INSTANT,
            "proposals": {"type": "array", "items": _ref("Proposal"), "maxItems": 3},
        },
    ),
    "AssignRequest": _obj(["caregiver_code"], {"caregiver_code": {"type": "string"}}),
    "Assignment": _obj(
        ["id", "offer_id", "caregiver_code", "status", "offered_at"],
        {
            "id": {"type": "integer"},
            "offer_id": {"type": "integer"},
            "caregiver_code": {"type": "string"},
            "status": {"const": "offered"},
            "offered_at": INSTANT,
        },
    ),
    "DeclineRequest": _obj([], {"reason": {"type": "string", "maxLength": 2000}}),
    "DeclineResult": _obj(["offer"], {"offer": _ref("Offer")}),
}


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _linked(response: Schema, **links: tuple[str, str, str]) -> Schema:
    """A response with OpenAPI links: name -> (operationId, parameter, runtime expression),
    so a client (or a fuzzer's stateful phase) can follow the flow from one step to the next."""
    return {
        **response,
        "links": {
            name: {"operationId": op, "parameters": {param: expression}}
            for name, (op, param, expression) in links.items()
        },
    }


def _error(description: str) -> Schema:
    return _json(_ref("Error"), description)


SECURED: list[dict[str, list[str]]] = [{"bearer": []}]
UNAUTHORIZED = _error("No valid bearer token.")
FORBIDDEN = _error("Not a caregiver account, or not linked to a caregiver.")
NOT_FOUND = _error("No such item among the caller's own (others' look missing too).")
BAD = _error("Bad payload; `fields` names each problem.")


def _body(name: str, required: bool = True) -> Schema:
    return {
        "required": required,
        "content": {"application/json": {"schema": _ref(name)}},
    }


def _id(name: str, description: str) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": ID,
    }


PATHS: dict[str, Schema] = {
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This document.",
            "security": [],
            "responses": {"200": _json({"type": "object"}, "The OpenAPI document.")},
        }
    },
    "/api/v1/auth/token": {
        "post": {
            "operationId": "createToken",
            "summary": "Log in with username and password; get a bearer token (caregivers, dispatchers).",
            "security": [],
            "requestBody": _body("TokenRequest"),
            "responses": {
                "201": _json(_ref("Token"), "A new token."),
                "400": BAD,
                "401": _error("Wrong username or password, or the account is disabled."),
                "403": _error("Neither a caregiver nor a dispatcher account."),
                "429": {
                    **_error("Too many failed logins for this account or address; wait."),
                    "headers": {
                        "Retry-After": {
                            "description": "Seconds to wait.",
                            "schema": {"type": "string", "pattern": "^[0-9]+$"},
                        }
                    },
                },
            },
        },
        "delete": {
            "operationId": "revokeToken",
            "summary": "Revoke the token this request carries (any token holder).",
            "security": SECURED,
            "responses": {"204": {"description": "Revoked."}, "401": UNAUTHORIZED},
        },
    },
    "/api/v1/me": {
        "get": {
            "operationId": "me",
            "summary": "The caller and their caregiver record.",
            "security": SECURED,
            "responses": {
                "200": _json(_ref("Me"), "Who is calling."),
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
            },
        }
    },
    "/api/v1/me/visits": {
        "get": {
            "operationId": "myVisits",
            "summary": "The caller's published visits on a day, emergencies first, then in route order.",
            "security": SECURED,
            "parameters": [
                {
                    "name": "date",
                    "in": "query",
                    "required": False,
                    "description": (
                        "YYYY-MM-DD, a local (Asia/Shanghai) date from 2000-01-01 to "
                        "2099-12-31; today when left out."
                    ),
                    "schema": {"type": "string", "format": "date", "pattern": "^20[0-9]{2}-"},
                }
            ],
            "responses": {
                "200": _linked(
                    _json(_ref("Route"), "The route."),
                    PostEvent=("postVisitEvent", "visit_id", "$response.body#/visits/0/id"),
                ),
                "400": BAD,
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
            },
        }
    },
    "/api/v1/me/emergencies": {
        "get": {
            "operationId": "myEmergencies",
            "summary": "Emergency jobs offered to the caller and not yet answered.",
            "security": SECURED,
            "responses": {
                "200": _linked(
                    _json(_ref("Offers"), "Open offers, oldest first."),
                    Accept=("acceptEmergency", "offer_id", "$response.body#/offers/0/id"),
                    Decline=("declineEmergency", "offer_id", "$response.body#/offers/0/id"),
                ),
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
            },
        }
    },
    "/api/v1/visits/{visit_id}/events": {
        "post": {
            "operationId": "postVisitEvent",
            "summary": "Record a check-in, check-out, outcome or note, idempotently.",
            "description": (
                "The same idempotency key with the same body returns the first response again "
                "(header Idempotent-Replayed: true) and writes nothing; the same key with a "
                "different body is refused with 422. The visit's state follows its events "
                "ordered by recorded_at, so a check-out sent before its check-in is fine. A "
                "check-in or check-out farther from the elder's home than the configured "
                "radius is accepted and flagged far_from_home with its distance."
            ),
            "security": SECURED,
            "parameters": [_id("visit_id", "A visit of the caller's.")],
            "requestBody": _body("EventRequest"),
            "responses": {
                "201": {
                    **_json(_ref("EventResult"), "Recorded (or the replay of the first answer)."),
                    "headers": {
                        "Idempotent-Replayed": {
                            "description": "Present, with the value true, on a replay.",
                            "schema": {"const": "true"},
                        }
                    },
                },
                "400": BAD,
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
                "404": NOT_FOUND,
                "409": _error(
                    "The visit was cancelled, or a checklist code is not on its checklist."
                ),
                "422": _error("The idempotency key was used for a different body."),
            },
        }
    },
    "/api/v1/rounds/{round_id}/collect": {
        "post": {
            "operationId": "collectRound",
            "summary": "Record that the caller collected a meal round at its kitchen.",
            "description": (
                "The earliest recorded collection counts, so sending it again (a queue "
                "flushed twice) changes nothing."
            ),
            "security": SECURED,
            "parameters": [_id("round_id", "A meal round of the caller's.")],
            "requestBody": _body("CollectRequest"),
            "responses": {
                "200": _json(_ref("Round"), "The round, collected."),
                "400": BAD,
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
                "404": NOT_FOUND,
            },
        }
    },
    "/api/v1/emergencies/{offer_id}/accept": {
        "post": {
            "operationId": "acceptEmergency",
            "summary": "Take an emergency job; a visit starting now is published to the caller.",
            "security": SECURED,
            "parameters": [_id("offer_id", "An emergency offer made to the caller.")],
            "responses": {
                "200": _linked(
                    _json(_ref("AcceptResult"), "Accepted (again, if it already was)."),
                    PostEvent=("postVisitEvent", "visit_id", "$response.body#/visit/id"),
                ),
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
                "404": NOT_FOUND,
                "409": _error("Declined earlier, withdrawn, or taken by someone else."),
            },
        }
    },
    "/api/v1/emergencies/{offer_id}/decline": {
        "post": {
            "operationId": "declineEmergency",
            "summary": "Decline an emergency job, optionally saying why.",
            "description": (
                "The emergency is offered at once to the next best caregiver not yet asked, "
                "and the dispatchers are alerted."
            ),
            "security": SECURED,
            "parameters": [_id("offer_id", "An emergency offer made to the caller.")],
            "requestBody": _body("DeclineRequest", required=False),
            "responses": {
                "200": _json(_ref("DeclineResult"), "Declined."),
                "400": BAD,
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
                "404": NOT_FOUND,
                "409": _error("Already accepted, or withdrawn."),
            },
        }
    },
    "/api/v1/emergencies": {
        "post": {
            "operationId": "raiseEmergency",
            "summary": "Raise an emergency for an elder; get the best caregivers, best first.",
            "description": (
                "For call centres and alarm devices: a dispatcher's bearer token or a device "
                "token. Up to three proposals: the best and two alternatives, each with its "
                "ETA and the disruption to the caregiver's published route. Nobody is asked "
                "yet: confirm one with /assign."
            ),
            "security": SECURED,
            "requestBody": _body("EmergencyRequest"),
            "responses": {
                "201": _linked(
                    _json(_ref("Emergency"), "Recorded, with proposals."),
                    Assign=("assignEmergency", "emergency_id", "$response.body#/id"),
                ),
                "400": BAD,
                "401": UNAUTHORIZED,
                "403": _error(
                    "Not a dispatcher or device token, or the elder is outside the "
                    "dispatcher's station."
                ),
            },
        }
    },
    "/api/v1/emergencies/{emergency_id}/assign": {
        "post": {
            "operationId": "assignEmergency",
            "summary": "Offer the emergency to a caregiver; their phone shows it on top.",
            "description": (
                "Unanswered after CAREHUB_EMERGENCY_ACCEPT_MIN minutes, or declined, the "
                "offer goes on to the next best caregiver and dispatchers get an alert."
            ),
            "security": SECURED,
            "parameters": [_id("emergency_id", "The id POST /api/v1/emergencies answered.")],
            "requestBody": _body("AssignRequest"),
            "responses": {
                "201": _linked(
                    _json(_ref("Assignment"), "Offered."),
                    Accept=("acceptEmergency", "offer_id", "$response.body#/offer_id"),
                    Decline=("declineEmergency", "offer_id", "$response.body#/offer_id"),
                ),
                "400": BAD,
                "401": UNAUTHORIZED,
                "403": _error("Not a dispatcher or device token."),
                "404": _error("No such emergency within the dispatcher's station."),
                "409": _error("Already offered, accepted, or this caregiver was asked before."),
            },
        }
    },
}


def document() -> Schema:
    from carehub.mobile import absences as absence_api
    from carehub.mobile import openapi_live

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CareHub phone API",
            "version": "1",
            "description": (
                "For caregivers' phones. Times are ISO 8601 with offsets; responses give "
                "them in Asia/Shanghai. Errors are {error, status}, plus fields on 400."
            ),
        },
        "paths": {**PATHS, **absence_api.paths(_json, _error, SECURED), **openapi_live.PATHS},
        "components": {
            "schemas": {**SCHEMAS, **absence_api.SCHEMAS, **openapi_live.SCHEMAS},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
