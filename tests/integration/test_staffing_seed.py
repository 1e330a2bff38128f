"""The generated data is staffed for its demand, and only the planted plans stay open."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask

from carehub.cli import main
from carehub.core.time import local_today
from carehub.dispatch import adapters
from carehub.dispatch.generation import generate_requests
from carehub.dispatch.planning import services as planning
from carehub.geo.travel import current_model
from carehub.routing.screen import screen
from carehub.seeding import planted
from carehub.seeding.staff import report


def _seed(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(main, ["seed", *args])
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    return result.output


def _week() -> list[dt.date]:
    today = local_today()
    return [today + dt.timedelta(days=n) for n in range(7)]


def _short(rows: list[report.StationDay]) -> list[str]:
    return [
        f"{r.code} {ln.band} {ln.skill}/{ln.gender}: {ln.demand:.0f} of {ln.supply:.0f}"
        for r in rows
        for ln in r.check.failing()
    ] + [
        f"{r.code} meals {r.check.meals}" for r in rows if r.check.meals and not r.check.meals.fits
    ]


def test_every_demo_station_fits_its_demand_each_day_with_the_margin(app: Flask, db: Any) -> None:
    _seed(app, "demo")
    for day in _week():
        rows = report.station_days(db.session, day, current_model(), "HP")
        assert len(rows) == 8
        assert not _short(rows), (day, _short(rows))
        assert all(r.fits for r in rows)
        # Only the planted plans are beyond the staff, and only on the weekdays they ask for.
        expected = len(planted.PLANTED) if day.isoweekday() <= 5 else 0
        assert sum(r.unservable for r in rows) == expected, day


def test_the_planted_requests_are_the_only_ones_nobody_can_serve(app: Flask, db: Any) -> None:
    _seed(app, "demo")
    day = next(d for d in _week() if d.isoweekday() <= 5)
    generate_requests(db.session, day, day)
    stations = planning.validate_stations(db.session, None)
    ids = [s.id for s in stations]
    data = adapters.build_day(
        day,
        stations,
        planning.day_requests(db.session, day, ids),
        planning.station_caregivers(db.session, ids),
        planning._default_matrices(),
    )
    rejected = screen(data.problem).rejected
    found = {
        (data.requests[vid].elder.station.code, data.requests[vid].service_type.code, reason)
        for vid, reason in rejected.items()
    }
    assert found == {(p.station, p.service, p.reason) for p in planted.PLANTED}
    assert len(data.problem.visits) > 250


def test_a_small_city_fits_its_demand_each_day(app: Flask, db: Any) -> None:
    _seed(app, "city", "--elders", "600", "--seed", "3")
    for day in _week():
        rows = report.station_days(db.session, day, current_model(), "TJ")
        assert rows and not _short(rows), (day, _short(rows))
        assert sum(r.unservable for r in rows) == 0


def test_the_staffing_report_prints_the_table_and_the_summary(app: Flask, db: Any) -> None:
    _seed(app, "demo")
    day = next(d for d in _week() if d.isoweekday() == 1)
    output = _seed(app, "staffing-report", "--date", day.isoformat(), "--prefix", "HP")
    assert "| HP01 |" in output and "| HP08 |" in output
    assert "8 of 8 stations fit with margin 1.25" in output
    assert "2 visits no caregiver on shift" in output
    summary = _seed(app, "staffing-report", "--date", day.isoformat(), "--summary")
    assert "| HP01 |" not in summary and "8 of 8 stations fit" in summary


def test_the_staffing_report_names_an_unknown_prefix(app: Flask, db: Any) -> None:
    _seed(app, "demo")
    result = app.test_cli_runner().invoke(main, ["seed", "staffing-report", "--prefix", "XX"])
    assert result.exit_code != 0
    assert "no active station with a code starting 'XX'" in result.output
