"""Password policy, and a reset or deactivation ending every session and API token."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from carehub.admin import accounts
from carehub.auth import services, tokens
from carehub.core.enums import Role
from tests.builders import Builders


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("12345678", True),
        ("Password1", True),
        ("aaaaaaaaaa", True),
        ("short", True),
        ("correct-horse-42", False),
        ("雨天骑车去送饭", True),
        ("雨天骑车去送饭了吧", False),
    ],
)
def test_password_policy(app, password: str, refused: bool) -> None:
    assert (services.password_problem(password) is not None) == refused


def test_creating_a_user_with_a_common_password_is_refused(make: Builders, db) -> None:
    with pytest.raises(services.AccountError):
        services.create_user(db.session, username="li", role=Role.ADMIN, password="12345678")


def _token(make: Builders, db, role: Role = Role.CAREGIVER):
    user = make.user(role)
    token, _row = tokens.issue(db.session, user)
    db.session.commit()
    return user, {"Authorization": f"Bearer {token}"}


def test_a_password_reset_revokes_the_users_api_tokens(
    client: FlaskClient, make: Builders, db
) -> None:
    user, headers = _token(make, db)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    accounts.reset_password(db.session, user, "a-new-long-one-77", end_sessions=False)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_deactivation_revokes_the_users_api_tokens(client: FlaskClient, make: Builders, db) -> None:
    user, headers = _token(make, db)
    services.deactivate(db.session, user)
    db.session.commit()
    user.active = True  # even reactivated, the old token stays dead
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_reset_to_a_common_password_is_refused(make: Builders, db) -> None:
    user = make.user(Role.ADMIN)
    with pytest.raises(services.AccountError):
        accounts.reset_password(db.session, user, "qwertyuiop", end_sessions=True)


def test_a_dispatcher_revokes_their_own_token(client: FlaskClient, make: Builders, db) -> None:
    _user, headers = _token(make, db, Role.DISPATCHER)
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    response = client.post("/api/v1/emergencies", json={"elder_code": "x"}, headers=headers)
    assert response.status_code == 401
