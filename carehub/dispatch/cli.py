"""``carehub requests generate`` (care-plan requests for a range of days) and ``carehub plan``
(plan a day's visits from the database and store the run)."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

if TYPE_CHECKING:
    from carehub.dispatch.planning.models import PlanningRun


def process_started() -> float:
    """When this process started, on ``time.time()``'s clock, so that ``--time-limit`` also
    covers the seconds of start-up (imports, the app) before the command runs; now, where
    /proc cannot say."""
    try:
        # Field 22 of /proc/self/stat, counted after the command name's closing parenthesis.
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return time.time()
    started = time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK")
    return min(started, time.time())


def register(main: click.Group) -> None:
    @main.group("requests")
    def requests_group() -> None:
        """Service requests."""

    @requests_group.command("generate")
    @click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
    @click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
    @with_appcontext
    def generate_command(start: dt.datetime, end: dt.datetime) -> None:
        """Create the missing care-plan requests from --from to --to (local dates, inclusive).
        Safe to repeat: requests already there are left alone."""
        generate(start.date(), end.date())

    @main.command("compile-solver")
    def compile_solver_command() -> None:
        """Compile the route search's kernel into numba's cache (about 15 s; once after
        installing, so no planning run pays it)."""
        from carehub.routing.search import sisr

        click.echo(f"Route search kernel ready in {sisr.load():.1f} s.")

    @main.command("plan")
    @click.option("--date", "day", required=True, type=click.DateTime(["%Y-%m-%d"]))
    @click.option("--station", "stations", multiple=True, help="Station code; repeat for more.")
    @click.option("--time-limit", default=20.0, show_default=True, help="Seconds of solving.")
    @click.option("--publish", is_flag=True, help="Publish the plan to the caregivers.")
    @click.option(
        "--whole-day",
        is_flag=True,
        help="Plan from the day's start, as the night before would, even if it has begun.",
    )
    def plan_command(
        day: dt.datetime,
        stations: tuple[str, ...],
        time_limit: float,
        publish: bool,
        whole_day: bool,
    ) -> None:
        """Plan a day's visits: every active station, or those given."""
        run_plan(day.date(), list(stations), time_limit, publish, whole_day)


def generate(start: dt.date, end: dt.date) -> None:
    """Create the missing care-plan requests from ``start`` to ``end`` and say how many."""
    from flask_babel import gettext as _

    from carehub.core import audit
    from carehub.dispatch.generation import GenerationError, generate_requests
    from carehub.extensions import db

    try:
        with audit.acting_as("cli:requests"):
            counts = generate_requests(db.session, start, end)
            db.session.commit()
    except GenerationError as exc:
        db.session.rollback()
        raise click.BadParameter(str(exc)) from exc
    click.echo(
        _(
            "%(start)s..%(end)s: %(created)s created, %(existing)s already there, "
            "%(elder)s skipped (elder not active), %(service)s skipped (service withdrawn)",
            start=start,
            end=end,
            created=counts.created,
            existing=counts.existing,
            elder=counts.skipped_elder_inactive,
            service=counts.skipped_service_inactive,
        )
    )


@with_appcontext
def run_plan(
    day: dt.date, stations: list[str], time_limit: float, publish: bool, whole_day: bool
) -> None:
    """Plan ``day`` for ``stations`` (every active one when empty), store the run and print it."""
    from carehub.core import audit
    from carehub.core.time import local_to_utc
    from carehub.dispatch.planning.claim import claimed_run
    from carehub.dispatch.planning.runner import RunConflict
    from carehub.dispatch.planning.services import PlanningError, plan_day
    from carehub.extensions import db
    from carehub.routing.deadline import Deadline

    try:
        with (
            audit.acting_as("cli:plan"),
            claimed_run(db.session, day, stations, time_limit, "cli:plan") as run,
        ):
            plan_day(
                db.session,
                day,
                run.stations,
                time_limit_s=time_limit,
                publish=publish,
                created_by="cli:plan",
                deadline=Deadline(process_started() + time_limit),
                run=run,
                as_of=local_to_utc(day, dt.time(0)) if whole_day else None,
            )
            db.session.commit()
    except PlanningError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    except RunConflict as exc:
        raise click.ClickException(
            f"run {exc.run.id} for {exc.run.service_date} is still planning these stations"
        ) from exc
    _echo_run(run)


def _echo_run(run: PlanningRun) -> None:
    from flask_babel import gettext as _

    from carehub.dispatch.planning import shortfall as planning_shortfall
    from carehub.extensions import db

    click.echo(
        f"Run {run.id} {run.status}: {run.visits_planned} visits planned"
        f" ({run.visits_lent} lent), {len(run.unassigned)} unassigned,"
        f" {run.travel_minutes or 0} min travel, {run.solve_seconds or 0:.1f} s"
        f"{' (greedy fallback)' if run.fallback else ''}"
    )
    for item in run.unassigned:
        click.echo(f"  request {item['request_id']}: {item['reason']}")
    advice = planning_shortfall.lines(db.session, run.shortfall)
    if advice:
        click.echo(_("Shortfall advice:"))
        for line in advice:
            click.echo(f"  {line}")
