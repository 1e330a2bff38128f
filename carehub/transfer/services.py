"""What the import pages and the import task share: who is recorded as importing, and the
result as the task's page shows it."""

from __future__ import annotations

from typing import Any

from carehub.auth.models import User
from carehub.db import AnySession
from carehub.registry.imports import ImportResult


def actor_for(session: AnySession, user_id: int | None) -> str:
    """The audit actor of an import started by a user (gone users leave the generic one)."""
    user = session.get(User, user_id) if user_id is not None else None
    return f"web:{user.username}" if user else "web:import"


def result_json(result: ImportResult) -> dict[str, Any]:
    return {
        "entity": result.entity,
        "filename": result.filename,
        "dry_run": result.dry_run,
        **result.counts(),
        "errors": [[e.line, e.column, str(e.reason)] for e in result.errors],
    }
