"""Web Push against a push service on this machine: the phone saves its subscription, an
emergency offer is encrypted for that browser (RFC 8291, aes128gcm) and signed with the
server's VAPID key (RFC 8292), and the browser's keys decrypt it. A gone subscription is
forgotten and the offer goes by SMS instead."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from py_vapid import Vapid
from sqlalchemy import select

from carehub.core.enums import RequestOrigin
from carehub.fieldwork.models import EmergencyOffer
from carehub.notify import sms
from carehub.notify.models import PushSubscription
from tests.phone import SHANGHAI, Phone, make_phone, published_visit
from tests.push_service import Browser, PushService

NOW = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)  # 14:00 in Shanghai
# A fixed key, so nothing is generated into the instance folder.
VAPID_KEY = Vapid()
VAPID_KEY.generate_keys()


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"VAPID_PRIVATE_KEY": VAPID_KEY.private_pem().decode()}


@pytest.fixture(autouse=True)
def _clock(app) -> None:  # type: ignore[no-untyped-def]
    app.config["CLOCK"] = lambda: NOW


@pytest.fixture
def service() -> Iterator[PushService]:
    running = PushService().start()
    yield running
    running.stop()


def _subscribe(phone: Phone, browser: Browser) -> Any:
    return phone.call("PUT", "/api/v1/me/push-subscription", json=browser.subscription())


def _offer(db, make, phone: Phone) -> EmergencyOffer:  # type: ignore[no-untyped-def]
    request = make.request(
        origin=RequestOrigin.EMERGENCY, service_type=make.service_type("emergency"), priority=1
    )
    offer = EmergencyOffer(request=request, caregiver=phone.user.caregiver, offered_at=NOW)
    db.session.add(offer)
    db.session.commit()
    return offer


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _verified_claims(jwt: str, public_key: str) -> dict[str, Any]:
    """The JWT's claims once its ES256 signature checks against the public key."""
    header, claims, signature = jwt.split(".")
    raw = _b64(signature)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64(public_key))
    der = encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:]))
    key.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    assert json.loads(_b64(header))["alg"] == "ES256"
    return dict(json.loads(_b64(claims)))


def _texts(app) -> list[sms.Sent]:  # type: ignore[no-untyped-def]
    sender = sms.sender(app)
    assert isinstance(sender, sms.FakeSms)
    return sender.sent


def test_an_offer_is_pushed_encrypted_to_the_subscribed_phone(
    app, make, db, service: PushService
) -> None:  # type: ignore[no-untyped-def]
    phone = make_phone(app, make)
    browser = Browser(f"{service.base}/push/phone-1")
    saved = _subscribe(phone, browser)
    assert saved.status_code == 201

    offer = _offer(db, make, phone)
    assert len(service.received) == 1
    got = service.received[0]
    assert got.path == "/push/phone-1"
    assert got.headers["content-encoding"] == "aes128gcm"
    assert got.headers["ttl"] == "180"
    assert got.headers["urgency"] == "high"
    # The body is not readable without the browser's keys.
    assert offer.request.elder.name.encode() not in got.body

    message = json.loads(browser.decrypt(got.body))
    assert message["kind"] == "offer" and message["offer_id"] == offer.id
    assert offer.request.elder.name in message["body"]

    # Signed with the key the phone subscribed with, for this push service's origin.
    public = phone.get("/api/v1/push/key").get_json()["public_key"]
    scheme, _, params = got.headers["authorization"].partition(" ")
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert scheme == "vapid" and fields["k"] == public
    claims = _verified_claims(fields["t"], public)
    assert claims["aud"] == service.base and claims["sub"].startswith("mailto:")
    # Pushed, so not texted.
    assert _texts(app) == []
    db.session.expire_all()
    row = db.session.scalars(select(PushSubscription)).one()
    assert row.last_status == 201 and row.failures == 0


def test_a_change_to_todays_route_is_pushed_but_not_one_for_another_day(
    app, make, db, service: PushService
) -> None:  # type: ignore[no-untyped-def]
    phone = make_phone(app, make)
    browser = Browser(f"{service.base}/push/phone-2")
    assert _subscribe(phone, browser).status_code == 201

    later = dt.datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)
    published_visit(make, phone, planned_start=later, planned_end=later + dt.timedelta(hours=1))
    assert service.received == []

    published_visit(make, phone)  # today at 11:00
    assert [json.loads(browser.decrypt(r.body))["kind"] for r in service.received] == ["route"]


def test_a_subscription_the_service_says_is_gone_is_forgotten_and_sms_takes_over(
    app, make, db, service: PushService
) -> None:  # type: ignore[no-untyped-def]
    phone = make_phone(app, make)
    assert _subscribe(phone, Browser(f"{service.base}/push/old-phone")).status_code == 201
    service.answer = 410

    _offer(db, make, phone)
    assert len(service.received) == 1
    db.session.expire_all()
    assert db.session.scalars(select(PushSubscription)).all() == []
    assert [t.to for t in _texts(app)] == [phone.user.caregiver.phone]


def test_saving_the_same_subscription_again_updates_it(app, make, db) -> None:  # type: ignore[no-untyped-def]
    phone = make_phone(app, make)
    browser = Browser("https://push.example.net/wpush/v2/abc")
    assert _subscribe(phone, browser).status_code == 201
    renewed = Browser(browser.endpoint)
    assert _subscribe(phone, renewed).status_code == 200
    row = db.session.scalars(select(PushSubscription)).one()
    assert row.p256dh == renewed.subscription()["keys"]["p256dh"]

    gone = phone.call("DELETE", "/api/v1/me/push-subscription", json={"endpoint": browser.endpoint})
    assert gone.status_code == 204
    assert db.session.scalars(select(PushSubscription)).all() == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endpoint": "http://push.example.net/x"}, "endpoint"),
        ({"endpoint": "javascript:alert(1)"}, "endpoint"),
        ({"keys": {"p256dh": "B" + "A" * 10, "auth": "A" * 22}}, "keys.p256dh"),
        ({"keys": {"p256dh": "BA" + "A" * 85, "auth": "short"}}, "keys.auth"),
        ({"keys": {"p256dh": "BA" + "A" * 85}}, "keys"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_bad_subscription_is_refused_naming_the_field(
    app, make, db, change: dict[str, Any], field: str
) -> None:  # type: ignore[no-untyped-def]
    phone = make_phone(app, make)
    body = {**Browser("https://push.example.net/wpush/v2/abc").subscription(), **change}
    answer = phone.call("PUT", "/api/v1/me/push-subscription", json=body)
    assert answer.status_code == 400 and field in answer.get_json()["fields"]
    assert db.session.scalars(select(PushSubscription)).all() == []
