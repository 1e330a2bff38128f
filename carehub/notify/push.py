"""Web Push subscriptions of caregivers' phones, and sending one message to one of them.

Messages are encrypted for the browser (RFC 8291, ``aes128gcm``) and signed with the
server's VAPID key by pywebpush; the push service only relays them.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from typing import Any

import requests
from flask import Flask
from flask_babel import gettext as _
from pywebpush import WebPushException, webpush
from sqlalchemy import select

from carehub.auth.models import User
from carehub.core import audit
from carehub.core.time import now
from carehub.db import AnySession
from carehub.fieldwork.payloads import PayloadError
from carehub.notify import vapid
from carehub.notify.models import PushSubscription
from carehub.registry.models import Caregiver

log = logging.getLogger(__name__)

ENDPOINT_MAX = 2000
# Browsers' push services are https; plain http only for a push service on this machine.
ENDPOINT = re.compile(r"^(https://|http://(127\.0\.0\.1|localhost|\[::1\])[:/])\S*$")
P256DH = re.compile(r"^B[A-P][A-Za-z0-9_-]{85}$")
AUTH = re.compile(r"^[A-Za-z0-9_-]{22}$")
# A phone that has not been reachable this many times in a row is forgotten.
MAX_FAILURES = 10


def _b64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def parse(body: object) -> tuple[str, str, str]:
    """``{"endpoint", "keys": {"p256dh", "auth"}}`` as the browser's
    ``PushSubscription.toJSON()`` gives it (``expirationTime`` is allowed and ignored)."""
    if not isinstance(body, dict):
        raise PayloadError({"body": _("Send a JSON object.")})
    unknown = set(body) - {"endpoint", "keys", "expirationTime"}
    if unknown:
        raise PayloadError({name: _("Unknown field.") for name in sorted(unknown)})
    endpoint = body.get("endpoint")
    if (
        not isinstance(endpoint, str)
        or len(endpoint) > ENDPOINT_MAX
        or not ENDPOINT.fullmatch(endpoint)
    ):
        raise PayloadError({"endpoint": _("Must be the push service's https address.")})
    keys = body.get("keys")
    if not isinstance(keys, dict) or set(keys) != {"p256dh", "auth"}:
        raise PayloadError({"keys": _("Must hold exactly p256dh and auth.")})
    p256dh, auth = keys["p256dh"], keys["auth"]
    try:
        point_ok = isinstance(p256dh, str) and bool(P256DH.fullmatch(p256dh)) and _b64url(p256dh)
    except (binascii.Error, ValueError):
        point_ok = False
    if not point_ok:
        raise PayloadError({"keys.p256dh": _("Must be a P-256 public key, base64url.")})
    if not isinstance(auth, str) or not AUTH.fullmatch(auth):
        raise PayloadError({"keys.auth": _("Must be a 16-byte secret, base64url.")})
    return endpoint, p256dh, auth


def subscribe(
    session: AnySession, user: User, caregiver: Caregiver, endpoint: str, p256dh: str, auth: str
) -> tuple[PushSubscription, bool]:
    """Save the phone's subscription; the same endpoint again replaces its keys and owner
    (a phone passed to another caregiver). Returns the row and whether it is new."""
    digest = PushSubscription.hash_endpoint(endpoint)
    row = session.scalar(select(PushSubscription).where(PushSubscription.endpoint_hash == digest))
    created = row is None
    if row is None:
        row = PushSubscription(endpoint=endpoint, endpoint_hash=digest)
        session.add(row)
    row.user_id, row.caregiver_id = user.id, caregiver.id
    row.p256dh, row.auth, row.failures = p256dh, auth, 0
    session.flush()
    audit.record(
        session, "push_subscribe", "Caregiver", caregiver.id, note=f"subscription {row.id}"
    )
    return row, created


def unsubscribe(session: AnySession, caregiver: Caregiver, endpoint: str) -> bool:
    digest = PushSubscription.hash_endpoint(endpoint)
    row = session.scalar(
        select(PushSubscription).where(
            PushSubscription.endpoint_hash == digest,
            PushSubscription.caregiver_id == caregiver.id,
        )
    )
    if row is None:
        return False
    audit.record(
        session, "push_unsubscribe", "Caregiver", caregiver.id, note=f"subscription {row.id}"
    )
    session.delete(row)
    session.flush()
    return True


def of_caregiver(session: AnySession, caregiver_id: int) -> list[PushSubscription]:
    return list(
        session.scalars(
            select(PushSubscription)
            .where(PushSubscription.caregiver_id == caregiver_id)
            .order_by(PushSubscription.id)
        )
    )


def send(app: Flask, session: AnySession, row: PushSubscription, message: dict[str, Any]) -> bool:
    """Encrypt and post one message; True when the push service took it. A subscription the
    service says is gone (404, 410), or one failing too often, is deleted."""
    status: int | None = None
    try:
        response = webpush(
            row.info(),
            data=json.dumps(message, ensure_ascii=False),
            vapid_private_key=vapid.key(app),
            # A fresh dict each time: pywebpush writes the audience into the one it gets.
            vapid_claims={"sub": app.config["VAPID_SUBJECT"]},
            ttl=int(app.config["PUSH_TTL_S"]),
            headers={"Urgency": "high"},
            timeout=float(app.config["PUSH_TIMEOUT_S"]),
        )
        status = getattr(response, "status_code", None)
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
    except requests.RequestException as exc:
        log.warning("push to subscription %s failed: %s", row.id, exc.__class__.__name__)
    row.last_sent_at = now()
    row.last_status = status
    delivered = status is not None and 200 <= status < 300
    if delivered:
        row.failures = 0
    else:
        row.failures += 1
        if status in (404, 410) or row.failures >= MAX_FAILURES:
            session.delete(row)
    session.flush()
    return delivered
