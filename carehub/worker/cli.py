"""``carehub worker``: a Celery worker for CareHub's tasks."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from carehub.worker import ALL_QUEUES, broker, celery_app


@click.command("worker")
@click.option(
    "--queues",
    "-Q",
    default=",".join(ALL_QUEUES),
    show_default=True,
    help="Queues to take tasks from: celery (short tasks), plan (planning runs), solve "
    "(circle solves). A worker taking plan should not be the only one taking solve.",
)
@click.option(
    "--concurrency", "-c", type=int, default=None, help="Worker processes (default: one per CPU)."
)
@click.option("--loglevel", "-l", default="info", show_default=True)
@click.option("--hostname", "-n", default=None, help="Node name, e.g. solve1@%h.")
@with_appcontext
def worker_command(
    queues: str, concurrency: int | None, loglevel: str, hostname: str | None
) -> None:
    """Run a Celery worker until SIGTERM or Ctrl-C (a task running then is finished first)."""
    argv = ["worker", "--queues", queues, "--loglevel", loglevel, "--without-gossip"]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    if hostname:
        argv += ["--hostname", hostname]
    celery = celery_app()
    broker.prepare(celery, [q.strip() for q in queues.split(",") if q.strip()])
    celery.worker_main(argv)
