"""``carehub reconcile`` and ``carehub import visits``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext


def _month(value: str) -> object:
    from carehub.subsidy.months import Month

    try:
        return Month.parse(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM, e.g. 2026-10", param_hint="--month") from None


def register(main: click.Group) -> None:
    main.add_command(reconcile_command)
    found = main.commands["import"]
    assert isinstance(found, click.Group)
    found.add_command(import_visits_command)


@click.command("reconcile")
@click.option("--month", "month_text", required=True, help="YYYY-MM (Asia/Shanghai).")
@click.option("--station", "station_code", help="Only this station's elders.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def reconcile_command(month_text: str, station_code: str | None, as_json: bool) -> None:
    """Print a month's reconciliation: the same figures as the web page."""
    from sqlalchemy import select

    from carehub.extensions import db
    from carehub.registry.models import Station
    from carehub.subsidy.reconciliation.reconcile import reconcile

    month = _month(month_text)
    result = reconcile(db.session, month)  # type: ignore[arg-type]
    if station_code:
        station_id = db.session.scalar(select(Station.id).where(Station.code == station_code))
        if station_id is None:
            raise click.BadParameter(f"no station {station_code!r}", param_hint="--station")
        result = result.only_station(station_id)
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=1))
        return
    _print_table(result)


@click.command("visits")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_visits_command(file: Path) -> None:
    """Import completed visits from another platform (CSV/XLSX FILE), all or nothing."""
    from carehub.registry.cli import import_from_cli
    from carehub.subsidy.uploads.services import import_visits

    import_from_cli(lambda session: import_visits(session, file.name, file.read_bytes()))


def _print_table(result: object) -> None:
    from carehub.subsidy.reconciliation.ledger import Summary
    from carehub.subsidy.reconciliation.reconcile import Reconciliation
    from carehub.web import yuan

    assert isinstance(result, Reconciliation)
    head = f"{'':<14}{'entitled':>14}{'verified':>14}{'payable':>14}{'excess':>12}{'unused':>14}{'flagged':>12}{'adjust':>10}"
    click.echo(f"Month {result.month}" + (" (locked)" if result.locked else " (open)"))
    click.echo(head)

    def row(label: str, s: Summary) -> str:
        f = s.fen
        return (
            f"{label:<14}{yuan(f['entitlement_fen']):>14}{yuan(f['verified_fen']):>14}"
            f"{yuan(f['payable_fen']):>14}{yuan(f['excess_fen']):>12}{yuan(f['unused_fen']):>14}"
            f"{yuan(f['flagged_fen']):>12}{yuan(s.adjustment_fen):>10}"
        )

    for station in result.by_station():
        click.echo(row(station.label or "-", station))
    click.echo("providers:")
    for provider in result.by_provider():
        click.echo(row((provider.label or "-")[:13], provider))
    totals = result.totals()
    click.echo(row("TOTAL", totals))
    click.echo(
        f"elders {totals.elders}; visits " + ", ".join(f"{k} {v}" for k, v in totals.visits.items())
    )
