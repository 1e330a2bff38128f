"""Validate a whole file, then write all of it or none of it.

``read_sheet`` and ``check_rows`` are the check-then-write loop every spreadsheet import
shares (the registry's entities here, visits from another platform in
``subsidy.uploads.services``): every bad cell of every row is named, and the rows are
written only when there is none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask_babel import gettext as _

from carehub.core import audit
from carehub.core.errors import FieldError
from carehub.db import AnySession
from carehub.registry.imports.entity import Entity
from carehub.registry.imports.fields import CellError, Column
from carehub.registry.imports.reader import ReadError, Row, Sheet, read
from carehub.registry.imports.result import ImportResult, RowError


def run_import(
    session: AnySession,
    entity: type[Entity],
    filename: str,
    data: bytes,
    *,
    dry_run: bool = False,
) -> ImportResult:
    """Check every row; when all are good (and this is no dry run) create and update them.

    Only flushes. On errors or a dry run the caller rolls back, which also drops the
    geocoder answers cached while checking.
    """
    result = ImportResult(entity.name, filename, dry_run)
    spec = entity(session)
    sheet = read_sheet(filename, data, result.errors)
    if sheet is None:
        return result
    result.errors.extend(_header_errors(spec, sheet))
    if result.errors:
        return result
    present = [column for column in spec.columns if column.name in sheet.header]
    spec.load()
    planned = _check_rows(spec, present, sheet.rows, result.errors)
    if result.errors:
        return result
    _apply(spec, planned, result)
    if result.changed and not dry_run:
        session.flush()
        audit.record(
            session,
            "import",
            spec.model.__name__,
            after={"file": filename, **result.counts()},
            note=filename,
        )
        session.flush()
    return result


def _header_errors(spec: Entity, sheet: Sheet) -> list[RowError]:
    line = sheet.header_line
    known = {column.name for column in spec.columns}
    errors = [
        RowError(line, column.name, _("Missing column"))
        for column in spec.columns
        if column.required and column.name not in sheet.header
    ]
    seen: set[str] = set()
    for name in sheet.header:
        if name and name not in known:
            errors.append(RowError(line, name, _("Unknown column")))
        elif name in seen:
            errors.append(RowError(line, name, _("Duplicate column")))
        seen.add(name)
    return errors


T = TypeVar("T")


class RowReport:
    """The problems found on one row, each against its column."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.errors: list[RowError] = []

    def __call__(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.line, column, reason))

    @property
    def failed(self) -> bool:
        return bool(self.errors)


def read_sheet(filename: str, data: bytes, errors: list[RowError]) -> Sheet | None:
    """The file's sheet, or None with the reason added to ``errors``."""
    try:
        return read(filename, data)
    except ReadError as exc:
        errors.append(RowError(exc.line, "", exc.reason))
        return None


def check_rows(
    rows: list[Row], check: Callable[[Row, RowReport], T], errors: list[RowError]
) -> list[tuple[int, T]]:
    """Check every row: each row's problems go to ``errors``; the rows with none come back
    with their line and what ``check`` made of them, in the file's order."""
    planned: list[tuple[int, T]] = []
    for row in rows:
        report = RowReport(row.line)
        item = check(row, report)
        if report.failed:
            errors.extend(report.errors)
        else:
            planned.append((row.line, item))
    return planned


def _check_rows(
    spec: Entity, present: list[Column], rows: list[Row], errors: list[RowError]
) -> list[tuple[int, dict[str, Any]]]:
    first_line: dict[tuple[Any, ...], int] = {}
    return check_rows(
        rows, lambda row, report: _check_row(spec, present, row, first_line, report), errors
    )


def _check_row(
    spec: Entity,
    present: list[Column],
    row: Row,
    first_line: dict[tuple[Any, ...], int],
    report: RowReport,
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column in present:
        try:
            values[column.name] = column.parse(row.cells.get(column.name, ""))
        except CellError as exc:
            report(column.name, exc.reason)
    parsed = len(values) == len(present)
    if all(name in values for name in spec.key):
        key = tuple(values[name] for name in spec.key)
        if key in first_line:
            reason = _(
                "Duplicate of line %(line)s (same %(key)s)",
                line=first_line[key],
                key=", ".join(spec.key),
            )
            report(spec.key[0], reason)
        first_line.setdefault(key, row.line)
    # References and cross-cell checks only make sense once every cell has parsed.
    return spec.resolve(values, report) if parsed else {}


def _apply(spec: Entity, planned: list[tuple[int, dict[str, Any]]], result: ImportResult) -> None:
    existing = spec.existing()
    for line, attrs in planned:
        try:
            _apply_row(spec, existing, attrs, result)
        except FieldError as exc:
            # A rule that needs the stored record (an elder's status history) fails here,
            # after the checks; the caller rolls the whole file back.
            result.errors.append(RowError(line, exc.field, str(exc)))


def _apply_row(
    spec: Entity, existing: dict[Any, Any], attrs: dict[str, Any], result: ImportResult
) -> None:
    obj = existing.get(spec.match(attrs))
    if obj is None:
        result.created += 1
        if not result.dry_run:
            obj = spec.model()
            spec.assign(obj, attrs)
            spec.session.add(obj)
        return
    changes = {attr: value for attr, value in attrs.items() if not spec.same(obj, attr, value)}
    if not changes:
        result.unchanged += 1
        return
    result.updated += 1
    if not result.dry_run:
        spec.assign(obj, changes)
