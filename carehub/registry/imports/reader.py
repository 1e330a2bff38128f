"""Spreadsheet bytes to rows of text cells, each with the line number a spreadsheet shows.

CSV may be UTF-8 (with or without the BOM Excel adds) or GBK, which Excel on a Chinese
Windows writes when told "CSV"; GB18030 is decoded as a superset of GBK.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from carehub.core.spreadsheets import unneutralise

_BOM = b"\xef\xbb\xbf"
_XLSX_MAGIC = b"PK\x03\x04"


class ReadError(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Sheet:
    header_line: int
    header: list[str]
    rows: list[Row]


def read(filename: str, data: bytes) -> Sheet:
    """Decode a CSV or XLSX file; blank lines are skipped but still counted."""
    if filename.lower().endswith(".xlsx") or data.startswith(_XLSX_MAGIC):
        return _sheet(_xlsx_records(data))
    records = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        return _sheet(records)
    except csv.Error:
        # Only an absurdly long cell (over 128 KiB) gets here: csv accepts anything else.
        raise ReadError(records.line_num, _("The file is not readable as CSV")) from None


def _decode(data: bytes) -> str:
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            line = data.count(b"\n", 0, utf8_error.start) + 1
            raise ReadError(line, _("The file is neither UTF-8 nor GBK text")) from None


def _xlsx_records(data: bytes) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; the cells are what matter.
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                return list(book.worksheets[0].iter_rows(values_only=True))
            finally:
                book.close()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError):
        raise ReadError(1, _("The file is not a readable XLSX workbook")) from None


def _cell(value: Any) -> str:
    """Cell text as a person typed it: whole floats lose their '.0', times their seconds."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return unneutralise(str(value).strip())


def _sheet(records: Iterable[Sequence[Any]]) -> Sheet:
    header_line = 0
    header: list[str] = []
    rows: list[Row] = []
    for line, record in enumerate(records, start=1):
        cells = [_cell(value) for value in record]
        if not any(cells):
            continue
        if not header:
            header_line, header = line, [c.strip().lower() for c in cells]
            continue
        named = {name: value for name, value in zip(header, cells, strict=False) if name}
        rows.append(Row(line, named))
    if not header:
        raise ReadError(1, _("The file is empty"))
    return Sheet(header_line, header, rows)
