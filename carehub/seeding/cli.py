"""``carehub seed ...`` commands."""

from __future__ import annotations

import datetime as dt
import time

import click
from flask.cli import with_appcontext


def register(main: click.Group) -> None:
    @main.group("seed")
    def seed_group() -> None:
        """Load demo or scale-test data."""

    for command in (demo_command, city_command, staffing_report_command, seed_visits_command):
        seed_group.add_command(command)


@click.command("demo")
@click.option("--seed", "seed", type=int, default=7, show_default=True, help="Random seed.")
@with_appcontext
def demo_command(seed: int) -> None:
    """Load the demo district (Heping, Tianjin) and print the demo logins.

    Safe to re-run: a database that already holds the demo district is left as it is.
    """
    from carehub.core import audit
    from carehub.extensions import db
    from carehub.geo.travel import current_model
    from carehub.seeding import demo

    started = time.perf_counter()
    with audit.acting_as("cli:seed"):
        if demo.is_loaded(db.session):
            click.echo("The demo district is already loaded; nothing added.")
        else:
            counts = demo.load(db.session, seed, current_model())
            click.echo(
                f"Loaded the demo district (seed {seed}): {counts.stations} stations, "
                f"{counts.elders} elders ({counts.outside} outside every circle), "
                f"{counts.caregivers} caregivers, {counts.care_plans} care plans "
                f"and {counts.planted} planted that nobody can serve "
                f"in {time.perf_counter() - started:.1f} s."
            )
        logins = demo.ensure_logins(db.session)
        db.session.commit()
    click.echo("\nDemo logins:")
    click.echo(f"  {'username':<16} {'password':<18} {'role':<11} {'scope':<30} state")
    for row in logins:
        click.echo(
            f"  {row.login.username:<16} {row.login.password:<18} "
            f"{row.login.role.value:<11} {row.scope:<30} {row.state}"
        )


@click.command("city")
@click.option(
    "--elders",
    type=click.IntRange(1, 999_999),
    default=30_000,
    show_default=True,
    help="How many elders.",
)
@click.option("--seed", "seed", type=int, default=7, show_default=True, help="Random seed.")
@with_appcontext
def city_command(elders: int, seed: int) -> None:
    """Load a city-sized data set over several Tianjin districts, for scale tests.

    Codes start with TJ, so it sits beside the demo district. Skipped when a city set
    is already loaded.
    """
    from carehub.core import audit
    from carehub.extensions import db
    from carehub.geo.travel import current_model
    from carehub.seeding import city

    started = time.perf_counter()
    with audit.acting_as("cli:seed"):
        present = city.loaded_elders(db.session)
        if present:
            click.echo(f"A city set is already loaded ({present} elders); nothing added.")
            return
        counts = city.load(db.session, elders, seed, current_model())
        db.session.commit()
    click.echo(
        f"Loaded the city set (seed {seed}): {counts.districts} districts, "
        f"{counts.stations} stations, {counts.elders} elders "
        f"({counts.outside} outside every circle), {counts.caregivers} caregivers, "
        f"{counts.care_plans} care plans in {time.perf_counter() - started:.1f} s."
    )


@click.command("staffing-report")
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The day (default today, Shanghai time).",
)
@click.option("--prefix", default="", help="Only stations whose code starts with this.")
@click.option("--summary", "only_summary", is_flag=True, help="Totals only, no table.")
@with_appcontext
def staffing_report_command(day: dt.datetime | None, prefix: str, only_summary: bool) -> None:
    """Service hours against shift hours per station and time band for one day."""
    from carehub.core.time import local_today
    from carehub.extensions import db
    from carehub.geo.travel import current_model
    from carehub.seeding.staff import report

    date = day.date() if day is not None else local_today()
    rows = report.station_days(db.session, date, current_model(), prefix)
    if not rows:
        raise click.ClickException(f"no active station with a code starting {prefix!r}")
    click.echo(f"Staffing on {date.isoformat()} ({date.strftime('%A')}), hours as service / shift:")
    if not only_summary:
        for line in report.table(rows):
            click.echo(line)
    for line in report.summary(rows):
        click.echo(line)


@click.command("visits")
@click.option("--month", "month_text", required=True, help="YYYY-MM to fill.")
@click.option("--seed", "seed", type=int, default=7, show_default=True)
@click.option(
    "--visits-per-elder",
    type=click.FloatRange(min=0, min_open=True),
    help="Top the month up to this many visits per elder with one-off telephone bookings.",
)
@with_appcontext
def seed_visits_command(month_text: str, seed: int, visits_per_elder: float | None) -> None:
    """Complete a month of visits from the care plans, for the reconciliation benchmark."""
    from carehub.core import audit
    from carehub.extensions import db
    from carehub.seeding.visits import generate
    from carehub.subsidy.months import Month

    try:
        month = Month.parse(month_text)
    except ValueError:
        raise click.BadParameter("use YYYY-MM, e.g. 2026-10", param_hint="--month") from None
    started = time.perf_counter()
    with audit.acting_as("cli:seed"):
        count = generate(db.session, month, seed, visits_per_elder)
        db.session.commit()
    click.echo(
        f"Created {count} completed visits in {month} in {time.perf_counter() - started:.1f} s."
    )
