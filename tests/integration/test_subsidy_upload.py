"""Auditors upload visits from another platform: a dry run previews and writes nothing, a
good file is filed whole, a bad one is refused whole with every problem named by line and
column, and a locked month receives nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import func, select

from carehub.core.enums import Role
from carehub.dispatch.models import Visit
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation.locking import lock_month
from carehub.subsidy.uploads.services import COLUMNS
from tests.integration.subsidy_support import NOW


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"CLOCK": lambda: NOW}


@pytest.fixture
def codes(make, db) -> dict[str, Any]:
    station = make.station()
    elder = make.elder(station=station)
    carer = make.caregiver(station=station, skills=("meal",))
    make.service_type("meal_delivery")
    db.session.commit()
    return {"elder": elder.code, "carer": carer.code, "lat": elder.lat, "lon": elder.lon}


def _row(codes: dict[str, Any], start: str, end: str, **over: object) -> list[object]:
    values = {
        "elder_code": codes["elder"],
        "caregiver_code": codes["carer"],
        "service_code": "meal_delivery",
        "check_in_at": start,
        "check_out_at": end,
        "check_in_lat": codes["lat"],
        "check_in_lon": codes["lon"],
        "check_out_lat": codes["lat"],
        "check_out_lon": codes["lon"],
        **over,
    }
    return [values[c] for c in COLUMNS]


def _csv(rows: list[list[object]]) -> bytes:
    lines = [",".join(COLUMNS)] + [",".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _upload(client: FlaskClient, name: str, data: bytes, dry_run: bool) -> Any:
    form: dict[str, object] = {"file": (io.BytesIO(data), name)}
    if dry_run:
        form["dry_run"] = "y"
    return client.post("/subsidy/import", data=form, content_type="multipart/form-data")


def _visits(db) -> int:
    return db.session.scalar(select(func.count(Visit.id)))


def test_dry_run_previews_then_the_import_files_every_visit(client, login_as, codes, db) -> None:
    login_as(Role.AUDITOR)
    rows = [
        _row(codes, "2026-10-05T11:00:00+08:00", "2026-10-05T11:20:00+08:00"),
        _row(codes, "2026-11-02T11:00:00+08:00", "2026-11-02T11:20:00+08:00"),
    ]
    preview = _upload(client, "visits.csv", _csv(rows), dry_run=True)
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert 'id="import-preview"' in page and "2026-10-05" in page and "2026-11-02" in page
    assert _visits(db) == 0

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    saved = _upload(client, "visits.xlsx", data.getvalue(), dry_run=False)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert _visits(db) == 2
    # The same file again is refused whole: both visits are already recorded.
    again = _upload(client, "visits.csv", _csv(rows), dry_run=False)
    assert again.status_code == 422
    assert _visits(db) == 2


def test_bad_rows_are_named_by_line_and_column_and_nothing_is_written(
    client, login_as, codes, db
) -> None:
    login_as(Role.ADMIN)
    rows = [
        _row(codes, "2026-10-05T11:00:00+08:00", "2026-10-05T11:20:00+08:00"),
        _row(codes, "2026-10-06T11:00:00", "2026-10-06T11:20:00+08:00"),
        _row(
            codes,
            "2026-10-07T11:30:00+08:00",
            "2026-10-07T11:00:00+08:00",
            check_in_lat=10,
            caregiver_code="NOPE",
        ),
    ]
    response = _upload(client, "visits.csv", _csv(rows), dry_run=False)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for line, column in (
        (3, "check_in_at"),
        (4, "caregiver_code"),
        (4, "check_out_at"),
        (4, "check_in_lat"),
    ):
        assert f"<td>{line}</td><td>{column}</td>" in page, (line, column)
    assert "<td>2</td>" not in page  # the good row is not blamed
    assert _visits(db) == 0


def test_a_locked_month_receives_nothing(client, login_as, codes, db) -> None:
    user = login_as(Role.AUDITOR)
    lock_month(db.session, Month(2026, 10), user.id)
    db.session.commit()
    rows = [
        _row(codes, "2026-11-03T11:00:00+08:00", "2026-11-03T11:20:00+08:00"),
        _row(codes, "2026-10-31T23:30:00+08:00", "2026-11-01T00:10:00+08:00"),
    ]
    response = _upload(client, "visits.csv", _csv(rows), dry_run=True)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<td>3</td><td>check_in_at</td>" in page and "2026-10" in page
    assert _visits(db) == 0


def test_the_upload_needs_a_spreadsheet_and_an_auditor(client, login_as, codes) -> None:
    login_as(Role.AUDITOR)
    assert client.get("/subsidy/import").status_code == 200
    assert _upload(client, "visits.pdf", b"%PDF", dry_run=True).status_code == 422
    missing = client.post("/subsidy/import", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422
    client.post("/logout")
    login_as(Role.DISPATCHER)
    assert client.get("/subsidy/import").status_code == 403


def test_the_command_files_a_good_file_and_refuses_a_bad_one_whole(
    app, codes, db, tmp_path
) -> None:
    from carehub.cli import main

    good = [_row(codes, "2026-10-05T11:00:00+08:00", "2026-10-05T11:20:00+08:00")]
    bad = [*good, _row(codes, "2026-10-06T11:00:00", "2026-10-06T11:20:00+08:00")]
    runner = app.test_cli_runner()
    (tmp_path / "bad.csv").write_bytes(_csv(bad))
    refused = runner.invoke(main, ["import", "visits", str(tmp_path / "bad.csv")])
    assert refused.exit_code == 1 and "check_in_at" in refused.output
    assert _visits(db) == 0
    (tmp_path / "good.csv").write_bytes(_csv(good))
    filed = runner.invoke(main, ["import", "visits", str(tmp_path / "good.csv")])
    assert filed.exit_code == 0, filed.output
    db.session.rollback()
    assert _visits(db) == 1
