"""Shared fixtures.

The schema is built once per run by the real Alembic history (so every run also proves the
migrations work). Each test then starts from an empty database holding only the default
catalogue, against SQLite by default or PostgreSQL when ``CAREHUB_TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import MetaData, text

from carehub.app import create_app
from carehub.core.enums import Role
from carehub.extensions import db as _db
from carehub.seeding.defaults import load_defaults
from tests.builders import PASSWORD, Builders


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("CAREHUB_TEST_DATABASE_URL")
    return url or f"sqlite:///{tmp_root / 'test.sqlite3'}"


def base_config(url: str, tmp_root: Path) -> dict[str, object]:
    return {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "GEOCODER": "fake",
    }


@contextmanager
def second_app(config: dict[str, object]) -> Iterator[Flask]:
    """Another app on the same database, as another web worker would be; its connection
    pool is closed afterwards (PostgreSQL warns of connections left to the collector)."""
    app = create_app(config)
    try:
        yield app
    finally:
        with app.app_context():
            _db.engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("db")
    url = _database_url(root)
    app = create_app(base_config(url, root))
    with app.app_context():
        from flask_migrate import downgrade, upgrade

        # Drop what the database holds, not what the models list: a reused PostgreSQL
        # database may keep tables an older schema had, and they would block the drops.
        with _db.engine.begin() as conn:
            found = MetaData()
            found.reflect(conn)
            found.drop_all(conn)
        upgrade()
        # Down and up again: every revision's downgrade must work too.
        downgrade(revision="base")
        upgrade()
        _db.engine.dispose()
    return url


def _empty_all_tables() -> None:
    # DELETE, not TRUNCATE: on PostgreSQL, TRUNCATE of every table costs ~0.4 s per test,
    # twenty times as much as deleting the few rows a test leaves.
    for table in reversed(_db.metadata.sorted_tables):
        _db.session.execute(table.delete())
    if _db.engine.dialect.name == "postgresql":
        # Ids restart at 1 as they do on SQLite once its tables are empty.
        _db.session.execute(
            text(
                "SELECT setval(c.oid, 1, false) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
            )
        )
    _db.session.commit()


@pytest.fixture
def app_config() -> dict[str, object]:
    """Override in a test module to change settings for its app."""
    return {}


@pytest.fixture
def app(database_url: str, tmp_path: Path, app_config: dict[str, object]) -> Iterator[Flask]:
    config = base_config(database_url, tmp_path)
    config.update(app_config)
    application = create_app(config)

    @application.before_request
    def _fresh_login_state() -> None:
        # Requests in tests reuse the fixture's app context, and with it ``g``; drop the
        # user Flask-Login cached and the locale Flask-Babel chose, so each request decides
        # both afresh as production does.
        g.pop("_login_user", None)
        g.pop("_flask_babel", None)

    with application.app_context():
        _empty_all_tables()
        load_defaults(_db.session)
        _db.session.commit()
        yield application
        _db.session.rollback()
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app: Flask):  # type: ignore[no-untyped-def]
    return _db


@pytest.fixture
def make(app: Flask) -> Builders:
    return Builders(_db.session)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def login_as(client: FlaskClient, make: Builders) -> Callable[..., object]:
    """Create a user of the role and log in through the real login form."""

    def _login(role: Role | str = Role.ADMIN, **kw: object):  # type: ignore[no-untyped-def]
        user = make.user(Role(role), **kw)
        _db.session.commit()
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return _login
