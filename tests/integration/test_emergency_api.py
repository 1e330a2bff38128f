"""POST /api/v1/emergencies and /assign: dispatchers' and devices' tokens, never caregivers';
every answer checked against the OpenAPI document. And the dispatcher's web screen."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from carehub.auth import tokens
from carehub.cli import main
from carehub.core.enums import RequestOrigin, Role
from carehub.dispatch.models import ServiceRequest
from carehub.emergency.models import AlarmDevice
from carehub.fieldwork.models import EmergencyOffer
from tests.builders import PASSWORD
from tests.integration.emergency_support import ELDER_AT, NOW, medic
from tests.phone import Phone, check_response


@pytest.fixture(autouse=True)
def clock(app) -> None:
    app.config["CLOCK"] = lambda: NOW


@pytest.fixture
def elder(make, db):
    found = make.elder(name="张秀英", name_initials="zxy", lat=ELDER_AT[0], lon=ELDER_AT[1])
    db.session.commit()
    return found


def _client(app, make, db, role: Role) -> Phone:
    user = make.user(role)
    token, _row = tokens.issue(db.session, user)
    db.session.commit()
    return Phone(app.test_client(), user, token)


def test_a_dispatcher_token_raises_an_emergency_and_assigns_the_best(app, make, db, elder) -> None:
    best, second, third = medic(make, 200), medic(make, 900), medic(make, 1800)
    medic(make, 4000)
    dispatcher = make.user(Role.DISPATCHER)
    db.session.commit()
    client = app.test_client()
    login = client.post(
        "/api/v1/auth/token", json={"username": dispatcher.username, "password": PASSWORD}
    )
    check_response("POST", "/api/v1/auth/token", login)
    assert login.status_code == 201
    api = Phone(client, dispatcher, login.get_json()["token"])

    answer = api.post("/api/v1/emergencies", json={"elder_code": elder.code, "note": "跌倒"})
    assert answer.status_code == 201
    body = answer.get_json()
    codes = [p["caregiver_code"] for p in body["proposals"]]
    assert codes == [best.code, second.code, third.code]
    assert body["proposals"][0]["eta_minutes"] <= 2
    assert body["proposals"][0]["disruption"] == {"visits_moved": 0, "minutes_moved": 0}
    request = db.session.get(ServiceRequest, body["id"])
    assert request.origin == RequestOrigin.EMERGENCY and request.note == "跌倒"

    assigned = api.post(
        f"/api/v1/emergencies/{body['id']}/assign", json={"caregiver_code": best.code}
    )
    assert assigned.status_code == 201 and assigned.get_json()["status"] == "offered"
    again = api.post(
        f"/api/v1/emergencies/{body['id']}/assign", json={"caregiver_code": second.code}
    )
    assert again.status_code == 409
    offer = db.session.scalars(select(EmergencyOffer)).one()
    assert offer.caregiver_id == best.id and offer.offered_at == NOW


def test_bad_input_names_the_field(app, make, db, elder) -> None:
    api = _client(app, make, db, Role.DISPATCHER)
    for body, field in (
        ({"note": "x"}, "elder_code"),
        ({"elder_code": "NOPE"}, "elder_code"),
        ({"elder_code": elder.code, "note": 5}, "note"),
        ({"elder_code": elder.code, "note": "x" * 2001}, "note"),
    ):
        answer = api.post("/api/v1/emergencies", json=body)
        assert answer.status_code == 400 and field in answer.get_json()["fields"], body
    assert (
        api.post("/api/v1/emergencies", data="[]", content_type="application/json").status_code
        == 400
    )
    created = api.post("/api/v1/emergencies", json={"elder_code": elder.code}).get_json()
    for body in ({}, {"caregiver_code": "NOPE"}, {"caregiver_code": make.caregiver().code}):
        db.session.commit()
        answer = api.post(f"/api/v1/emergencies/{created['id']}/assign", json=body)
        assert answer.status_code == 400 and "caregiver_code" in answer.get_json()["fields"]
    assert (
        api.post("/api/v1/emergencies/99999/assign", json={"caregiver_code": "x"}).status_code
        == 404
    )


def test_caregivers_cannot_raise_or_assign_emergencies(app, make, db, elder) -> None:
    phone = _client(app, make, db, Role.CAREGIVER)
    assert phone.post("/api/v1/emergencies", json={"elder_code": elder.code}).status_code == 403
    assert (
        phone.post("/api/v1/emergencies/1/assign", json={"caregiver_code": "x"}).status_code == 403
    )
    anonymous = app.test_client().post("/api/v1/emergencies", json={"elder_code": elder.code})
    assert anonymous.status_code == 401
    assert db.session.scalars(select(ServiceRequest)).all() == []


def test_dispatcher_tokens_do_not_open_caregiver_endpoints(app, make, db) -> None:
    api = _client(app, make, db, Role.DISPATCHER)
    assert api.get("/api/v1/me").status_code == 403
    assert api.get("/api/v1/me/emergencies").status_code == 403
    auditor = make.user(Role.AUDITOR)
    db.session.commit()
    refused = app.test_client().post(
        "/api/v1/auth/token", json={"username": auditor.username, "password": PASSWORD}
    )
    assert refused.status_code == 403


def test_a_device_token_from_the_cli_raises_emergencies_until_revoked(app, make, db, elder) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["devices", "add", "呼叫中心-1"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    device = db.session.scalar(select(AlarmDevice))
    assert device.token_hash == AlarmDevice.hash_token(token) and token not in device.token_hash
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    answer = client.post("/api/v1/emergencies", json={"elder_code": elder.code}, headers=headers)
    check_response("POST", "/api/v1/emergencies", answer)
    assert answer.status_code == 201
    # A device cannot use the caregiver API.
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert runner.invoke(main, ["devices", "revoke", "呼叫中心-1"]).exit_code == 0
    db.session.expire_all()
    refused = client.post("/api/v1/emergencies", json={"elder_code": elder.code}, headers=headers)
    assert refused.status_code == 401


def test_the_dispatcher_screen_finds_the_elder_raises_and_confirms(
    app, client, login_as, make, db, elder
) -> None:
    best = medic(make, 200)
    medic(make, 900)
    login_as(Role.DISPATCHER)
    page = client.get("/dispatch/emergency/?q=zxy").get_data(as_text=True)
    assert "张秀英" in page and elder.code in page
    assert (
        client.get(f"/dispatch/emergency/?q={elder.phone}").get_data(as_text=True).count(elder.code)
        >= 1
    )
    missing = client.post("/dispatch/emergency/", data={"note": "x"})
    assert missing.status_code == 400
    for blank in ("", "   "):
        empty = client.post("/dispatch/emergency/", data={"elder_id": elder.id, "note": blank})
        assert empty.status_code == 400 and 'class="form-row has-error"' in empty.get_data(
            as_text=True
        )
    created = client.post("/dispatch/emergency/", data={"elder_id": elder.id, "note": "胸闷"})
    assert created.status_code == 302
    show = client.get(created.headers["Location"]).get_data(as_text=True)
    assert best.code in show and "胸闷" in show
    emergency_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    confirmed = client.post(
        f"/dispatch/emergency/{emergency_id}/assign", data={"caregiver_code": best.code}
    )
    assert confirmed.status_code == 302
    offer = db.session.scalars(select(EmergencyOffer)).one()
    assert offer.caregiver_id == best.id
    after = client.get(f"/dispatch/emergency/{emergency_id}").get_data(as_text=True)
    assert 'data-step="offered"' in after and 'id="proposals"' not in after
