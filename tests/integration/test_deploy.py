"""docs/deploy.md's files: the systemd units parse and name commands and options that exist,
the example settings are settings CareHub reads, the doc shows the files as they are, and
gunicorn started as carehub-web.service starts it serves the login page and static files."""

from __future__ import annotations

import configparser
import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask import request

from carehub.app import PROJECT_ROOT
from carehub.cli import main
from carehub.config import DEFAULTS, ENV_PREFIX
from tests.conftest import second_app

DEPLOY = PROJECT_ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
DOC = (PROJECT_ROOT / "docs" / "deploy.md").read_text()
WEB_SERVER_KEYS = {
    "BIND",
    "WEB_WORKERS",
    "WEB_THREADS",
    "WEB_TIMEOUT",
    "WEB_MAX_REQUESTS",
    "FORWARDED_ALLOW_IPS",
    "LOG_LEVEL",
}


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text())
    return parser


def _settings() -> dict[str, str]:
    found = {}
    for line in (DEPLOY / "carehub.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            found[key] = value
    return found


def test_there_is_a_unit_for_the_web_the_workers_and_the_scheduler() -> None:
    assert [u.name for u in UNITS] == [
        "carehub-scheduler.service",
        "carehub-solver.service",
        "carehub-web.service",
        "carehub-worker.service",
    ]


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_each_unit_parses_and_runs_a_command_that_exists(path: Path) -> None:
    unit = _unit(path)
    assert set(unit.sections()) == {"Unit", "Service", "Install"}
    service = unit["Service"]
    assert service["EnvironmentFile"] == "/etc/carehub/carehub.env"
    assert service["WorkingDirectory"] == "/opt/carehub"
    assert service["User"] == "carehub" and service["Restart"] == "on-failure"
    # systemd's "%%" is a literal "%"; what is left must be a command line.
    argv = shlex.split(service["ExecStart"].replace("%%", "%"))
    program = Path(argv[0])
    assert program.parent == Path("/opt/carehub/.venv/bin")
    if program.name == "gunicorn":
        assert argv[1:] == ["-c", "gunicorn.conf.py", "wsgi:app"]
        return
    assert program.name == "carehub"
    command = main.commands.get(argv[1])
    assert command is not None, argv[1]
    # click parses the options as the command would, without running it.
    command.make_context(argv[1], argv[2:])


def test_every_example_setting_is_one_carehub_reads() -> None:
    for key in _settings():
        assert key.startswith(ENV_PREFIX), key
        name = key.removeprefix(ENV_PREFIX)
        assert name in DEFAULTS or name in WEB_SERVER_KEYS, key


def test_the_doc_shows_the_files_as_they_are() -> None:
    web = (DEPLOY / "systemd" / "carehub-web.service").read_text()
    assert f"```ini\n{web}```" in DOC
    for path in UNITS:
        assert _unit(path)["Service"]["ExecStart"] in DOC, path.name
    settings = (DEPLOY / "carehub.env.example").read_text()
    assert "\n".join(settings.splitlines()[1:]) in DOC  # all but the file's own name
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert "\n".join(nginx.splitlines()[1:]) in DOC
    for name in WEB_SERVER_KEYS:
        assert (
            f"`CAREHUB_{name}`" in DOC
            and f"CAREHUB_{name}" in (PROJECT_ROOT / "gunicorn.conf.py").read_text()
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, seconds: float = 60) -> tuple[int, bytes]:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_gunicorn_started_as_the_web_unit_serves_pages_and_static_files(
    database_url: str, tmp_path: Path
) -> None:
    unit = _unit(DEPLOY / "systemd" / "carehub-web.service")
    argv = shlex.split(unit["Service"]["ExecStart"])
    argv[0] = str(Path(sys.executable).parent / "gunicorn")
    port = _free_port()
    env = dict(os.environ)
    env.update(_settings())
    env.update(
        {
            "CAREHUB_DATABASE_URL": database_url,  # migrated by the session's fixture
            "CAREHUB_BIND": f"127.0.0.1:{port}",
            "CAREHUB_WEB_WORKERS": "2",
            "CAREHUB_BROKER_URL": "",
            "CAREHUB_HTTPS": "",
        }
    )
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(argv, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        status, body = _get(f"http://127.0.0.1:{port}/login")
        assert status == 200 and b'name="password"' in body
        status, body = _get(f"http://127.0.0.1:{port}/static/favicon.svg")
        assert status == 200 and body.startswith(b"<svg")
    finally:
        server.terminate()
        server.wait(40)
        log.close()
    text = (tmp_path / "gunicorn.log").read_text()
    assert "Using worker: gthread" in text and "development server" not in text


@pytest.mark.parametrize(("proxies", "seen"), [(0, "http 10.0.0.9"), (1, "https 203.0.113.7")])
def test_the_client_address_and_scheme_come_from_as_many_proxies_as_configured(
    database_url: str, tmp_path: Path, proxies: int, seen: str
) -> None:
    config = {"DATABASE_URL": database_url, "SECRET_KEY": "x", "PROXY_COUNT": proxies}
    with second_app(config) as app:
        app.add_url_rule("/_seen", "seen", lambda: f"{request.scheme} {request.remote_addr}")
        headers = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7", "X-Forwarded-Proto": "https"}
        response = app.test_client().get(
            "/_seen", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.9"}
        )
        assert response.get_data(as_text=True) == seen
