"""``carehub assessments load-form`` and ``carehub assessments due``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext


def register(main: click.Group) -> None:
    @main.group("assessments")
    def assessments_group() -> None:
        """Care-need assessments (GB/T 42195-2022)."""

    @assessments_group.command("load-form")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @with_appcontext
    def load_form_command(path: Path) -> None:
        """Store an assessment form document as a new version; new assessments use it."""
        from carehub.assessment import services, standard
        from carehub.core import audit
        from carehub.extensions import db

        try:
            with audit.acting_as("cli:assessments"):
                row = services.load_form(db.session, path)
                db.session.commit()
        except (standard.FormError, json.JSONDecodeError, KeyError, ValueError) as exc:
            db.session.rollback()
            raise click.ClickException(f"{path}: {exc}") from exc
        click.echo(f"Form {row.code} version {row.version} is loaded (id {row.id}).")

    @assessments_group.command("due")
    @click.option("--within", "within_days", type=int, default=30, show_default=True)
    @with_appcontext
    def due_command(within_days: int) -> None:
        """Elders due for assessment, soonest first: code, due date, why."""
        from flask import current_app

        from carehub.assessment import services
        from carehub.core.time import local_today
        from carehub.extensions import db

        months = int(current_app.config["ASSESSMENT_INTERVAL_MONTHS"])
        for due in services.due_list(db.session, local_today(), months, within_days):
            click.echo(f"{due.elder.code}\t{due.due_on}\t{due.reason}")
