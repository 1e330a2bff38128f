"""The audit log: who changed what, when, with the values before and after.

Rows are written by a session hook for every insert, update and delete of an audited
model, so no view or service can forget. The actor comes from the logged-in user, or
from ``acting_as()`` for command-line work and jobs.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import enum
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, event, inspect
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from carehub.core.once import once
from carehub.db import AnySession, Base, UTCDateTime, intpk

_actor: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_actor", default=None)
_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_off", default=False)

# Columns never copied into the log.
_SECRET_COLUMNS = {"password_hash", "token_hash"}


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[intpk]
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    entity_type: Mapped[str] = mapped_column(String(60), index=True)
    entity_id: Mapped[int | None] = mapped_column(Integer, index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    # The hash chain (carehub.core.audit.chain): this row's content and the previous row's hash.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))


class Audited:
    """Mixin: changes to subclasses are written to the audit log automatically."""

    __audit_exclude__: frozenset[str] = frozenset()


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Name the actor for changes made outside a web request (``cli``, ``job:...``)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


@contextmanager
def suppressed() -> Iterator[None]:
    """Bulk loads (city-sized seed data) log one summary entry instead of a row per insert."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def is_suppressed() -> bool:
    return _suppressed.get()


def _current_actor() -> tuple[int | None, str]:
    from flask import has_request_context
    from flask_login import current_user

    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user.id, current_user.username
    return None, _actor.get() or "system"


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def _columns(obj: Any) -> list[str]:
    exclude = _SECRET_COLUMNS | set(getattr(obj, "__audit_exclude__", ()))
    return [c.key for c in inspect(obj).mapper.column_attrs if c.key not in exclude]


def snapshot(obj: Any) -> dict[str, Any]:
    return {key: _plain(getattr(obj, key)) for key in _columns(obj)}


def record(
    session: AnySession,
    action: str,
    entity_type: str,
    entity_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
) -> AuditLog:
    """Write one explicit entry (logins, imports, bulk actions)."""
    from carehub.core.time import now

    user_id, actor = _current_actor()
    entry = AuditLog(
        at=now(),
        user_id=user_id,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=after,
        note=note,
    )
    session.add(entry)
    from carehub.core.audit import chain

    chain.added(session, entry)
    return entry


def _stored_row(session: Session, obj: Any) -> dict[str, Any]:
    """The row as the database holds it, for old values the session never loaded
    (an attribute set after a commit expired the object has no 'before' in its history)."""
    mapper = inspect(obj).mapper
    table = mapper.local_table
    pk = mapper.primary_key[0]
    row = (
        session.connection()
        .execute(table.select().where(pk == inspect(obj).identity[0]))
        .mappings()
        .first()
    )
    if row is None:
        return {}
    return {prop.key: row[prop.columns[0].name] for prop in mapper.column_attrs}


def _changed(obj: Any, session: Session) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    stored: dict[str, Any] | None = None
    for key in _columns(obj):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        if history.deleted:
            old = history.deleted[0]
        else:
            if stored is None:
                stored = _stored_row(session, obj) if state.identity else {}
            old = stored.get(key)
        new = history.added[0] if history.added else None
        if _plain(old) == _plain(new):
            continue
        before[key] = _plain(old)
        after[key] = _plain(new)
    return before, after


def _bulk_values(statement: Any) -> dict[str, Any] | None:
    """The SET values of an update() statement, where they are plain literals."""
    found: dict[str, Any] = {}
    for column, value in getattr(statement, "_values", {}).items():
        key = getattr(column, "key", str(column))
        if key in _SECRET_COLUMNS:
            continue
        found[key] = _plain(getattr(value, "value", "<expression>"))
    return found or None


def _updated_and_deleted(
    session: Session,
) -> list[tuple[str, Any, dict[str, Any] | None, dict[str, Any] | None]]:
    """The audited rows this flush changes or deletes, with their values before and after."""
    pending: list[tuple[str, Any, dict[str, Any] | None, dict[str, Any] | None]] = []
    for obj in list(session.dirty):
        if isinstance(obj, Audited) and session.is_modified(obj):
            before, after = _changed(obj, session)
            if after:
                pending.append(("update", obj, before, after))
    for obj in list(session.deleted):
        if isinstance(obj, Audited):
            pending.append(("delete", obj, snapshot(obj), None))
    return pending


@once
def install() -> None:
    """Hook the audit writer into every ORM session (once per process)."""
    session_cls = Session

    @event.listens_for(session_cls, "before_flush")
    def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
        if _suppressed.get():
            return
        pending = _updated_and_deleted(session)
        created = [obj for obj in session.new if isinstance(obj, Audited)]
        session.info.setdefault("audit_created", []).extend(created)
        for action, obj, old, new in pending:
            record(session, action, type(obj).__name__, obj.id, old, new)

    @event.listens_for(session_cls, "do_orm_execute")
    def _bulk(state: ORMExecuteState) -> Any:
        # update()/delete() statements skip the flush hooks above; log them here, with the
        # statement and the rows it touched, unless the caller records them itself.
        if _suppressed.get() or not (state.is_update or state.is_delete):
            return None
        mapper = state.bind_mapper
        if mapper is None or not issubclass(mapper.class_, Audited):
            return None
        if state.execution_options.get("audit_recorded"):
            return None
        result = state.invoke_statement()
        action = "bulk_update" if state.is_update else "bulk_delete"
        sql = str(state.statement.compile(dialect=state.session.get_bind().dialect))  # type: ignore[attr-defined]
        values = _bulk_values(state.statement) if state.is_update else None
        note = f"{result.rowcount} rows: {sql}"[:2000]  # type: ignore[attr-defined]
        record(state.session, action, mapper.class_.__name__, None, None, values, note)
        return result

    @event.listens_for(session_cls, "after_flush")
    def _after_flush(session: Session, flush_context: Any) -> None:
        # Inserted rows only have their ids after the flush; log them in a follow-up flush.
        created = session.info.pop("audit_created", [])
        for obj in created:
            record(session, "create", type(obj).__name__, obj.id, None, snapshot(obj))
