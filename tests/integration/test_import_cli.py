"""``carehub import ...`` and ``carehub export ...`` on the command line: output and exit codes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from carehub.cli import main
from carehub.core.audit import AuditLog
from carehub.registry.models import Station
from tests.integration.test_import_support import csv_file, stored

HEADER = "code,name,address,lat,lon"


def _write(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "stations.csv"
    path.write_bytes(csv_file(HEADER, *lines))
    return str(path)


def test_import_succeeds_with_exit_code_0_and_a_summary(app, db, tmp_path) -> None:
    path = _write(tmp_path, "ST1,和平站,南京路,39.1175,117.195")
    result = app.test_cli_runner().invoke(main, ["import", "stations", path])
    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated, 0 unchanged" in result.output
    db.session.remove()
    assert db.session.scalar(select(func.count(Station.id))) == 1
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "import"))
    assert entry.actor == "cli:import" and entry.note == "stations.csv"


def test_bad_rows_exit_1_list_every_problem_and_write_nothing(app, db, tmp_path) -> None:
    path = _write(
        tmp_path, "ST1,和平站,南京路,39.1175,117.195", "ST2,,路,39.1,117.2", "ST3,站,路,0,0"
    )
    before = stored(db)
    result = app.test_cli_runner().invoke(main, ["import", "stations", path])
    assert result.exit_code == 1
    assert "line 3, name: Required value missing" in result.output
    assert "line 4, lat: Coordinates outside China" in result.output
    assert "nothing was imported" in result.output
    db.session.remove()
    assert stored(db) == before


def test_dry_run_exits_0_and_writes_nothing(app, db, tmp_path) -> None:
    path = _write(tmp_path, "ST1,和平站,南京路,39.1175,117.195")
    before = stored(db)
    result = app.test_cli_runner().invoke(main, ["import", "stations", path, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output and "Dry run" in result.output
    db.session.remove()
    assert stored(db) == before


def test_missing_file_is_a_usage_error(app, tmp_path) -> None:
    result = app.test_cli_runner().invoke(main, ["import", "elders", str(tmp_path / "none.csv")])
    assert result.exit_code == 2


def test_export_writes_the_file_and_refuses_other_formats(app, make, db, tmp_path) -> None:
    make.station(code="ST1")
    db.session.commit()
    runner = app.test_cli_runner()
    out = tmp_path / "stations.xlsx"
    result = runner.invoke(main, ["export", "stations", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"PK")
    again = runner.invoke(main, ["import", "stations", str(out)])
    assert again.exit_code == 0 and "1 unchanged" in again.output
    assert runner.invoke(main, ["export", "stations", str(tmp_path / "s.txt")]).exit_code == 2
    assert runner.invoke(main, ["export", "visits", str(tmp_path / "v.csv")]).exit_code == 2
