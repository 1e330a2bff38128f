"""Browser tests: the app behind a real HTTP server in a thread, driven by Chromium.

The live server gets its own database (a SQLite file, or a sibling ``<name>_e2e`` database
on the PostgreSQL server), because the shared test database is emptied before every test
and would lose rows the server is still using.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, got_request_exception
from sqlalchemy import create_engine, make_url, text
from werkzeug.serving import make_server

from carehub.app import create_app
from carehub.core.enums import Role
from carehub.extensions import db
from carehub.seeding.defaults import load_defaults
from tests.builders import PASSWORD, Builders
from tests.e2e.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    HOME,
    PHONE,
    TIMEOUT_MS,
    Account,
)

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items; mark only the ones in this folder.
    for item in items:
        if HERE in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@dataclass
class LiveServer:
    app: Flask
    url: str
    errors: list[BaseException] = field(default_factory=list)


def _e2e_database_url(tmp_root: Path) -> str:
    shared = os.environ.get("CAREHUB_TEST_DATABASE_URL")
    if not shared:
        return f"sqlite:///{tmp_root / 'e2e.sqlite3'}"
    base = make_url(shared)
    target = base.set(database=f"{base.database}_e2e")
    # Recreate rather than reuse, so a run never sees an earlier run's rows or schema.
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    name = target.database
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        raise RuntimeError(
            f"cannot create the browser tests' database {name!r}; "
            "the test role needs CREATEDB (scripts/start-test-postgres grants it)"
        ) from exc
    finally:
        engine.dispose()
    return target.render_as_string(hide_password=False)


def _closes_its_body(app: Any) -> Any:
    """``app`` with each response body closed as soon as it has been sent.

    werkzeug's development server closes a body only after draining the socket, and that
    raises when the browser has dropped the connection (Chromium cancels a favicon request
    when the page navigates). The static file was then left to the garbage collector, and its
    ResourceWarning failed whichever test was running when it was collected."""

    def wsgi(environ: Any, start_response: Any) -> Iterator[bytes]:
        body = app(environ, start_response)
        try:
            yield from body
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return wsgi


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from flask_migrate import upgrade

    url = _e2e_database_url(tmp_path_factory.mktemp("e2e-db"))
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "e2e-secret",
            "GEOCODER": "fake",
            "TESTING": False,
            # Tasks run inside the request that sends them: the browser sees the same pages
            # (tests/integration/test_worker_tasks.py runs them through real workers).
            "TASKS_EAGER": True,
        }
    )
    with app.app_context():
        upgrade()
        load_defaults(db.session)
        db.session.commit()
        db.session.remove()

    server = make_server("127.0.0.1", 0, _closes_its_body(app), threaded=True)
    live = LiveServer(app, f"http://127.0.0.1:{server.server_port}")

    # Without this a server-side exception only shows up as a 500 page in the browser.
    def _record(sender: Flask, exception: BaseException, **extra: Any) -> None:
        live.errors.append(exception)

    got_request_exception.connect(_record, app, weak=False)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield live
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        reason = f"no Chromium at {CHROMIUM} (run scripts/ensure-chromium, or set CAREHUB_CHROMIUM)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def viewport() -> dict[str, int]:
    """Override with ``@pytest.mark.parametrize("viewport", [PHONE])`` for a phone screen."""
    return DESKTOP


@contextmanager
def _browser_page(browser: Any, live_server: LiveServer, **options: Any) -> Iterator[Any]:
    """A page in a browser context of its own; the test fails when the server raised while
    it ran, even when the page in the browser looks fine."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
    context.set_default_timeout(TIMEOUT_MS)
    live_server.errors.clear()
    try:
        yield context.new_page()
    finally:
        context.close()
    assert not live_server.errors, f"the server raised: {live_server.errors!r}"


@pytest.fixture
def page(browser: Any, live_server: LiveServer, viewport: dict[str, int]) -> Iterator[Any]:
    phone = viewport["width"] < 600
    with _browser_page(
        browser, live_server, viewport=viewport, is_mobile=phone, has_touch=phone
    ) as opened:
        yield opened


@pytest.fixture
def phone_page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A phone's page of its own (360 px, touch, Shanghai's clock) that reports its place as
    ``HOME``, for a caregiver's side of a test that has another user in ``page``."""
    with _browser_page(
        browser,
        live_server,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        timezone_id="Asia/Shanghai",
        geolocation={"latitude": HOME[0], "longitude": HOME[1], "accuracy": 12},
        permissions=["geolocation"],
    ) as opened:
        yield opened


@pytest.fixture
def make_user(live_server: LiveServer) -> Callable[..., Account]:
    """Create an account in the live server's database; caregivers get a linked Caregiver."""

    def _make(role: Role | str, **kw: Any) -> Account:
        with live_server.app.app_context():
            user = Builders(db.session).user(Role(role), **kw)
            db.session.commit()
            code = user.caregiver.code if user.caregiver else None
            account = Account(user.username, PASSWORD, user.display_name, Role(role), code)
            db.session.remove()
        return account

    return _make


@pytest.fixture
def morning(live_server: LiveServer) -> Iterator[None]:
    """The live server's clock at 07:00 of today: planning today starts from now, so a test
    that plans today sees the whole day ahead whenever it runs."""
    from carehub.core.time import local_to_utc, local_today

    at = local_to_utc(local_today(), dt.time(7))
    live_server.app.config["CLOCK"] = lambda: at
    try:
        yield
    finally:
        live_server.app.config.pop("CLOCK", None)
