"""The app factory, configuration sources and SQLite settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from carehub.app import create_app
from carehub.config import from_environment
from carehub.extensions import db


def test_config_overrides_defaults(tmp_path: Path) -> None:
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "SECRET_KEY": "k"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")
    assert app.config["TIMEZONE"] == "Asia/Shanghai"
    assert not app.testing


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREHUB_TIMEZONE", "Asia/Urumqi")
    monkeypatch.setenv("CAREHUB_DETOUR_FACTOR", "1.5")
    monkeypatch.setenv("CAREHUB_GEOCODER", "fake")
    found = from_environment()
    assert found["TIMEZONE"] == "Asia/Urumqi"
    assert found["DETOUR_FACTOR"] == 1.5
    assert found["GEOCODER"] == "fake"


def test_secret_key_is_generated_once_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from carehub import config

    monkeypatch.delenv("CAREHUB_SECRET_KEY", raising=False)
    first = config.instance_secret_key(tmp_path)
    second = config.instance_secret_key(tmp_path)
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").read_text() == first


def test_sqlite_runs_with_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "SECRET_KEY": "k"})
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()
