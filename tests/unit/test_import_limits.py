"""Hostile spreadsheets are refused with a message, read within bounds: a zip bomb, a sheet
whose size runs to the last column, too many rows, a CSV with a 10 MB cell."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from carehub.registry.imports import reader
from carehub.registry.imports.reader import ReadError, read


def _xlsx(rows: list[list[object]], far_cell: bool = False) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if far_cell:
        for line in range(1, len(rows) + 1):
            sheet.cell(row=line, column=16384, value="x")  # column XFD, the last one
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_sheet_running_to_the_last_column_is_read_as_wide_as_its_header() -> None:
    data = _xlsx([["code", "name"], *[[f"E{n}", "张"] for n in range(200)]], far_cell=True)
    records = reader._xlsx_records(data)
    assert len(records[0]) == 2
    assert all(len(r) == 2 for r in records[1:])
    sheet = read("elders.xlsx", data)
    assert len(sheet.rows) == 200 and sheet.rows[0].cells == {"code": "E0", "name": "张"}


def test_a_workbook_unpacking_past_the_limit_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(reader, "MAX_UNPACKED_BYTES", 2_000)
    with pytest.raises(ReadError, match="unpacks"):
        read("elders.xlsx", _xlsx([["code"], ["E1"]]))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_too_many_rows_are_refused_naming_the_line(monkeypatch, fmt: str) -> None:
    monkeypatch.setattr(reader, "MAX_ROWS", 5)
    rows = [["code"], *[[f"E{n}"] for n in range(10)]]
    data = _xlsx(rows) if fmt == "xlsx" else "\n".join(r[0] for r in rows).encode()
    with pytest.raises(ReadError) as caught:
        read(f"elders.{fmt}", data)
    assert caught.value.line == 6


def test_rows_within_the_limit_are_read(monkeypatch) -> None:
    monkeypatch.setattr(reader, "MAX_ROWS", 11)
    rows = [["code"], *[[f"E{n}"] for n in range(10)]]
    assert len(read("elders.xlsx", _xlsx(rows)).rows) == 10


def test_a_csv_with_a_10_mb_cell_is_refused() -> None:
    data = b"code,notes\nE1," + b"x" * 10_000_000 + b"\n"
    with pytest.raises(ReadError, match="CSV"):
        read("elders.csv", data)
