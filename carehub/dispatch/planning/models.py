"""A record of each planning run: what went in, what came out, and what could not be placed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carehub.db import Base, UTCDateTime, intpk, utcnow

RUN_QUEUED = "queued"
RUN_RUNNING = "running"
RUN_DONE = "done"
RUN_PUBLISHED = "published"
RUN_FAILED = "failed"
ACTIVE = (RUN_QUEUED, RUN_RUNNING)
FINISHED = (RUN_DONE, RUN_PUBLISHED)


class PlanningRun(Base):
    """One ``plan_day`` call. Not audited row by row: the run itself is the log."""

    __tablename__ = "planning_runs"

    id: Mapped[intpk]
    service_date: Mapped[dt.date] = mapped_column(Date, index=True)
    # Station codes planned, in order; empty means every active station.
    stations: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default=RUN_RUNNING)
    # Counts of requests, caregivers, pinned visits, circles: enough to explain the result.
    input_summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    objective: Mapped[int | None] = mapped_column(Integer)
    travel_minutes: Mapped[int | None] = mapped_column(Integer)
    solve_seconds: Mapped[float | None] = mapped_column(Float)
    fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    visits_planned: Mapped[int] = mapped_column(Integer, default=0)
    visits_lent: Mapped[int] = mapped_column(Integer, default=0)
    # [{"request_id": 12, "reason": "capacity"}, ...]
    unassigned: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by: Mapped[str | None] = mapped_column(String(80))
    time_limit_s: Mapped[float | None] = mapped_column(Float)
    # Parts of the solve done and in all (circles, then circles lending), while it runs.
    progress_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    progress_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Last sign of life from the process solving; a run silent too long died with it.
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    # Figures for the result page, computed once when the run finishes (see planning_kpis).
    kpis: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Extra shifts that would serve what the run left open, each proven by a solve (see
    # planning_shortfall); None when nothing more staff could serve was left open.
    shortfall: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[str | None] = mapped_column(String(80))

    @property
    def active(self) -> bool:
        return self.status in ACTIVE
