"""Job runs (each one a claim on a scheduled time) and the alerts jobs raise."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carehub.core.enums import AlertKind, RunOutcome
from carehub.db import Base, UTCDateTime, intpk
from carehub.dispatch.models import Visit
from carehub.registry.models import Elder


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


class Alert(Base):
    """Something a dispatcher or administrator should look at, until acknowledged."""

    __tablename__ = "alerts"
    __table_args__ = (
        # One late and one missed alert per visit, however often the watch runs.
        UniqueConstraint("kind", "visit_id", name="uq_alerts_kind_visit"),
    )

    id: Mapped[intpk]
    kind: Mapped[AlertKind] = mapped_column(String(20), index=True)
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("visits.id", ondelete="CASCADE"), index=True
    )
    elder_id: Mapped[int | None] = mapped_column(
        ForeignKey("elders.id", ondelete="CASCADE"), index=True
    )
    station_id: Mapped[int | None] = mapped_column(
        ForeignKey("stations.id", ondelete="CASCADE"), index=True
    )
    job_id: Mapped[str | None] = mapped_column(String(60), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    visit: Mapped[Visit | None] = relationship()
    elder: Mapped[Elder | None] = relationship()

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None
