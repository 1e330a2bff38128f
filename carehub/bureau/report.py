"""The bureau's report as rows, for the XLSX file: money in integer fen, as the subsidy
exports are, so the file reconciles with the locked months to the fen."""

from __future__ import annotations

from collections.abc import Iterator

from carehub.bureau.figures import Figures, Group
from carehub.core import spreadsheets

Cell = str | int | float | None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def summary_rows(f: Figures) -> Iterator[list[Cell]]:
    yield ["figure", "value"]
    yield ["period", f.period.text]
    yield ["district", f.scope.district or ""]
    yield ["station", f.scope.station_code or ""]
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


GROUP_COLUMNS = (
    "stations",
    "elders_served",
    "person_times",
    "visits_verified",
    "entitled_fen",
    "payable_fen",
    "adjustment_fen",
    "meals_subsidised",
    "meal_subsidy_fen",
    "elders_on_register",
    "over_80",
    "over_80_visited",
    "meal_helped",
    "circle_elders",
    "inside_circle",
    "assessments_done",
    "assessments_due",
    "emergency_calls",
    "emergency_within_15_min",
)


def _cells(g: Group) -> list[Cell]:
    return [
        g.stations,
        g.elders_served,
        g.person_times,
        g.verified,
        g.entitled_fen,
        g.payable_fen,
        g.adjustment_fen,
        g.meals_subsidised,
        g.meal_fen,
        g.active_elders,
        g.over_80,
        g.over_80_visited,
        g.meal_helped,
        g.circle_total,
        g.inside_circle,
        g.assessments_done,
        g.assessments_due,
        g.emergencies,
        g.within_promise,
    ]


def _total(groups: list[Group]) -> Group:
    total = Group("TOTAL", "")
    for g in groups:
        total.add(g)
    return total


def station_rows(f: Figures) -> Iterator[list[Cell]]:
    yield ["station_code", "station_name", "district", *GROUP_COLUMNS]
    for s in f.stations:
        yield [s.code, s.name, s.district, *_cells(s)]
    yield ["TOTAL", "", "", *_cells(_total(f.stations))]


def district_rows(f: Figures) -> Iterator[list[Cell]]:
    """One district a row (an empty name: stations whose district is not given)."""
    yield ["district", *GROUP_COLUMNS]
    for d in f.districts:
        yield [d.code, *_cells(d)]
    yield ["TOTAL", *_cells(_total(f.districts))]


def month_rows(f: Figures) -> Iterator[list[Cell]]:
    """Payable by month and district: the trend the dashboard draws, in fen."""
    yield ["month", "locked", *(d.code or "no_district" for d in f.districts), "TOTAL"]
    for month, payable in f.trend:
        yield [
            month,
            month in f.months_locked,
            *(d.months.get(month, 0) for d in f.districts),
            payable,
        ]


def xlsx(f: Figures) -> bytes:
    # Station and district names are typed by people: the one writer never runs them as
    # formulas.
    return spreadsheets.xlsx_book(
        [
            ("summary", summary_rows(f)),
            ("districts", district_rows(f)),
            ("stations", station_rows(f)),
            ("months", month_rows(f)),
        ]
    )
