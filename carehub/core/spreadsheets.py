"""Writing CSV and XLSX downloads, for every export.

A cell whose text starts with = + - @ (or a tab or carriage return, which some programs
skip before looking) is read by spreadsheet programs as a formula, so an elder's name or
note could run one on the auditor's machine. Such text gets a leading apostrophe, which
spreadsheets show as plain text; the importer takes it off again (``unneutralise``), so an
exported file still re-imports unchanged. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_LEAD):
        return "'" + value
    return value


def unneutralise(text: str) -> str:
    """The text as it was before ``neutralise``."""
    if text.startswith("'") and text[1:].startswith(FORMULA_LEAD):
        return text[1:]
    return text


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    # A BOM, or Excel on a Chinese Windows reads UTF-8 as GBK.
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheet_name: str, rows: Iterable[Sequence[Any]]) -> bytes:
    return xlsx_book([(sheet_name, rows)])


def xlsx_book(sheets: Iterable[tuple[str, Iterable[Sequence[Any]]]]) -> bytes:
    """A workbook of named sheets, in order."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for sheet_name, rows in sheets:
        sheet = book.create_sheet(sheet_name)
        for row in rows:
            sheet.append([neutralise(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
