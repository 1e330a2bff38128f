"""The audit log's hash chain: each edit, insertion or deletion of a row is named by
``carehub audit verify`` and shown on the admin audit page."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, insert, select, update

from carehub.cli import main
from carehub.core import audit
from carehub.core.audit import AuditLog
from carehub.core.audit import chain as audit_chain
from carehub.core.enums import Role


def _three_rows(make, db) -> list[int]:
    for _ in range(3):
        make.station()
        db.session.commit()
    return list(db.session.scalars(select(AuditLog.id).order_by(AuditLog.id)))


def test_rows_are_chained_in_id_order(make, db) -> None:
    ids = _three_rows(make, db)
    rows = db.session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert len(rows) == len(ids) >= 3
    assert rows[0].prev_hash is None or rows[0].prev_hash != rows[0].row_hash
    for earlier, later in zip(rows, rows[1:], strict=False):
        assert later.prev_hash == earlier.row_hash
    assert audit_chain.verify(db.session).ok


def test_an_edited_row_is_named(make, db) -> None:
    ids = _three_rows(make, db)
    db.session.execute(update(AuditLog).where(AuditLog.id == ids[1]).values(actor="someone"))
    db.session.commit()
    verdict = audit_chain.verify(db.session)
    assert not verdict.ok and verdict.broken_id == ids[1] and verdict.reason == "row edited"


def test_a_deleted_row_is_named_by_the_row_after_it(make, db) -> None:
    ids = _three_rows(make, db)
    db.session.execute(delete(AuditLog).where(AuditLog.id == ids[1]))
    db.session.commit()
    verdict = audit_chain.verify(db.session)
    assert not verdict.ok and verdict.broken_id == ids[2]


def test_an_inserted_row_is_named(make, db) -> None:
    ids = _three_rows(make, db)
    first = db.session.get(AuditLog, ids[0])
    db.session.execute(
        insert(AuditLog).values(
            id=ids[-1] + 1,
            at=first.at,
            actor="forger",
            action="create",
            entity_type="Station",
            prev_hash="0" * 64,
            row_hash="0" * 64,
        )
    )
    db.session.commit()
    verdict = audit_chain.verify(db.session)
    assert not verdict.ok and verdict.broken_id == ids[-1] + 1


def test_a_rolled_back_entry_leaves_the_chain_whole(make, db) -> None:
    _three_rows(make, db)
    audit.record(db.session, "note", "Station", 1, note="never kept")
    db.session.flush()
    db.session.rollback()
    make.station()
    db.session.commit()
    assert audit_chain.verify(db.session).ok


def test_cli_verify_and_anchor(app: Flask, make, db) -> None:
    ids = _three_rows(make, db)
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code == 0 and "ok:" in result.output
    anchor = runner.invoke(main, ["audit", "anchor"])
    head = db.session.get(AuditLog, ids[-1])
    assert anchor.exit_code == 0 and head.row_hash in anchor.output
    db.session.execute(update(AuditLog).where(AuditLog.id == ids[0]).values(note="changed"))
    db.session.commit()
    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code == 1 and f"row {ids[0]}" in result.output


def test_the_admin_page_shows_whether_the_chain_verifies(
    client: FlaskClient, login_as, make, db
) -> None:
    client.get("/lang/en")
    login_as(Role.ADMIN)
    _three_rows(make, db)
    assert "The audit chain verifies" in client.get("/admin/audit").get_data(as_text=True)
    first = db.session.scalar(select(AuditLog.id).order_by(AuditLog.id))
    db.session.execute(update(AuditLog).where(AuditLog.id == first).values(note="x"))
    db.session.commit()
    page = client.get("/admin/audit").get_data(as_text=True)
    assert f"broken at row {first}" in page


def test_a_core_update_of_an_audited_model_is_logged(make, db) -> None:
    from carehub.registry.models import Station

    station = make.station()
    db.session.commit()
    db.session.execute(
        update(Station)
        .where(Station.id == station.id)
        .values(name="改名站")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "bulk_update"))
    assert entry is not None and entry.entity_type == "Station"
    assert entry.after == {"name": "改名站"} and entry.note.startswith("1 rows:")
    assert audit_chain.verify(db.session).ok


def test_an_update_that_records_itself_is_not_logged_twice(make, db) -> None:
    from carehub.registry.models import Station

    station = make.station()
    db.session.commit()
    db.session.execute(
        update(Station)
        .where(Station.id == station.id)
        .values(name="x")
        .execution_options(synchronize_session=False, audit_recorded=True)
    )
    db.session.commit()
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "bulk_update")) is None
