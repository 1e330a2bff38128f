"""What every importable entity shares: its columns, how rows match existing records, and the
checks that span two cells (coordinates, start before end)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Hashable
from typing import Any, ClassVar

from flask_babel import gettext as _
from sqlalchemy import Select, select

from carehub.db import AnySession
from carehub.geo.travel import in_china
from carehub.registry.imports.fields import Column

Report = Callable[[str, str], None]  # (column, reason) for the row being checked


class Entity:
    """One importable table. Subclasses name the model and columns and resolve references."""

    name: ClassVar[str]  # as on the command line: "service-types"
    model: ClassVar[type[Any]]
    columns: ClassVar[tuple[Column, ...]]
    key: ClassVar[tuple[str, ...]] = ("code",)  # the columns no two rows of a file may share

    def __init__(self, session: AnySession) -> None:
        self.session = session

    def load(self) -> None:
        """Read the lookups that resolve() needs, once per import."""

    def resolve(self, values: dict[str, Any], report: Report) -> dict[str, Any]:
        """Model attributes for a row whose cells all parsed; report what does not fit."""
        return {
            column.attr or column.name: values[column.name]
            for column in self.columns
            if column.attr is not None and column.name in values
        }

    def match(self, attrs: dict[str, Any]) -> Hashable:
        return attrs["code"]

    def identity(self, obj: Any) -> Hashable:
        return obj.code

    def existing(self) -> dict[Hashable, Any]:
        return {self.identity(obj): obj for obj in self.session.scalars(select(self.model))}

    def same(self, obj: Any, attr: str, value: Any) -> bool:
        current = getattr(obj, attr)
        if isinstance(current, float) and isinstance(value, float):
            # XLSX keeps 15 significant digits; a coordinate's 16th is far below a millimetre.
            return math.isclose(current, value, rel_tol=1e-14, abs_tol=1e-9)
        return bool(current == value)

    def assign(self, obj: Any, attrs: dict[str, Any]) -> None:
        for attr, value in attrs.items():
            setattr(obj, attr, value)

    def export_query(self) -> Select[Any]:
        return select(self.model).order_by(self.model.code)


def codes(session: AnySession, model: type[Any]) -> dict[str, int]:
    return {code: id_ for id_, code in session.execute(select(model.id, model.code))}


def lookup(
    table: dict[str, int], code: str, column: str, reason: str, report: Report
) -> int | None:
    found = table.get(code)
    if found is None:
        report(column, reason)
    return found


def coordinates(
    values: dict[str, Any], lat_column: str, lon_column: str, report: Report
) -> tuple[float, float] | None:
    """Both coordinates or neither, and inside China (swapped lat/lon lands outside)."""
    if not together(values, lat_column, lon_column, report):
        return None
    lat, lon = values[lat_column], values[lon_column]
    if not in_china(lat, lon):
        report(lat_column, _("Coordinates outside China: %(lat)s, %(lon)s", lat=lat, lon=lon))
        return None
    return (lat, lon)


def together(values: dict[str, Any], first: str, second: str, report: Report) -> bool:
    """True when both cells hold a value; a report when only one does."""
    given = values.get(first) is not None, values.get(second) is not None
    if given[0] != given[1]:
        missing = second if given[0] else first
        report(missing, _("Give %(first)s and %(second)s together", first=first, second=second))
    return all(given)


def ordered(values: dict[str, Any], start: str, end: str, report: Report) -> None:
    """An end must come after its start; a date range may start and end on the same day."""
    first, last = values.get(start), values.get(end)
    if first is None or last is None:
        return
    if isinstance(first, dt.date):
        if last < first:
            report(end, _("%(end)s is before %(start)s", end=end, start=start))
    elif last <= first:
        report(end, _("%(end)s must be later than %(start)s", end=end, start=start))
