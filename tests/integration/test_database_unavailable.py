"""A database locked beyond the busy timeout, or unreachable, answers 503 with Retry-After
(the health check too), writes nothing, and logs no SQL parameters."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from carehub.app import create_app
from carehub.auth.models import LoginSession
from carehub.core.enums import Role
from carehub.extensions import db as _db
from tests.builders import PASSWORD
from tests.conftest import base_config


def test_an_unreachable_database_is_503_on_the_health_check(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'x.sqlite3'}"
    app = create_app({**base_config(url, tmp_path), "TESTING": False})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()


def test_a_locked_database_is_503_and_nothing_is_written(
    app: Flask, client: FlaskClient, make, database_url: str
) -> None:  # type: ignore[no-untyped-def]
    if not database_url.startswith("sqlite"):
        pytest.skip("the write lock is SQLite's")
    username = make.user(Role.ADMIN).username
    _db.session.commit()
    _db.session.close()
    blocker = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    blocker.execute("BEGIN IMMEDIATE")  # holds the write lock past the busy timeout
    try:
        response = client.post("/login", data={"username": username, "password": PASSWORD})
    finally:
        blocker.rollback()
        blocker.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert _db.session.scalars(select(LoginSession)).all() == []


def test_sql_parameters_stay_out_of_errors(app: Flask) -> None:
    assert _db.engine.hide_parameters
