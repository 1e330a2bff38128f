"""``carehub coverage``: each station's circle count and every elder outside all circles."""

from __future__ import annotations

import json
from dataclasses import asdict

import click
from flask.cli import with_appcontext


def register(main: click.Group) -> None:
    @main.command("coverage")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
    @with_appcontext
    def coverage_command(as_json: bool) -> None:
        """Show each station's 15-minute circle coverage and the elders outside every circle."""
        from carehub.extensions import db
        from carehub.registry.coverage import compute

        report = compute(db.session)
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "elders_total": report.elders_total,
                        "covered_total": report.covered_total,
                        "without_coordinates": report.without_coordinates,
                        "stations": [
                            {
                                "code": s.station.code,
                                "name": s.station.name,
                                "circle_minutes": s.station.circle_minutes,
                                "covered": s.covered,
                                "registered": s.registered,
                                "registered_outside": s.registered_outside,
                            }
                            for s in report.stations
                        ],
                        "uncovered": [asdict(u) for u in report.uncovered],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        click.echo(f"{'station':<10} {'name':<24} {'circle':>6} {'covered':>8} {'registered':>10}")
        for s in report.stations:
            click.echo(
                f"{s.station.code:<10} {s.station.name:<24} {s.station.circle_minutes:>5}m "
                f"{s.covered:>8} {s.registered:>10}"
            )
        click.echo(
            f"\n{report.covered_total} of {report.elders_total} elders inside a circle; "
            f"{len(report.uncovered)} outside every circle; "
            f"{report.without_coordinates} without coordinates."
        )
        for u in report.uncovered:
            click.echo(
                f"  outside: {u.code} {u.name} {u.address} "
                f"(nearest {u.nearest_station_code}, {u.minutes_to_nearest} min)"
            )
