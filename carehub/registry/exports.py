"""Spreadsheet export with exactly the import's columns, so an exported file re-imports
unchanged. CSV gets a BOM because Excel otherwise reads UTF-8 as the local code page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from carehub.core import spreadsheets
from carehub.db import AnySession
from carehub.registry.imports import ENTITIES
from carehub.registry.imports.fields import Cell

FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def rows(session: AnySession, entity: str) -> Iterator[list[Cell]]:
    """The header, then one row per record in code order."""
    spec = ENTITIES[entity](session)
    yield [column.name for column in spec.columns]
    for obj in session.scalars(spec.export_query()):
        yield [column.cell(obj) for column in spec.columns]


def export_bytes(session: AnySession, entity: str, fmt: str) -> bytes:
    if fmt == "csv":
        return spreadsheets.csv_bytes(rows(session, entity))
    if fmt == "xlsx":
        return spreadsheets.xlsx_bytes(entity, rows(session, entity))
    raise ValueError(f"unknown export format {fmt!r}")


def format_of(path: Path) -> str | None:
    fmt = path.suffix.lower().lstrip(".")
    return fmt if fmt in FORMATS else None


def export_file(session: AnySession, entity: str, path: Path) -> None:
    fmt = format_of(path)
    if fmt is None:
        raise ValueError(f"{path.name}: export writes .csv or .xlsx")
    path.write_bytes(export_bytes(session, entity, fmt))
