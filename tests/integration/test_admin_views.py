"""Administration: accounts, the audit log and the coverage page."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from carehub.auth.models import LoginSession, User
from carehub.core.audit import acting_as
from carehub.core.enums import Role
from tests.builders import CENTRE, PASSWORD


@pytest.fixture(autouse=True)
def english(client: FlaskClient) -> None:
    client.get("/lang/en")


def _login(app: Flask, username: str, password: str = PASSWORD) -> FlaskClient:
    other = app.test_client()
    response = other.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, f"{username} could not log in"
    return other


def _user(db, username: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


# --- accounts ----------------------------------------------------------------------------


def test_users_page_lists_accounts_with_role_and_scope(
    client: FlaskClient, login_as, make, db
) -> None:
    station = make.station()
    scoped = make.user(Role.DISPATCHER, station=station)
    login_as(Role.ADMIN)
    page = client.get("/admin/users").get_data(as_text=True)
    assert scoped.username in page and station.name in page and "Dispatcher" in page


def test_admin_creates_a_station_scoped_dispatcher_who_can_log_in(
    app: Flask, client: FlaskClient, login_as, make, db
) -> None:
    station = make.station()
    login_as(Role.ADMIN)
    response = client.post(
        "/admin/users/new",
        data={
            "username": "liu.disp",
            "display_name": "刘调度",
            "role": "dispatcher",
            "caregiver_code": "",
            "station_code": station.code,
            "password": "long-enough-1",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    user = _user(db, "liu.disp")
    assert user is not None and user.station_id == station.id and user.display_name == "刘调度"
    _login(app, "liu.disp", "long-enough-1")


def test_admin_creates_a_caregiver_account_linked_to_its_caregiver(
    client: FlaskClient, login_as, make, db
) -> None:
    caregiver = make.caregiver()
    login_as(Role.ADMIN)
    response = client.post(
        "/admin/users/new",
        data={
            "username": "wang.fang",
            "role": "caregiver",
            "caregiver_code": caregiver.code,
            "station_code": "",
            "password": "long-enough-1",
        },
    )
    assert response.status_code == 302
    user = _user(db, "wang.fang")
    assert user is not None and user.caregiver_id == caregiver.id
    assert user.display_name == caregiver.name
    # Once linked, the caregiver is no longer offered for another account.
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert f'value="{caregiver.code}"' not in page


def test_user_form_errors_are_shown_next_to_the_fields(
    client: FlaskClient, login_as, make, db
) -> None:
    station = make.station()
    admin = login_as(Role.ADMIN)
    before = db.session.scalar(select(func.count(User.id)))
    base = {
        "username": "new.user",
        "role": "auditor",
        "caregiver_code": "",
        "station_code": "",
        "password": "long-enough-1",
    }
    cases = {
        "This username is taken.": {"username": admin.username},
        "Choose the caregiver this account belongs to.": {"role": "caregiver"},
        "Only dispatchers can be limited to a station.": {"station_code": station.code},
        "Use between 8 and 200 characters.": {"password": "short"},
    }
    for message, change in cases.items():
        response = client.post("/admin/users/new", data={**base, **change})
        assert response.status_code == 422, message
        assert message in response.get_data(as_text=True), message
    assert db.session.scalar(select(func.count(User.id))) == before


def test_deactivation_ends_the_users_open_session_at_once(
    app: Flask, client: FlaskClient, login_as, make, db
) -> None:
    target = make.user(Role.DISPATCHER)
    db.session.commit()
    theirs = _login(app, target.username)
    assert theirs.get("/").status_code == 200
    login_as(Role.ADMIN)

    response = client.post(f"/admin/users/{target.id}/deactivate")
    assert response.status_code == 302
    assert theirs.get("/").status_code == 302  # back to the login page
    assert not _user(db, target.username).active  # type: ignore[union-attr]
    open_logins = db.session.scalar(
        select(func.count(LoginSession.id)).where(
            LoginSession.user_id == target.id, LoginSession.ended_at.is_(None)
        )
    )
    assert open_logins == 0
    refused = app.test_client().post(
        "/login", data={"username": target.username, "password": PASSWORD}
    )
    assert refused.status_code == 401

    client.post(f"/admin/users/{target.id}/reactivate")
    assert _user(db, target.username).active  # type: ignore[union-attr]
    _login(app, target.username)


def test_an_admin_cannot_deactivate_themselves(client: FlaskClient, login_as, db) -> None:
    admin = login_as(Role.ADMIN)
    response = client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert _user(db, admin.username).active  # type: ignore[union-attr]
    assert client.get("/").status_code == 200


def test_password_reset_replaces_the_password_and_logs_the_user_out(
    app: Flask, client: FlaskClient, login_as, make, db
) -> None:
    target = make.user(Role.AUDITOR)
    db.session.commit()
    theirs = _login(app, target.username)
    login_as(Role.ADMIN)

    mismatch = client.post(
        f"/admin/users/{target.id}/password",
        data={"password": "brand-new-pass", "confirm": "other-pass-123"},
    )
    assert mismatch.status_code == 422
    assert "The passwords differ." in mismatch.get_data(as_text=True)

    response = client.post(
        f"/admin/users/{target.id}/password",
        data={"password": "brand-new-pass", "confirm": "brand-new-pass"},
    )
    assert response.status_code == 302
    assert theirs.get("/").status_code == 302
    _login(app, target.username, "brand-new-pass")
    old = app.test_client().post("/login", data={"username": target.username, "password": PASSWORD})
    assert old.status_code == 401


# --- audit log ---------------------------------------------------------------------------


def test_audit_page_filters_by_type_id_and_actor_and_shows_before_after(
    client: FlaskClient, login_as, make, db
) -> None:
    with acting_as("cli:import"):
        station = make.station(name="旧站名")
        elder = make.elder(station=station)
        db.session.commit()
    login_as(Role.ADMIN)
    with acting_as("job:nightly"):
        station.name = "新站名"
        db.session.commit()

    page = client.get("/admin/audit", query_string={"entity_type": "Station"}).get_data(
        as_text=True
    )
    assert "旧站名" in page and "新站名" in page
    assert f"/registry/elders/{elder.id}" not in page

    page = client.get(
        "/admin/audit", query_string={"entity_type": "Elder", "entity_id": elder.id}
    ).get_data(as_text=True)
    assert f'href="/registry/elders/{elder.id}"' in page and "旧站名" not in page

    page = client.get("/admin/audit", query_string={"actor": "nightly"}).get_data(as_text=True)
    assert "新站名" in page and "cli:import" not in page
    assert "job:nightly" in page


def test_audit_page_pages(app: Flask, client: FlaskClient, login_as, make, db) -> None:
    app.config["PAGE_SIZE"] = 3
    for _ in range(4):
        make.station()
    db.session.commit()
    login_as(Role.ADMIN)
    page = client.get("/admin/audit?entity_type=Station").get_data(as_text=True)
    assert "4 in total" in page and 'rel="next"' in page


# --- coverage ----------------------------------------------------------------------------


def test_coverage_lists_stations_and_elders_outside_every_circle(
    client: FlaskClient, login_as, make, db
) -> None:
    station = make.station()
    inside = make.elder(station=station)
    outside = make.elder(station=station, lat=CENTRE[0] + 0.3, lon=CENTRE[1])
    login_as(Role.ADMIN)
    page = client.get("/admin/coverage").get_data(as_text=True)
    assert station.code in page
    assert f'href="/registry/elders/{outside.id}"' in page
    assert f'href="/registry/elders/{inside.id}"' not in page


def test_coverage_for_a_scoped_dispatcher_shows_only_their_station(
    client: FlaskClient, login_as, make, db
) -> None:
    mine = make.station()
    other = make.station(lat=CENTRE[0] + 0.5)
    my_far = make.elder(station=mine, lat=CENTRE[0] + 0.3, lon=CENTRE[1])
    their_far = make.elder(station=other, lat=CENTRE[0] - 0.4, lon=CENTRE[1])
    login_as(Role.DISPATCHER, station=mine)
    page = client.get("/admin/coverage").get_data(as_text=True)
    assert my_far.code in page and their_far.code not in page
    assert f'href="/registry/stations/{mine.id}"' in page
    assert f'href="/registry/stations/{other.id}"' not in page
