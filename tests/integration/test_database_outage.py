"""PostgreSQL stopped under a running application: pages answer 503 with a translated
message page, the API answers JSON 503, nothing is half written; started again, the same
application answers 200 without a restart (the pool tests its connections before use).

Runs on a private server of its own (``scripts/private-postgres``), never on the shared
test database, since it stops the server; skipped where PostgreSQL is not installed."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from carehub.app import PROJECT_ROOT, create_app
from carehub.core.enums import Role
from carehub.extensions import db
from carehub.fieldwork.models import VisitEvent
from carehub.seeding.defaults import load_defaults
from tests.builders import PASSWORD, Builders
from tests.conftest import base_config
from tests.phone import Phone, make_phone, new_key, phone_time, published_visit

SCRIPT = str(PROJECT_ROOT / "scripts" / "private-postgres")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="carehub-outage-")
        self.port = _free_port()
        self.url = ""

    def start(self) -> str:
        done = subprocess.run(
            ["bash", SCRIPT, "start", self.dir, str(self.port)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        self.url = done.stdout.strip()
        return self.url

    def stop(self) -> None:
        subprocess.run(["bash", SCRIPT, "stop", self.dir], capture_output=True, timeout=60)

    def remove(self) -> None:
        subprocess.run(["bash", SCRIPT, "remove", self.dir], capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    if not list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")):
        pytest.skip("PostgreSQL's server binaries are not installed")
    found = Server()
    try:
        found.start()
        yield found
    finally:
        found.remove()


@pytest.fixture
def outage_app(server: Server, tmp_path: Path) -> Iterator[Flask]:
    app = create_app({**base_config(server.url, tmp_path), "TESTING": False})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        load_defaults(db.session)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def _setup(app: Flask) -> tuple[Phone, int, str]:
    with app.app_context():
        make = Builders(db.session)
        admin = make.user(Role.ADMIN)
        phone = make_phone(app, make)
        visit = published_visit(make, phone)
        db.session.commit()
        return phone, visit.id, admin.username


def test_postgres_down_is_503_everywhere_and_back_without_a_restart(  # type: ignore[no-untyped-def]
    server: Server, outage_app: Flask
) -> None:
    phone, visit_id, admin = _setup(outage_app)
    web = outage_app.test_client()
    assert web.post("/login", data={"username": admin, "password": PASSWORD}).status_code == 302
    assert web.get("/").status_code == 200
    assert phone.get("/api/v1/me/visits").status_code == 200
    check_in = {
        "type": "check_in",
        "idempotency_key": new_key(),
        "recorded_at": phone_time(11, 5),
    }

    server.stop()
    try:
        page = web.get("/")
        assert page.status_code == 503
        assert page.headers["Retry-After"].isdigit()
        html = page.get_data(as_text=True)
        assert "数据库繁忙或无法连接" in html  # the interface's default language
        assert "Traceback" not in html and "psycopg" not in html
        english = web.get("/", headers={"Accept-Language": "en"})
        assert english.status_code == 503
        answer = phone.client.get("/api/v1/me/visits", headers=phone.headers)
        assert answer.status_code == 503 and answer.mimetype == "application/json"
        assert answer.get_json()["status"] == 503
        posted = phone.client.post(
            f"/api/v1/visits/{visit_id}/events", json=check_in, headers=phone.headers
        )
        assert posted.status_code == 503 and posted.get_json()["status"] == 503
        login = outage_app.test_client().post(
            "/login", data={"username": admin, "password": PASSWORD}
        )
        assert login.status_code == 503
    finally:
        server.start()

    assert web.get("/").status_code == 200
    assert phone.get("/api/v1/me/visits").status_code == 200
    with outage_app.app_context():
        assert db.session.scalar(select(func.count(VisitEvent.id))) == 0
    # The check-in the outage refused was not kept half-way: sent again it is new, not a replay.
    again = phone.post(f"/api/v1/visits/{visit_id}/events", json=check_in)
    assert again.status_code == 201, again.get_data(as_text=True)
    assert "Idempotent-Replayed" not in again.headers
