"""Caregiver absences (the elders' caregiver rules are the registry's: registry.models)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carehub.core.audit import Audited
from carehub.core.enums import AbsenceKind, AbsenceStatus
from carehub.db import Base, UTCDateTime, intpk, utcnow
from carehub.registry.models import Caregiver


class CaregiverAbsence(Audited, Base):
    """A caregiver away over [starts_at, ends_at): whole days run from local midnight to
    local midnight. Only an approved absence keeps the caregiver out of plans."""

    __tablename__ = "caregiver_absences"

    id: Mapped[intpk]
    caregiver_id: Mapped[int] = mapped_column(
        ForeignKey("caregivers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AbsenceKind] = mapped_column(String(20))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[AbsenceStatus] = mapped_column(String(20), default=AbsenceStatus.APPROVED)
    note: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    caregiver: Mapped[Caregiver] = relationship()
