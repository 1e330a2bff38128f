"""The Alembic history and the models describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from carehub.extensions import db


def test_models_and_migrations_agree(app) -> None:  # type: ignore[no-untyped-def]
    # The session fixture built this database with `upgrade()`; any diff means a missing revision.
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []
