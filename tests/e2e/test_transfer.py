"""The import page in Chromium: an administrator uploads a stations file and reads the counts;
a file with a bad row shows the row and column and imports nothing."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from carehub.extensions import db
from carehub.registry.models import Station
from tests.e2e.support import log_in

HEADER = "code,name,address,lat,lon"


def _upload(page: Any, name: str, text: str) -> None:
    page.goto("/admin/data/")
    page.locator("#entity").select_option("stations")
    page.set_input_files(
        "#file", files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}]
    )
    with page.expect_navigation():
        page.click("main form button.primary")


def _stored(live_server: Any, code: str) -> bool:
    with live_server.app.app_context():
        found = db.session.scalar(select(Station.id).where(Station.code == code))
        db.session.remove()
    return found is not None


def test_an_administrator_imports_stations_and_reads_the_counts(
    page: Any, live_server: Any, make_user: Any
) -> None:
    code = f"E2E{uuid.uuid4().hex[:6].upper()}"
    log_in(page, make_user("admin"))
    _upload(page, "stations.csv", f"{HEADER}\n{code},导入测试站,南京路,39.1175,117.195\n")
    counts = page.locator("#import-result .stats strong").all_inner_texts()
    assert counts == ["1", "0", "0"]
    assert _stored(live_server, code)


def test_a_bad_row_is_named_and_nothing_is_imported(
    page: Any, live_server: Any, make_user: Any
) -> None:
    good, bad = (f"E2E{uuid.uuid4().hex[:6].upper()}" for _ in range(2))
    log_in(page, make_user("admin"))
    rows = f"{good},好站,南京路,39.1175,117.195\n{bad},坏站,路,39.1,abc\n"
    _upload(page, "stations.csv", f"{HEADER}\n{rows}")
    cells = page.locator("#import-errors tbody tr").first.locator("td").all_inner_texts()
    assert cells[:2] == ["3", "lon"]
    assert page.locator("#import-result .stats").count() == 0
    assert not _stored(live_server, good) and not _stored(live_server, bad)
