"""Job runs: each one a claim on a scheduled time."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carehub.core.enums import RunOutcome
from carehub.db import Base, UTCDateTime, intpk


class JobRun(Base):
    """One attempt at one scheduled run of a job.

    The row is the lease: inserting it claims the run, and the unique key lets exactly one
    scheduler process win the insert. The job's work commits only while the row still says
    ``running``, so a run whose lease expired (and was handed to a retry) cannot also commit.
    """

    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job_id", "scheduled_for", "attempt", name="uq_job_runs_claim"),
    )

    id: Mapped[intpk]
    job_id: Mapped[str] = mapped_column(String(60), index=True)
    scheduled_for: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    worker: Mapped[str] = mapped_column(String(120), default="")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    lease_expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[RunOutcome] = mapped_column(String(20), default=RunOutcome.RUNNING, index=True)
    summary: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    # Set on a failed attempt that will be tried again; the retry is the next attempt's claim.
    retry_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
