"""The Alembic history and the models describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from carehub.extensions import db
from carehub.jobs.store import JOBSTORE_TABLE, include_object


def _diff(**opts: object) -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, **opts})
        return list(compare_metadata(context, db.metadata))


def test_models_and_migrations_agree(app) -> None:
    # The session fixture built this database with `upgrade()`; any diff means a missing revision.
    assert _diff(include_object=include_object) == []


def test_the_job_store_table_is_apschedulers_and_alembic_leaves_it_alone(app) -> None:
    SQLAlchemyJobStore(engine=db.engine, tablename=JOBSTORE_TABLE).start(
        BackgroundScheduler(), "default"
    )
    # Unfiltered, autogenerate would drop the table and its index.
    assert sorted(d[0] for d in _diff()) == ["remove_index", "remove_table"]
    assert _diff(include_object=include_object) == []
