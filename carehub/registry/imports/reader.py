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


# Far beyond any district's registry, far below what exhausts a web worker.
MAX_ROWS = 200_000
MAX_COLUMNS = 200
MAX_UNPACKED_BYTES = 200_000_000


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


def _check_zip(data: bytes) -> None:
    """Refuse a workbook that unpacks to far more than any real import (a zip bomb)
    before openpyxl inflates any of it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    if unpacked > MAX_UNPACKED_BYTES:
        raise ReadError(
            1,
            _(
                "The workbook unpacks to %(mb)d MB, more than the %(max)d MB allowed.",
                mb=unpacked // 1_000_000,
                max=MAX_UNPACKED_BYTES // 1_000_000,
            ),
        )


def _xlsx_records(data: bytes) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    try:
        _check_zip(data)
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; the cells are what matter.
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                return _bounded_rows(book.worksheets[0])
            finally:
                book.close()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError):
        raise ReadError(1, _("The file is not a readable XLSX workbook")) from None


def _bounded_rows(sheet: Any) -> list[tuple[Any, ...]]:
    """Rows read only as wide as the header: a sheet whose stated size runs to the last
    column would otherwise have every row padded to 16,384 cells. Streamed, and refused
    past MAX_ROWS."""
    records: list[tuple[Any, ...]] = []
    width = MAX_COLUMNS
    for line, record in enumerate(sheet.iter_rows(values_only=True, max_col=width), start=1):
        if line > MAX_ROWS:
            raise ReadError(line, _("The file has more than %(n)d rows.", n=MAX_ROWS))
        if width == MAX_COLUMNS and any(v is not None for v in record):
            # The header row: later rows need no column past its last name.
            width = max(i for i, v in enumerate(record, start=1) if v is not None)
            records.append(tuple(record[:width]))
            return records + _rest(sheet, line, width)
        records.append(tuple(record))
    return records


def _rest(sheet: Any, header_line: int, width: int) -> list[tuple[Any, ...]]:
    records: list[tuple[Any, ...]] = []
    rows = sheet.iter_rows(min_row=header_line + 1, values_only=True, max_col=width)
    for line, record in enumerate(rows, start=header_line + 1):
        if line > MAX_ROWS:
            raise ReadError(line, _("The file has more than %(n)d rows.", n=MAX_ROWS))
        records.append(tuple(record))
    return records


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
        if line > MAX_ROWS:
            raise ReadError(line, _("The file has more than %(n)d rows.", n=MAX_ROWS))
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
