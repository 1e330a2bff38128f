"""Per-elder and per-station spreadsheets of a month, money in integer fen."""

from __future__ import annotations

from collections.abc import Iterator

from carehub.core import spreadsheets
from carehub.subsidy.ledger import COUNT_FIELDS, FEN_FIELDS
from carehub.subsidy.reconcile import Reconciliation

SCOPES = ("elders", "stations")
FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
Cell = str | int


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


def export_bytes(result: Reconciliation, scope: str, fmt: str) -> bytes:
    if fmt == "csv":
        return spreadsheets.csv_bytes(rows(result, scope))
    if fmt == "xlsx":
        return spreadsheets.xlsx_bytes(f"{scope} {result.month}", rows(result, scope))
    raise ValueError(f"unknown export format {fmt!r}")
