"""The built wheel is the whole product: in a fresh virtualenv it migrates, seeds its
defaults and serves pages with their templates, static files and translations."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# It touches no test database, so `make test` runs it once, in the SQLite pass.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("CAREHUB_TEST_DATABASE_URL")),
        reason="database-independent; runs in the SQLite pass",
    ),
]

SERVE = """
import sys
from pathlib import Path

import carehub
from carehub.app import create_app

# The installed copy, not the checkout.
assert Path(carehub.__file__).resolve().is_relative_to(Path(sys.prefix).resolve()), carehub.__file__
client = create_app().test_client()
login = client.get("/login")
assert login.status_code == 200, login.status_code
assert "登录" in login.get_data(as_text=True)  # the Chinese catalogue was found
assert client.get("/static/favicon.svg").status_code == 200
print("served")
"""


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_wheel_installs_initialises_and_serves(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAREHUB_", "PYTHON"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        tmp_path,
        env,
    )
    (wheel,) = tmp_path.glob("carehub-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for expected in (
        "carehub/_share/templates/base.html",
        "carehub/_share/migrations/env.py",
        "carehub/_share/seed/demo_stations.csv",
        "carehub/static/favicon.svg",
        "carehub/translations/zh/LC_MESSAGES/messages.mo",
    ):
        assert expected in names, expected

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path, env)
    _run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], tmp_path, env)
    env["CAREHUB_DATABASE_URL"] = f"sqlite:///{tmp_path / 'carehub.sqlite3'}"
    _run([str(venv / "bin" / "carehub"), "init"], tmp_path, env)
    assert "served" in _run([str(venv / "bin" / "python"), "-c", SERVE], tmp_path, env)
