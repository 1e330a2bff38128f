"""Bearer tokens: issued to caregivers, stored as hashes, revoked, and ended with the web login."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from carehub.auth.models import ApiToken
from carehub.core.enums import Role
from tests.builders import PASSWORD
from tests.phone import check_response


def _post_token(client, username: str, password: str = PASSWORD):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    check_response("POST", "/api/v1/auth/token", response)
    return response


def test_a_caregiver_gets_a_token_whose_hash_alone_is_stored(client, make, db) -> None:
    user = make.user(Role.CAREGIVER)
    db.session.commit()
    answer = _post_token(client, user.username)
    assert answer.status_code == 201
    token = answer.get_json()["token"]
    stored = db.session.scalars(select(ApiToken)).all()
    assert [row.token_hash for row in stored] == [ApiToken.hash_token(token)]
    assert token not in stored[0].token_hash

    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    check_response("GET", "/api/v1/me", me)
    assert me.status_code == 200
    assert me.get_json()["caregiver"]["code"] == user.caregiver.code


def test_wrong_passwords_other_roles_and_bad_bodies_get_no_token(client, make, db) -> None:
    caregiver = make.user(Role.CAREGIVER)
    # Dispatchers get tokens (for the emergency API); auditors and admins do not.
    auditor = make.user(Role.AUDITOR)
    admin = make.user(Role.ADMIN)
    disabled = make.user(Role.CAREGIVER, active=False)
    db.session.commit()
    assert _post_token(client, caregiver.username, "wrong-password").status_code == 401
    assert _post_token(client, "nobody").status_code == 401
    assert _post_token(client, disabled.username).status_code == 401
    assert _post_token(client, auditor.username).status_code == 403
    assert _post_token(client, admin.username).status_code == 403
    bad = client.post("/api/v1/auth/token", json={"username": "", "extra": 1})
    check_response("POST", "/api/v1/auth/token", bad)
    assert bad.status_code == 400
    assert set(bad.get_json()["fields"]) == {"username", "password", "extra"}
    assert db.session.scalars(select(ApiToken)).all() == []


def test_a_revoked_token_stops_working(client, make, db) -> None:
    user = make.user(Role.CAREGIVER)
    db.session.commit()
    token = _post_token(client, user.username).get_json()["token"]
    other = _post_token(client, user.username).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    revoked = client.delete("/api/v1/auth/token", headers=headers)
    check_response("DELETE", "/api/v1/auth/token", revoked)
    assert revoked.status_code == 204
    after = client.get("/api/v1/me/visits", headers=headers)
    check_response("GET", "/api/v1/me/visits", after)
    assert after.status_code == 401
    assert after.headers["WWW-Authenticate"].startswith("Bearer")
    # Only the token used was revoked.
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_an_expired_token_stops_working(app, client, make, db) -> None:
    user = make.user(Role.CAREGIVER)
    db.session.commit()
    token = _post_token(client, user.username).get_json()["token"]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
    app.config["CLOCK"] = lambda: later
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_the_session_cookie_alone_does_not_open_the_api(client, login_as) -> None:
    login_as(Role.CAREGIVER)
    assert client.get("/m/").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_the_phone_pages_token_ends_with_the_web_login(client, login_as, db) -> None:
    login_as(Role.CAREGIVER)
    issued = client.post("/m/token")
    assert issued.status_code == 201
    headers = {"Authorization": f"Bearer {issued.get_json()['token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200

    logout = client.post("/logout")
    assert logout.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_other_pages_do_not_clear_the_phone(client, login_as) -> None:
    login_as(Role.CAREGIVER)
    assert "Clear-Site-Data" not in client.get("/m/").headers


def test_a_deactivated_account_loses_its_tokens(client, make, db) -> None:
    user = make.user(Role.CAREGIVER)
    db.session.commit()
    token = _post_token(client, user.username).get_json()["token"]
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
