"""``carehub import visits``: completed visits kept by a previous platform.

Read with the registry importer's reader and checked the same way: every bad cell of every
row is named, and nothing is written unless the whole file is good. A visit is filed on
the Shanghai calendar day of its check-in; a day in a locked month is refused.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from carehub.core import audit
from carehub.core.enums import RequestOrigin, RequestStatus, VisitStatus
from carehub.core.time import local_zone
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.geo.travel import in_china
from carehub.registry.imports.entity import codes
from carehub.registry.imports.fields import CellError, Decimal, Text
from carehub.registry.imports.importer import RowReport, check_rows, read_sheet
from carehub.registry.imports.reader import Row, Sheet
from carehub.registry.imports.result import ImportResult, RowError
from carehub.registry.models import Caregiver, Elder, ServiceType
from carehub.subsidy.models import MonthLock
from carehub.subsidy.months import Month

COLUMNS = (
    "elder_code",
    "caregiver_code",
    "service_code",
    "check_in_at",
    "check_out_at",
    "check_in_lat",
    "check_in_lon",
    "check_out_lat",
    "check_out_lon",
)
_CODE, _NUMBER = Text(40), Decimal()


def _instant(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CellError(_("Not an ISO 8601 time: %(value)s", value=text)) from None
    if value.tzinfo is None:
        raise CellError(_("The time needs a UTC offset, such as +08:00: %(value)s", value=text))
    return value.astimezone(dt.UTC)


@dataclass
class VisitImport(ImportResult):
    """The import's outcome, with the visits as they would be filed, for a preview."""

    visits: list[dict[str, Any]] = field(default_factory=list)

    def by_month(self) -> list[tuple[str, int]]:
        return sorted(Counter(str(Month.of(v["day"])) for v in self.visits).items())


Report = Callable[[str, str], None]


@dataclass
class _Known:
    """What the rows are checked against: codes, locked months, visits already recorded
    and the first line of each visit seen in this file."""

    elders: dict[str, int]
    caregivers: dict[str, int]
    services: dict[str, int]
    locked: set[str]
    recorded: set[tuple[int, int, dt.datetime | None]]
    first_line: dict[tuple[int, int, dt.datetime], int] = field(default_factory=dict)


def import_visits(
    session: AnySession, filename: str, data: bytes, dry_run: bool = False
) -> VisitImport:
    """Check the whole file, then write every visit, or (``dry_run``, or any bad row) none."""
    result = VisitImport("visits", filename, dry_run=dry_run)
    sheet = _read(filename, data, result)
    if sheet is None:
        return result
    known = _known(session)
    planned = [
        item
        for _line, item in check_rows(
            sheet.rows, lambda row, report: _check(row, known, report), result.errors
        )
    ]
    if result.errors:
        return result
    result.visits = planned
    if dry_run:
        result.created = len(planned)
        return result
    _write(session, filename, planned, result)
    return result


def _read(filename: str, data: bytes, result: VisitImport) -> Sheet | None:
    """The sheet, or None with the reason in ``result`` when it cannot be read or lacks columns."""
    sheet = read_sheet(filename, data, result.errors)
    if sheet is None:
        return None
    missing = [c for c in COLUMNS if c not in sheet.header]
    for column in missing:
        result.errors.append(RowError(sheet.header_line, column, _("Missing column")))
    return None if missing else sheet


def _known(session: AnySession) -> _Known:
    return _Known(
        elders=codes(session, Elder),
        caregivers=codes(session, Caregiver),
        services=codes(session, ServiceType),
        locked=set(session.scalars(select(MonthLock.month).where(MonthLock.locked.is_(True)))),
        recorded={
            (eid, sid, t)
            for eid, sid, t in session.execute(
                select(ServiceRequest.elder_id, ServiceRequest.service_type_id, Visit.check_in_at)
                .join(Visit, Visit.request_id == ServiceRequest.id)
                .where(Visit.check_in_at.is_not(None))
            )
        },
    )


def _check(row: Row, known: _Known, report: RowReport) -> dict[str, Any]:
    """One row: its cells parsed, then (when all parsed) checked against what is known."""
    values = _values(row.cells, report)
    if report.failed:
        return {}
    return _checked(values, row.line, known, report)


