"""The alert model: one row per thing to look at, open until acknowledged or resolved."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carehub.core.enums import AlertKind
from carehub.db import Base, UTCDateTime, intpk
from carehub.dispatch.models import Visit
from carehub.registry.models import Elder


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
