"""Assessment forms (versioned definitions), the assessments and overrides that make up an
elder's care-level history, and the flags that bring a re-assessment forward."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carehub.core.audit import Audited
from carehub.db import Base, UTCDateTime, intpk, utcnow

KIND_ASSESSMENT = "assessment"
KIND_OVERRIDE = "override"

FLAG_CHANGE = "change"


class AssessmentForm(Audited, Base):
    """One version of an assessment form, loaded from its JSON document and kept whole, so
    an assessment is always read against the definition it was scored with."""

    __tablename__ = "assessment_forms"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Assessment(Audited, Base):
    """An entry in an elder's care-level history, in force from ``effective_from`` until
    the next one: a scored assessment (the capability level; the policy in force maps it
    to a subsidy tier) or an administrator's override (a tier, with its reason)."""

    __tablename__ = "assessments"

    id: Mapped[intpk]
    elder_id: Mapped[int] = mapped_column(ForeignKey("elders.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=KIND_ASSESSMENT)
    form_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment_forms.id", ondelete="RESTRICT")
    )
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    effective_from: Mapped[dt.date] = mapped_column(Date, index=True)
    answers: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    adjustments: Mapped[list[str]] = mapped_column(JSON, default=list)
    indicator_scores: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    total: Mapped[int | None] = mapped_column(Integer)
    ability_level: Mapped[str | None] = mapped_column(String(20))
    # An override's tier; for an assessment, the tier it mapped to when it was recorded.
    care_level: Mapped[str] = mapped_column(String(20))
    # The elder's tier before this entry, for the days before their first entry.
    previous_care_level: Mapped[str] = mapped_column(String(20))
    place: Mapped[str] = mapped_column(String(20), default="office")
    reason: Mapped[str | None] = mapped_column(Text)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signed_name: Mapped[str] = mapped_column(String(80))
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    form: Mapped[AssessmentForm | None] = relationship()


class AssessmentFlag(Audited, Base):
    """A change in an elder's condition noted by staff; it makes the elder due at once
    until the next assessment settles it."""

    __tablename__ = "assessment_flags"

    id: Mapped[intpk]
    elder_id: Mapped[int] = mapped_column(ForeignKey("elders.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=FLAG_CHANGE)
    noted_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    noted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    settled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="SET NULL")
    )
