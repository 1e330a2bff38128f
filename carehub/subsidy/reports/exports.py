"""Per-elder and per-station spreadsheets of a month.

Two layouts: ``report`` (the default) is what an auditor sends the finance bureau: headers
in the interface's language, elders by name, care levels in words, money in yuan; ``data``
is for machines: column codes and integer fen, stable whatever the language.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from carehub.core import spreadsheets
from carehub.core.enums import label
from carehub.subsidy.reconciliation.ledger import COUNT_FIELDS, FEN_FIELDS
from carehub.subsidy.reconciliation.reconcile import Reconciliation

SCOPES = ("elders", "stations")
LAYOUTS = ("report", "data")
FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
Cell = str | int | Decimal

HEADERS = {
    "month": _l("Month"),
    "elder_code": _l("Elder code"),
    "elder_name": _l("Elder"),
    "station_code": _l("Station code"),
    "station_name": _l("Station"),
    "provider": _l("Provider"),
    "care_level": _l("Care level"),
    "elders": _l("Elders"),
    "carried_in_fen": _l("Carried in (yuan)"),
    "entitlement_fen": _l("Entitlement (yuan)"),
    "verified_fen": _l("Verified value (yuan)"),
    "payable_fen": _l("Payable (yuan)"),
    "excess_fen": _l("Paid by the elder (yuan)"),
    "unused_fen": _l("Unused (yuan)"),
    "flagged_fen": _l("Awaiting review (yuan)"),
    "adjustment_fen": _l("Adjustments (yuan)"),
    "verified_visits": _l("Verified visits"),
    "flagged_visits": _l("Flagged visits"),
    "rejected_visits": _l("Rejected visits"),
}


def _yuan(fen: int) -> Decimal:
    """Exact yuan with two places: a number to a spreadsheet, never a float."""
    return Decimal(fen).scaleb(-2).quantize(Decimal("0.01"))


def report_rows(
    result: Reconciliation, scope: str, elder_names: Mapping[int, str]
) -> Iterator[list[Cell]]:
    """The ``data`` rows with translated headers, names, words and yuan."""
    data = rows(result, scope)
    header = [str(h) for h in next(data)]
    if scope == "elders":
        # Each elder's name beside their code: ``data`` has the elders in this order.
        names = iter([elder_names.get(line.elder_id, "") for line in result.elders])
        header = [*header[:2], "elder_name", *header[2:]]
        data = ([*row[:2], next(names), *row[2:]] for row in data)
    yield [str(HEADERS.get(h, h)) for h in header]
    total = str(_l("Total"))
    for row in data:
        yield [_shown(name, cell, total) for name, cell in zip(header, row, strict=True)]


def _shown(name: str, cell: Cell, total: str) -> Cell:
    if name.endswith("_fen") and isinstance(cell, int):
        return _yuan(cell)
    if name == "care_level" and isinstance(cell, str):
        return label(cell)
    return total if cell == "TOTAL" else cell


def rows(result: Reconciliation, scope: str) -> Iterator[list[Cell]]:
    counts = [f"{name}_visits" for name in COUNT_FIELDS]
    if scope == "elders":
        yield [
            "month",
            "elder_code",
            "station_code",
            "care_level",
            "carried_in_fen",
            *FEN_FIELDS,
            *counts,
        ]
        for line in result.elders:
            station = result.stations.get(line.station_id)
            yield [
                str(result.month),
                line.elder_code,
                station.code if station else "",
                line.care_level,
                line.carried_in_fen,
                *(getattr(line, name) for name in FEN_FIELDS),
                *(getattr(line, name) for name in COUNT_FIELDS),
            ]
        return
    if scope != "stations":
        raise ValueError(f"unknown export scope {scope!r}")
    yield [
        "month",
        "station_code",
        "station_name",
        "provider",
        "elders",
        *FEN_FIELDS,
        "adjustment_fen",
        *counts,
    ]
    summaries = [*result.by_station(), result.totals()]
    for summary in summaries:
        is_total = summary.key == "total"
        yield [
            str(result.month),
            "TOTAL" if is_total else summary.label,
            "" if is_total else result.station_name(summary.key),  # type: ignore[arg-type]
            "" if is_total else summary.provider,
            summary.elders,
            *(summary.fen[name] for name in FEN_FIELDS),
            summary.adjustment_fen,
            *(summary.visits[name] for name in COUNT_FIELDS),
        ]


def export_bytes(
    result: Reconciliation,
    scope: str,
    fmt: str,
    layout: str = "data",
    elder_names: Mapping[int, str] | None = None,
) -> bytes:
    table = (
        report_rows(result, scope, elder_names or {}) if layout == "report" else rows(result, scope)
    )
    if fmt == "csv":
        return spreadsheets.csv_bytes(table)
    if fmt == "xlsx":
        return spreadsheets.xlsx_bytes(f"{scope} {result.month}", table)
    raise ValueError(f"unknown export format {fmt!r}")
