"""Every change made through the app is written to the audit log."""

from __future__ import annotations

from sqlalchemy import select

from carehub.core.audit import AuditLog, acting_as


def test_create_update_delete_are_logged_with_before_and_after(make, db) -> None:
    with acting_as("cli:test"):
        station = make.station(name="旧名")
        db.session.commit()
        station.name = "新名"
        db.session.commit()
        db.session.delete(station)
        db.session.commit()
    rows = db.session.scalars(
        select(AuditLog).where(AuditLog.entity_type == "Station").order_by(AuditLog.id)
    ).all()
    assert [r.action for r in rows] == ["create", "update", "delete"]
    assert rows[0].after["name"] == "旧名"
    assert rows[1].before == {"name": "旧名"} and rows[1].after == {"name": "新名"}
    assert rows[2].before["code"] == station.code
    assert {r.actor for r in rows} == {"cli:test"}


def test_password_hashes_never_reach_the_log(make, db) -> None:
    user = make.user()
    db.session.commit()
    rows = db.session.scalars(select(AuditLog).where(AuditLog.entity_type == "User")).all()
    # The user's creation is logged (so the check below has a row to look at), without the hash.
    assert [r.action for r in rows] == ["create"]
    assert rows[0].after["username"] == user.username
    assert "password_hash" not in rows[0].after
