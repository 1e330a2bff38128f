"""APScheduler's job store table: named here, created and owned by APScheduler.

Alembic leaves the table alone (``include_object``): its columns are the library's, and
they may change with its version, which a revision of ours could not follow.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Float, MetaData, Table, Unicode

JOBSTORE_TABLE = "apscheduler_jobs"

# Only the columns CareHub reads (the next run times, for `carehub jobs list`).
jobstore = Table(
    JOBSTORE_TABLE,
    MetaData(),
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25)),
)


def include_object(
    object: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's filter: everything but the job store table and what belongs to it."""
    table = object if type_ == "table" else getattr(object, "table", None)
    return getattr(table, "name", None) != JOBSTORE_TABLE
