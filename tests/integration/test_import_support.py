"""Helpers shared by the import tests: build a file, run an import, count what is stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from carehub.core.audit import AuditLog, acting_as
from carehub.registry.imports import ENTITIES, ImportResult, run_import
from carehub.registry.models import Caregiver, CarePlan, Elder, ServiceType, Station

STORED = (Station, Elder, Caregiver, ServiceType, CarePlan, AuditLog)


def csv_file(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def run(
    db: Any, entity: str, data: bytes, filename: str = "data.csv", dry_run: bool = False
) -> ImportResult:
    with acting_as("test:import"):
        return run_import(db.session, ENTITIES[entity], filename, data, dry_run=dry_run)


def stored(db: Any) -> dict[str, int]:
    """How many rows each registry table and the audit log hold."""
    db.session.flush()
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in STORED
    }


def imported(db: Any, entity: str, *lines: str, **kw: Any) -> ImportResult:
    """Import lines that must be good, and commit them."""
    result = run(db, entity, csv_file(*lines), **kw)
    assert result.ok, result.errors
    db.session.commit()
    return result


def assert_rejected(
    db: Any, entity: str, lines: tuple[str, ...], line: int, column: str, reason: str
) -> None:
    """The file is refused with this (line, column) among the errors, and nothing is stored."""
    before = stored(db)
    result = run(db, entity, csv_file(*lines))
    found = [(e.line, e.column) for e in result.errors]
    assert (line, column) in found, result.errors
    assert any(reason.lower() in e.reason.lower() for e in result.errors), result.errors
    assert result.created == result.updated == result.unchanged == 0
    db.session.rollback()
    assert stored(db) == before


def check_rule(
    db: Any, entity: str, lines: tuple[str, ...], column: str | None, reason: str
) -> None:
    """A parametrised rule case: column None means the last line is good, otherwise that the
    last line is refused in that column."""
    if column is None:
        result = run(db, entity, csv_file(*lines))
        assert result.ok, result.errors
    else:
        assert_rejected(db, entity, lines, len(lines), column, reason)
