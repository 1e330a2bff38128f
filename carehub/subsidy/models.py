"""Subsidy policy, effective-dated so a change never rewrites a past month."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carehub.core.audit import Audited
from carehub.core.enums import CareLevel, Hardship
from carehub.db import Base, Fen, UTCDateTime, intpk, utcnow

DEFAULT_ELIGIBLE = [Hardship.DIBAO.value, Hardship.LOW_INCOME.value, Hardship.TEKUN.value]


class SubsidyPolicy(Audited, Base):
    """A monthly amount per care level for elders in the eligible hardship categories.

    ``kind`` leaves room for the other city schemes (hours by age band, amount by age band).
    """

    __tablename__ = "subsidy_policies"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40), default="care_level_amount")
    effective_from: Mapped[dt.date] = mapped_column(Date, index=True)
    effective_to: Mapped[dt.date | None] = mapped_column(Date)
    eligible_hardships: Mapped[list[str]] = mapped_column(
        JSON, default=lambda: list(DEFAULT_ELIGIBLE)
    )
    amount_mild_fen: Mapped[Fen] = mapped_column(default=20000)
    amount_moderate_fen: Mapped[Fen] = mapped_column(default=40000)
    amount_severe_fen: Mapped[Fen] = mapped_column(default=60000)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def monthly_amount_fen(self, care_level: CareLevel | str, hardship: Hardship | str) -> int:
        if str(hardship) not in self.eligible_hardships:
            return 0
        return {
            CareLevel.MILD: self.amount_mild_fen,
            CareLevel.MODERATE: self.amount_moderate_fen,
            CareLevel.SEVERE: self.amount_severe_fen,
        }.get(CareLevel(care_level), 0)
