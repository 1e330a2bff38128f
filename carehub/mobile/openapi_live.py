"""The OpenAPI description of the live-phone endpoints: what changed, the coming days, and
Web Push subscriptions. Merged into the document by ``openapi.document``."""

from __future__ import annotations

from carehub.mobile.openapi import (
    BAD,
    FORBIDDEN,
    LOCAL_INSTANT,
    SECURED,
    UNAUTHORIZED,
    Schema,
    _body,
    _json,
    _obj,
    _ref,
)
from carehub.notify.push import AUTH, ENDPOINT, ENDPOINT_MAX, P256DH

SCHEMAS: dict[str, Schema] = {
    "Changes": _obj(
        ["version", "changed", "changed_at"],
        {
            "version": {"type": "integer", "minimum": 0},
            "changed": {
                "type": "boolean",
                "description": "True when version differs from `since` (or `since` was left out).",
            },
            "changed_at": LOCAL_INSTANT,
        },
    ),
    "UpcomingVisit": _obj(
        ["id", "planned_start", "planned_end", "service", "emergency", "elder"],
        {
            "id": {"type": "integer"},
            "planned_start": LOCAL_INSTANT,
            "planned_end": LOCAL_INSTANT,
            "service": {"type": "string"},
            "emergency": {"type": "boolean"},
            "elder": _obj(
                ["name", "address"], {"name": {"type": "string"}, "address": {"type": "string"}}
            ),
        },
    ),
    "Upcoming": _obj(
        ["from", "to", "days"],
        {
            "from": {"type": "string", "format": "date"},
            "to": {"type": "string", "format": "date"},
            "days": {
                "type": "array",
                "minItems": 7,
                "maxItems": 7,
                "items": _obj(
                    ["date", "visits"],
                    {
                        "date": {"type": "string", "format": "date"},
                        "visits": {"type": "array", "items": _ref("UpcomingVisit")},
                    },
                ),
            },
        },
    ),
    "PushKey": _obj(
        ["public_key"],
        {
            "public_key": {
                "type": "string",
                "description": "VAPID applicationServerKey: uncompressed P-256 point, base64url.",
            }
        },
    ),
    "PushSubscription": _obj(
        ["endpoint", "keys"],
        {
            "endpoint": {
                "type": "string",
                "maxLength": ENDPOINT_MAX,
                "pattern": ENDPOINT.pattern,
                "description": "https (plain http only for a push service on this machine).",
            },
            "expirationTime": {"type": ["number", "null"], "description": "Ignored."},
            "keys": _obj(
                ["p256dh", "auth"],
                {
                    "p256dh": {"type": "string", "pattern": P256DH.pattern},
                    "auth": {"type": "string", "pattern": AUTH.pattern},
                },
            ),
        },
    ),
    "PushSubscriptionSaved": _obj(
        ["id", "created_at"], {"id": {"type": "integer"}, "created_at": LOCAL_INSTANT}
    ),
    "PushUnsubscribe": _obj(
        ["endpoint"],
        {"endpoint": {"type": "string", "minLength": 1, "maxLength": ENDPOINT_MAX}},
    ),
}

PATHS: dict[str, Schema] = {
    "/api/v1/me/changes": {
        "get": {
            "operationId": "myChanges",
            "summary": "Whether anything the phone shows changed since a version.",
            "description": (
                "The caller's change counter goes up whenever their published visits or "
                "emergency offers change. The open page asks every few seconds with the "
                "last version it saw and reloads route and offers only when it differs."
            ),
            "security": SECURED,
            "parameters": [
                {
                    "name": "since",
                    "in": "query",
                    "required": False,
                    "description": "The version the phone last saw.",
                    "schema": {"type": "string", "pattern": "^[0-9]{1,9}$"},
                }
            ],
            "responses": {
                "200": _json(_ref("Changes"), "The current version."),
                "400": BAD,
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
            },
        }
    },
    "/api/v1/me/upcoming": {
        "get": {
            "operationId": "myUpcoming",
            "summary": "The caller's published visits of the next seven days, by day.",
            "security": SECURED,
            "responses": {
                "200": _json(_ref("Upcoming"), "Tomorrow and the six days after it."),
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
            },
        }
    },
    "/api/v1/push/key": {
        "get": {
            "operationId": "pushKey",
            "summary": "The server's VAPID public key, to subscribe a browser to Web Push.",
            "security": [],
            "responses": {"200": _json(_ref("PushKey"), "The key.")},
        }
    },
    "/api/v1/me/push-subscription": {
        "put": {
            "operationId": "savePushSubscription",
            "summary": "Save this phone's Web Push subscription (PushSubscription.toJSON()).",
            "description": (
                "Emergency offers and changes to today's route are then pushed to it. The "
                "same endpoint again replaces its keys and owner."
            ),
            "security": SECURED,
            "requestBody": _body("PushSubscription"),
            "responses": {
                "200": _json(_ref("PushSubscriptionSaved"), "Updated."),
                "201": _json(_ref("PushSubscriptionSaved"), "Saved."),
                "400": BAD,
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
            },
        },
        "delete": {
            "operationId": "deletePushSubscription",
            "summary": "Stop pushing to this phone (nothing happens for an unknown endpoint).",
            "security": SECURED,
            "requestBody": _body("PushUnsubscribe"),
            "responses": {
                "204": {"description": "Gone."},
                "400": BAD,
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
            },
        },
    },
}