def _values(cells: dict[str, str], report: Report) -> dict[str, Any]:
    """Each column's text parsed; a missing or unreadable cell is reported."""
    values: dict[str, Any] = {}
    for column in COLUMNS:
        text = cells.get(column, "")
        if not text:
            report(column, _("Required value missing"))
            continue
        try:
            if column.endswith("_at"):
                values[column] = _instant(text)
            elif column.endswith(("_lat", "_lon")):
                values[column] = _NUMBER.parse(text)
            else:
                values[column] = _CODE.parse(text)
        except CellError as exc:
            report(column, exc.reason)
    return values


def _checked(values: dict[str, Any], line: int, known: _Known, report: Report) -> dict[str, Any]:
    """The visit as it would be filed; what is wrong with it is reported."""
    refs = _references(values, known, report)
    if values["check_out_at"] <= values["check_in_at"]:
        report("check_out_at", _("check_out_at must be later than check_in_at"))
    for lat, lon in (("check_in_lat", "check_in_lon"), ("check_out_lat", "check_out_lon")):
        if not in_china(values[lat], values[lon]):
            report(
                lat,
                _(
                    "Coordinates outside China: %(lat)s, %(lon)s",
                    lat=values[lat],
                    lon=values[lon],
                ),
            )
    day = values["check_in_at"].astimezone(local_zone()).date()
    if str(Month.of(day)) in known.locked:
        report("check_in_at", _("%(month)s is locked and cannot be changed.", month=Month.of(day)))
    _check_repeat(
        (refs["elder_code"], refs["service_code"], values["check_in_at"]), line, known, report
    )
    return {**values, **{f"{k}_id": v for k, v in refs.items()}, "day": day}


def _references(values: dict[str, Any], known: _Known, report: Report) -> dict[str, int | None]:
    refs = {}
    for column, table, message in (
        ("elder_code", known.elders, _("Unknown elder: %(code)s", code=values["elder_code"])),
        (
            "caregiver_code",
            known.caregivers,
            _("Unknown caregiver: %(code)s", code=values["caregiver_code"]),
        ),
        (
            "service_code",
            known.services,
            _("Unknown service type: %(code)s", code=values["service_code"]),
        ),
    ):
        refs[column] = table.get(values[column])
        if refs[column] is None:
            report(column, message)
    return refs


def _check_repeat(
    key: tuple[Any, Any, dt.datetime], line: int, known: _Known, report: Report
) -> None:
    """A visit already recorded, or twice in this file, is refused."""
    if None in key[:2]:
        return
    if key in known.recorded:
        report("check_in_at", _("This visit is already recorded"))
    elif key in known.first_line:
        report(
            "check_in_at",
            _(
                "Duplicate of line %(line)s (same %(key)s)",
                line=known.first_line[key],
                key="elder_code, service_code, check_in_at",
            ),
        )
    known.first_line.setdefault(key, line)


def _write(
    session: AnySession, filename: str, planned: list[dict[str, Any]], result: VisitImport
) -> None:
    for item in planned:
        request = ServiceRequest(
            elder_id=item["elder_code_id"],
            service_type_id=item["service_code_id"],
            service_date=item["day"],
            window_start=item["check_in_at"].astimezone(local_zone()).time().replace(microsecond=0),
            window_end=item["check_out_at"].astimezone(local_zone()).time().replace(microsecond=0),
            origin=RequestOrigin.PHONE,
            status=RequestStatus.DONE,
            note=_("Imported from %(file)s", file=filename),
        )
        session.add(request)
        session.add(
            Visit(
                request=request,
                caregiver_id=item["caregiver_code_id"],
                status=VisitStatus.COMPLETED,
                check_in_at=item["check_in_at"],
                check_out_at=item["check_out_at"],
                check_in_lat=item["check_in_lat"],
                check_in_lon=item["check_in_lon"],
                check_out_lat=item["check_out_lat"],
                check_out_lon=item["check_out_lon"],
            )
        )
        result.created += 1
    session.flush()
    audit.record(
        session, "import", "Visit", after={"file": filename, **result.counts()}, note=filename
    )
    session.flush()
