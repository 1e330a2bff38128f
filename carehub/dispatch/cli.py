"""``carehub requests generate``: care-plan requests for a range of days."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext


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
        from flask_babel import gettext as _

        from carehub.core import audit
        from carehub.dispatch.generation import GenerationError, generate_requests
        from carehub.extensions import db

        try:
            with audit.acting_as("cli:requests"):
                counts = generate_requests(db.session, start.date(), end.date())
                db.session.commit()
        except GenerationError as exc:
            db.session.rollback()
            raise click.BadParameter(str(exc)) from exc
        click.echo(
            _(
                "%(start)s..%(end)s: %(created)s created, %(existing)s already there, "
                "%(elder)s skipped (elder not active), %(service)s skipped (service withdrawn)",
                start=start.date(),
                end=end.date(),
                created=counts.created,
                existing=counts.existing,
                elder=counts.skipped_elder_inactive,
                service=counts.skipped_service_inactive,
            )
        )
