"""The ``carehub`` command: Flask's commands plus CareHub's own."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from carehub.app import create_app
from carehub.core import audit
from carehub.core.enums import Role


@click.group(cls=FlaskGroup, create_app=create_app)
def main() -> None:
    """CareHub: home-care dispatch for community elderly-care stations."""


@main.command("init")
@with_appcontext
def init_command() -> None:
    """Migrate the database to the latest revision and load the default catalogue and policy."""
    from flask_migrate import upgrade

    from carehub.extensions import db
    from carehub.seeding.defaults import load_defaults

    upgrade()
    with audit.acting_as("cli:init"):
        added = load_defaults(db.session)
        db.session.commit()
    if any(added.values()):
        click.echo(
            "Loaded defaults: "
            + ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in added.items())
        )
    else:
        click.echo("Database is up to date; defaults already present.")


@main.group("users")
def users_group() -> None:
    """Manage user accounts."""


@users_group.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option(
    "--caregiver", "caregiver_code", help="Link a caregiver account to this caregiver code."
)
@click.option("--station", "station_code", help="Scope a dispatcher to one station.")
@click.option("--name", "display_name", default="", help="Name shown in the console.")
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from stdin.")
@with_appcontext
def users_add(
    username: str,
    role: str,
    caregiver_code: str | None,
    station_code: str | None,
    display_name: str,
    password_stdin: bool,
) -> None:
    """Create an account; the password is read from standard input."""
    from carehub.auth.services import AccountError, create_user
    from carehub.extensions import db

    password = sys.stdin.readline().rstrip("\r\n")
    try:
        with audit.acting_as("cli:users"):
            user = create_user(
                db.session,
                username=username,
                role=Role(role),
                password=password,
                caregiver_code=caregiver_code,
                station_code=station_code,
                display_name=display_name,
            )
            db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.role} account '{user.username}'.")


@users_group.command("list")
@with_appcontext
def users_list() -> None:
    """List accounts."""
    from carehub.auth.models import User
    from carehub.extensions import db

    for user in db.session.scalars(select(User).order_by(User.username)):
        state = "active" if user.active else "disabled"
        click.echo(f"{user.username}\t{user.role}\t{state}")


def _register_feature_commands() -> None:
    from carehub.assessment.cli import register as register_assessments
    from carehub.core.audit.chain import register as register_audit
    from carehub.dispatch.cli import register as register_dispatch
    from carehub.emergency.devices import register as register_devices
    from carehub.jobs.cli import register as register_jobs
    from carehub.registry.cli import register as register_registry
    from carehub.registry.coverage_cli import register as register_coverage
    from carehub.seeding.cli import register as register_seeding
    from carehub.subsidy.cli import register as register_subsidy
    from carehub.worker.cli import worker_command
    from carehub_bench.cli import register as register_bench

    register_assessments(main)
    register_audit(main)
    register_devices(main)
    register_dispatch(main)
    register_coverage(main)
    register_jobs(main)
    register_registry(main)
    register_bench(main)
    register_seeding(main)
    register_subsidy(main)
    main.add_command(worker_command)


_register_feature_commands()
