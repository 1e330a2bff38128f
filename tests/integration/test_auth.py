"""Login, logout and the end of a session for real."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from carehub.auth.models import User
from carehub.auth.services import deactivate
from carehub.core.audit import AuditLog
from carehub.core.enums import Role
from tests.builders import PASSWORD


def test_anonymous_user_is_sent_to_login(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_wrong_password_is_refused_with_a_message(client: FlaskClient, make, db) -> None:  # type: ignore[no-untyped-def]
    user = make.user(Role.DISPATCHER)
    db.session.commit()
    response = client.post("/login", data={"username": user.username, "password": "nope-nope"})
    assert response.status_code == 401
    assert "Wrong username or password" in response.get_data(
        as_text=True
    ) or "用户名或密码错误" in response.get_data(as_text=True)


def test_login_then_logout_and_the_old_cookie_no_longer_works(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.DISPATCHER)
    assert client.get("/").status_code == 200
    saved = client.get_cookie("session")
    assert saved is not None
    client.post("/logout")
    assert client.get("/").status_code == 302
    # Replay the cookie captured while logged in: the session row is closed, so it fails.
    client.set_cookie("session", saved.value)
    assert client.get("/").status_code == 302


def test_deactivation_ends_open_sessions(client: FlaskClient, login_as, db) -> None:  # type: ignore[no-untyped-def]
    user = login_as(Role.AUDITOR)
    assert client.get("/").status_code == 200
    deactivate(db.session, db.session.get(User, user.id))
    db.session.commit()
    assert client.get("/").status_code == 302


def test_open_redirect_after_login_is_refused(client: FlaskClient, make, db) -> None:  # type: ignore[no-untyped-def]
    user = make.user(Role.ADMIN)
    db.session.commit()
    response = client.post(
        "/login?next=https://evil.example/", data={"username": user.username, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_login_and_logout_are_audited(client: FlaskClient, login_as, db) -> None:  # type: ignore[no-untyped-def]
    user = login_as(Role.ADMIN)
    client.post("/logout")
    actions = db.session.scalars(
        select(AuditLog.action).where(AuditLog.entity_type == "User", AuditLog.entity_id == user.id)
    ).all()
    assert "login" in actions and "logout" in actions


def test_csrf_token_is_required_on_forms(database_url: str, tmp_path, make, db) -> None:  # type: ignore[no-untyped-def]
    from carehub.app import create_app

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x", "TESTING": True})
    user = make.user(Role.ADMIN)
    db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400


def test_a_caregiver_lands_on_todays_route(client: FlaskClient, make, db) -> None:  # type: ignore[no-untyped-def]
    user = make.user(Role.CAREGIVER)
    admin = make.user(Role.ADMIN)
    db.session.commit()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.headers["Location"] == "/m/"
    client.post("/logout")
    response = client.post("/login", data={"username": admin.username, "password": PASSWORD})
    assert response.headers["Location"] == "/"
