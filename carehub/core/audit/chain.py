"""The audit log as a hash chain, so editing, inserting or deleting a row shows.

Each row's ``row_hash`` is the SHA-256 of its content and of the previous row's hash
(``prev_hash``). Rows are sealed just before their transaction commits, in id order.
Writers take turns: on SQLite the first insert already holds the database's write lock;
on PostgreSQL a transaction-scoped advisory lock is taken before the first audit row gets
its id, so ids follow commit order. ``verify`` walks the chain and names the first row
that breaks it; the head hash (``carehub audit anchor``), kept elsewhere each day, also
catches rows cut off the end or a chain rewritten from some row on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, inspect, select, text
from sqlalchemy.orm import Session

from carehub.core.audit.log import AuditLog
from carehub.core.once import once
from carehub.db import AnySession

_PG_LOCK = 7_263_001  # any constant shared by every CareHub process
_PENDING = "audit_chain_pending"
_LOCKED = "audit_chain_locked"


def content_hash(row: Any, prev_hash: str | None) -> str:
    """``row``: an AuditLog or a row of the audit_log table (same names)."""
    content = {
        "id": row.id,
        "at": row.at.isoformat() if row.at else None,
        "user_id": row.user_id,
        "actor": row.actor,
        "action": row.action,
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "before": row.before,
        "after": row.after,
        "note": row.note,
        "prev": prev_hash,
    }
    data = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def added(session: AnySession, entry: AuditLog) -> None:
    """Called for each new audit row: remember it for sealing, and on PostgreSQL take the
    chain's lock before the row gets its id."""
    session.info.setdefault(_PENDING, []).append(entry)
    if not session.info.get(_LOCKED):
        session.info[_LOCKED] = True
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})


def head(session: AnySession, before_id: int | None = None) -> AuditLog | None:
    stmt = select(AuditLog).where(AuditLog.row_hash.is_not(None))
    if before_id is not None:
        stmt = stmt.where(AuditLog.id < before_id)
    return session.scalar(stmt.order_by(AuditLog.id.desc()).limit(1))


def seal(session: Session) -> None:
    pending: list[AuditLog] = session.info.pop(_PENDING, [])
    session.info.pop(_LOCKED, None)
    rows = sorted((r for r in pending if inspect(r).persistent and r.row_hash is None), key=_id)
    if not rows:
        return
    previous = head(session, rows[0].id)
    prev_hash = previous.row_hash if previous else None
    for row in rows:
        row.prev_hash = prev_hash
        row.row_hash = content_hash(row, prev_hash)
        prev_hash = row.row_hash
    session.flush()


def _id(row: AuditLog) -> int:
    return int(row.id)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    rows: int
    head_id: int | None
    head_hash: str | None
    unsealed_before_chain: int = 0
    broken_id: int | None = None
    reason: str = ""


def _rows(session: AnySession) -> Iterator[Any]:
    """Plain table rows in id order, a thousand at a time (no ORM objects pile up)."""
    table = AuditLog.__table__
    last = 0
    while True:
        batch = session.execute(
            select(table).where(table.c.id > last).order_by(table.c.id).limit(1000)
        ).all()
        if not batch:
            return
        yield from batch
        last = batch[-1].id


def verify(session: AnySession) -> Verdict:
    """Walk the chain in id order; the first row that breaks it is named. Rows from before
    the chain existed (no hash, all at the start) are counted, not checked."""
    count = legacy = 0
    started = False
    prev_hash: str | None = None
    last_id: int | None = None
    for row in _rows(session):
        count += 1
        if row.row_hash is None and not started:
            legacy += 1
            continue
        started = True
        if row.row_hash is None:
            return Verdict(False, count, last_id, prev_hash, legacy, row.id, "row has no hash")
        if row.prev_hash != prev_hash:
            reason = "previous row deleted, inserted or changed"
            return Verdict(False, count, last_id, prev_hash, legacy, row.id, reason)
        if content_hash(row, prev_hash) != row.row_hash:
            return Verdict(False, count, last_id, prev_hash, legacy, row.id, "row edited")
        prev_hash, last_id = row.row_hash, row.id
    return Verdict(True, count, last_id, prev_hash, legacy)


@once
def install() -> None:
    @event.listens_for(Session, "before_commit")
    def _before_commit(session: Session) -> None:
        if not session.info.get(_PENDING):
            return
        # Flush now (the audit hook adds rows while flushing) so every row has its id.
        for _ in range(10):
            if not (session.new or session.dirty or session.deleted):
                break
            session.flush()
        seal(session)

    @event.listens_for(Session, "after_transaction_end")
    def _after_transaction_end(session: Session, transaction: Any) -> None:
        # Committed, rolled back or closed: what was pending is sealed or gone.
        if transaction.parent is None:
            session.info.pop(_PENDING, None)
            session.info.pop(_LOCKED, None)


def anchor_line(session: AnySession) -> str:
    """One line to keep outside the database: the head row and its hash."""
    found = head(session)
    from carehub.core.time import format_local, now

    if found is None:
        return f"{format_local(now())}\t-\t-"
    return f"{format_local(now())}\t{found.id}\t{found.row_hash}"


def register(main: Any) -> None:
    import click
    from flask.cli import with_appcontext

    @main.group("audit")
    def audit_group() -> None:
        """The audit log's hash chain."""

    @audit_group.command("verify")
    @with_appcontext
    def audit_verify() -> None:
        """Check every row; name the first edited, inserted or deleted one (exit 1)."""
        from carehub.extensions import db

        verdict = verify(db.session)
        if verdict.unsealed_before_chain:
            click.echo(f"{verdict.unsealed_before_chain} rows from before the chain, unchecked")
        if not verdict.ok:
            click.echo(f"BROKEN at audit row {verdict.broken_id}: {verdict.reason}")
            raise SystemExit(1)
        click.echo(f"ok: {verdict.rows} rows, head {verdict.head_id} {verdict.head_hash}")

    @audit_group.command("anchor")
    @with_appcontext
    def audit_anchor() -> None:
        """Print the time, head row and head hash, to be kept outside the database."""
        from carehub.extensions import db

        click.echo(anchor_line(db.session))
