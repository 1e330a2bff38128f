"""What an import found: every bad cell, or how many rows it created, updated or left alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class RowError(NamedTuple):
    line: int  # as the spreadsheet numbers it: the header is line 1
    column: str  # empty when the problem is the whole file
    reason: str


@dataclass
class ImportResult:
    entity: str
    filename: str
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
