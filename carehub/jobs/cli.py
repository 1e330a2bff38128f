"""``carehub scheduler`` and ``carehub jobs list|history``."""

from __future__ import annotations

import json
import logging
import signal
import threading
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from carehub.core.time import format_local


def _first_line(text: str | None) -> str:
    return (text or "").splitlines()[0] if text else ""


def register(main: click.Group) -> None:
    main.add_command(scheduler_command)
    main.add_command(jobs_group)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduled jobs until stopped (SIGTERM or Ctrl-C). One process is enough;
    a second one is harmless, as each job run is claimed in the database."""
    from carehub.jobs import process

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    stop = threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    process.serve(current_app._get_current_object(), stop)  # type: ignore[attr-defined]


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs: what they are and how their runs went."""


@jobs_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def jobs_list(as_json: bool) -> None:
    """Each job: id, schedule, next run, last run and its outcome."""
    from carehub.extensions import db
    from carehub.jobs.status import job_statuses, status_as_dict

    statuses = job_statuses(current_app, db.session)
    if as_json:
        click.echo(json.dumps([status_as_dict(s) for s in statuses], indent=2))
        return
    for s in statuses:
        last = s.last_run
        click.echo(
            "\t".join(
                [
                    s.id,
                    s.definition.schedule,
                    "next " + (format_local(s.next_run) or "-"),
                    "last " + (format_local(last.started_at) if last else "-"),
                    str(last.outcome) if last else "-",
                ]
            )
        )


@jobs_group.command("history")
@click.option("--job", "job_id", help="Only this job's runs.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def jobs_history(job_id: str | None, limit: int, as_json: bool) -> None:
    """Recent runs, newest first: job, scheduled time, start, end, outcome, error."""
    from flask_babel import gettext as _

    from carehub.extensions import db
    from carehub.jobs import catalog
    from carehub.jobs.status import history_query, run_as_dict

    known = {d.id for d in catalog.definitions(current_app)}
    if job_id and job_id not in known:
        raise click.BadParameter(
            _("No such job; the jobs are: %(jobs)s", jobs=", ".join(sorted(known))),
            param_hint="--job",
        )
    runs = db.session.scalars(history_query(job_id).limit(limit)).all()
    if as_json:
        click.echo(json.dumps([run_as_dict(run) for run in runs], indent=2))
        return
    for run in runs:
        click.echo(
            "\t".join(
                [
                    run.job_id,
                    format_local(run.scheduled_for),
                    f"#{run.attempt}",
                    format_local(run.started_at, "%Y-%m-%d %H:%M:%S"),
                    format_local(run.finished_at, "%Y-%m-%d %H:%M:%S") or "-",
                    str(run.outcome),
                    _first_line(run.error) or run.summary or "",
                ]
            )
        )
