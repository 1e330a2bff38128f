"""The bureau's report as rows, for the XLSX file: money in integer fen, as the subsidy
exports are, so the file reconciles with the locked months to the fen."""

from __future__ import annotations

from collections.abc import Iterator

from carehub.bureau.figures import Figures
from carehub.core import spreadsheets

Cell = str | int | float | None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def summary_rows(f: Figures) -> Iterator[list[Cell]]:
    yield ["figure", "value"]
    yield ["period", f.period.text]
    yield ["months_locked", ", ".join(f.months_locked)]
    yield ["elders_served", f.elders_served]
    yield ["visits_verified", f.visits_verified]
    for code, count in f.person_times.items():
        yield [f"person_times:{code}", count]
    yield ["elders_on_register", f.active_elders]
    yield ["inside_circle", f.inside_circle]
    yield ["inside_circle_share", _share(f.inside_circle, f.circle_total)]
    yield ["over_80", f.over_80]
    yield ["over_80_visited_share", _share(f.over_80_visited, f.over_80)]
    yield ["meal_help_share", _share(f.meal_helped, f.active_elders)]
    yield ["entitled_fen", f.entitled_fen]
    yield ["payable_fen", f.payable_fen]
    yield ["adjustment_fen", f.adjustment_fen]
    yield ["to_pay_fen", f.to_pay_fen]
    for tier, money in sorted(f.by_tier.items()):
        yield [f"entitled_fen:{tier}", money.entitled_fen]
        yield [f"payable_fen:{tier}", money.payable_fen]
    for code, money in sorted(f.by_policy.items()):
        yield [f"entitled_fen:policy:{code}", money.entitled_fen]
        yield [f"payable_fen:policy:{code}", money.payable_fen]
    yield ["meals_subsidised", f.meals_subsidised]
    yield ["meal_elder_fen", f.meal_elder_fen]
    yield ["meal_operator_fen", f.meal_operator_fen]
    yield ["assessments_done", f.assessments_done]
    yield ["assessments_due", f.assessments_due]
    yield ["emergency_calls", f.emergencies]
    yield ["emergency_within_15_min", f.within_promise]
    yield ["emergency_median_minutes", f.median_response_min]


def station_rows(f: Figures) -> Iterator[list[Cell]]:
    yield [
        "station_code",
        "station_name",
        "elders_served",
        "person_times",
        "visits_verified",
        "entitled_fen",
        "payable_fen",
        "emergency_calls",
        "emergency_within_15_min",
    ]
    for s in f.stations:
        yield [
            s.code,
            s.name,
            s.elders_served,
            s.person_times,
            s.verified,
            s.entitled_fen,
            s.payable_fen,
            s.emergencies,
            s.within_promise,
        ]
    yield [
        "TOTAL",
        "",
        sum(s.elders_served for s in f.stations),
        sum(s.person_times for s in f.stations),
        sum(s.verified for s in f.stations),
        sum(s.entitled_fen for s in f.stations),
        sum(s.payable_fen for s in f.stations),
        sum(s.emergencies for s in f.stations),
        sum(s.within_promise for s in f.stations),
    ]


def xlsx(f: Figures) -> bytes:
    return spreadsheets.xlsx_book([("summary", summary_rows(f)), ("stations", station_rows(f))])
