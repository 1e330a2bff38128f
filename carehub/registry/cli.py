"""``carehub import`` and ``carehub export``: the registry as spreadsheets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import with_appcontext

from carehub.db import AnySession
from carehub.registry.imports import ENTITIES, ImportResult


def register(main: click.Group) -> None:
    @main.group("import")
    def import_group() -> None:
        """Import stations, elders, caregivers, service types or care plans from CSV/XLSX."""

    for entity in ENTITIES:
        import_group.add_command(_import_command(entity))

    @main.command("export")
    @click.argument("entity", type=click.Choice(list(ENTITIES)))
    @click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
    @with_appcontext
    def export_command(entity: str, file: Path) -> None:
        """Write ENTITY to FILE (.csv, UTF-8 with BOM, or .xlsx) in the import's columns."""
        from flask_babel import gettext as _

        from carehub.core import audit
        from carehub.extensions import db
        from carehub.registry.exports import export_file, format_of

        if format_of(file) is None:
            raise click.BadParameter(_("Export writes .csv or .xlsx files"), param_hint="FILE")
        export_file(db.session, entity, file)
        with audit.acting_as("cli:export"):
            audit.record(db.session, "export", entity, note=file.name)
            db.session.commit()
        click.echo(_("Exported %(entity)s to %(file)s", entity=entity, file=file))


def _import_command(entity: str) -> click.Command:
    @click.command(entity, help=f"Import {entity.replace('-', ' ')} from a CSV or XLSX FILE.")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
    @with_appcontext
    def command(file: Path, dry_run: bool) -> None:
        from carehub.registry.imports import run_import

        import_from_cli(
            lambda session: run_import(
                session, ENTITIES[entity], file.name, file.read_bytes(), dry_run=dry_run
            )
        )

    return command


def import_from_cli(run: Callable[[AnySession], ImportResult]) -> None:
    """An import from the command line, as ``carehub import`` runs each one: written whole
    under the CLI's audit name, or nothing (a dry run, or any bad row); the outcome
    printed, and exit status 1 when a row was bad."""
    from carehub.core import audit
    from carehub.extensions import db

    with audit.acting_as("cli:import"):
        result = run(db.session)
        if result.ok and not result.dry_run:
            db.session.commit()
        else:
            db.session.rollback()
    _echo(result)
    if not result.ok:
        raise click.exceptions.Exit(1)


def _echo(result: ImportResult) -> None:
    from flask_babel import gettext as _

    for line, column, reason in result.errors:
        where = _("line %(line)s", line=line) + (f", {column}" if column else "")
        click.echo(f"{result.filename}: {where}: {reason}", err=True)
    if not result.ok:
        click.echo(
            _("%(count)s problem(s) found; nothing was imported.", count=len(result.errors)),
            err=True,
        )
        return
    summary = _(
        "%(entity)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
        entity=result.entity,
        **result.counts(),
    )
    if result.dry_run:
        summary += " " + _("Dry run: nothing was written.")
    click.echo(summary)
