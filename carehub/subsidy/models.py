"""Subsidy policy, catalogue price history, auditor reviews, month locks and the locked ledger.

Policies and prices are effective-dated so a change never rewrites a past month; a locked
month is read from its snapshot (ledger lines and visit results), never recomputed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from carehub.core.audit import Audited
from carehub.core.enums import CareLevel, Hardship
from carehub.db import Base, Fen, UTCDateTime, intpk, utcnow

# Tianjin's seven categories (docs/subsidy.md gives the source).
DEFAULT_ELIGIBLE = [
    Hardship.DIBAO.value,
    Hardship.LOW_INCOME.value,
    Hardship.TEKUN.value,
    Hardship.DISABLED.value,
    Hardship.YOUFU.value,
    Hardship.CHILDLESS_80.value,
    Hardship.ONLY_CHILD_80.value,
]

# GB/T 42195-2022 capability level -> the programme's tier; a policy may set its own.
DEFAULT_TIERS = {
    "intact": CareLevel.NONE.value,
    "mild": CareLevel.MILD.value,
    "moderate": CareLevel.MODERATE.value,
    "severe": CareLevel.SEVERE.value,
    "complete": CareLevel.SEVERE.value,
}

KIND_CARE_LEVEL = "care_level_amount"
KIND_AGE_HOURS = "age_band_hours"
KIND_AGE_AMOUNT = "age_band_amount"
KIND_PER_MEAL = "per_meal"
# The kinds that make up an elder's monthly entitlement; a per-meal policy runs beside them.
MONTHLY_KINDS = (KIND_CARE_LEVEL, KIND_AGE_HOURS, KIND_AGE_AMOUNT)
KINDS = (*MONTHLY_KINDS, KIND_PER_MEAL)


class SubsidyPolicy(Audited, Base):
    """One city scheme, in force from ``effective_from`` until the next policy starts.

    ``care_level_amount``: a monthly amount per care level for the eligible hardship
    categories. ``age_band_hours``: service minutes a month by age band, paid at
    ``hour_value_fen`` an hour. ``age_band_amount``: a monthly amount by age band. Both
    age-band kinds add ``supplement`` (minutes or fen) for elders who cannot look after
    themselves (severe care level or the disabled hardship category).
    """

    __tablename__ = "subsidy_policies"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40), default=KIND_CARE_LEVEL)
    effective_from: Mapped[dt.date] = mapped_column(Date, index=True)
    effective_to: Mapped[dt.date | None] = mapped_column(Date)
    eligible_hardships: Mapped[list[str]] = mapped_column(
        JSON, default=lambda: list(DEFAULT_ELIGIBLE)
    )
    amount_mild_fen: Mapped[Fen] = mapped_column(default=20000)
    amount_moderate_fen: Mapped[Fen] = mapped_column(default=40000)
    amount_severe_fen: Mapped[Fen] = mapped_column(default=60000)
    # [{"min_age": 60, "max_age": 79, "value": 8000}, ...]; value in fen or minutes by kind.
    age_bands: Mapped[list[dict[str, int]]] = mapped_column(JSON, default=list)
    supplement: Mapped[int] = mapped_column(Integer, default=0)
    hour_value_fen: Mapped[Fen] = mapped_column(default=0)
    carry_over: Mapped[bool] = mapped_column(Boolean, default=False)
    # Capability level -> tier; None uses DEFAULT_TIERS.
    level_tiers: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # Per-meal ("double subsidy") policies: an amount per meal to the elder and one to the
    # canteen's operator, for elders of age (and of the eligible categories, if any), at
    # most ``meal_daily_cap`` meals a day.
    meal_elder_fen: Mapped[Fen] = mapped_column(default=0, server_default="0")
    meal_operator_fen: Mapped[Fen] = mapped_column(default=0, server_default="0")
    meal_daily_cap: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    meal_min_age: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    meal_max_age: Mapped[int] = mapped_column(Integer, default=200, server_default="200")
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


class ServicePrice(Base):
    """A catalogue price from a date on; a visit is paid at the price of its own date."""

    __tablename__ = "subsidy_service_prices"
    __table_args__ = (UniqueConstraint("service_type_id", "effective_from"),)

    id: Mapped[intpk]
    service_type_id: Mapped[int] = mapped_column(
        ForeignKey("service_types.id", ondelete="CASCADE"), index=True
    )
    effective_from: Mapped[dt.date] = mapped_column(Date)
    price_fen: Mapped[Fen]


class VisitReview(Audited, Base):
    """An auditor's decision on a flagged or rejected visit of an open month."""

    __tablename__ = "subsidy_visit_reviews"

    id: Mapped[intpk]
    visit_id: Mapped[int] = mapped_column(
        ForeignKey("visits.id", ondelete="CASCADE"), unique=True, index=True
    )
    decision: Mapped[str] = mapped_column(String(20))  # "approved" or "rejected"
    reason: Mapped[str] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MonthLock(Audited, Base):
    """A reconciled month. While ``locked``, its figures come from the snapshot only."""

    __tablename__ = "subsidy_month_locks"

    id: Mapped[intpk]
    month: Mapped[str] = mapped_column(String(7), unique=True)  # "YYYY-MM", Asia/Shanghai
    locked: Mapped[bool] = mapped_column(Boolean, default=True)
    locked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    unlocked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    unlock_reason: Mapped[str | None] = mapped_column(Text)


class LedgerLine(Base):
    """One elder's figures for a locked month, as they stood when it was locked."""

    __tablename__ = "subsidy_ledger_lines"
    __table_args__ = (UniqueConstraint("month", "elder_id"),)

    id: Mapped[intpk]
    month: Mapped[str] = mapped_column(String(7), index=True)
    elder_id: Mapped[int] = mapped_column(ForeignKey("elders.id", ondelete="RESTRICT"))
    elder_code: Mapped[str] = mapped_column(String(40))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id", ondelete="SET NULL"))
    care_level: Mapped[str] = mapped_column(String(20))
    entitlement_fen: Mapped[Fen]
    carried_in_fen: Mapped[Fen] = mapped_column(default=0)
    verified_fen: Mapped[Fen]
    payable_fen: Mapped[Fen]
    excess_fen: Mapped[Fen]
    unused_fen: Mapped[Fen]
    flagged_fen: Mapped[Fen]
    verified_visits: Mapped[int] = mapped_column(Integer)
    flagged_visits: Mapped[int] = mapped_column(Integer)
    rejected_visits: Mapped[int] = mapped_column(Integer)


class VisitResult(Base):
    """A visit's verification outcome in a locked month: its status, reasons and value."""

    __tablename__ = "subsidy_visit_results"

    id: Mapped[intpk]
    month: Mapped[str] = mapped_column(String(7), index=True)
    visit_id: Mapped[int] = mapped_column(
        ForeignKey("visits.id", ondelete="RESTRICT"), unique=True, index=True
    )
    elder_id: Mapped[int] = mapped_column(ForeignKey("elders.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    value_fen: Mapped[Fen]


class Adjustment(Audited, Base):
    """A correction to a locked month, booked as an amount in a later open month."""

    __tablename__ = "subsidy_adjustments"

    id: Mapped[intpk]
    month: Mapped[str] = mapped_column(String(7), index=True)  # where it is paid or recovered
    source_month: Mapped[str] = mapped_column(String(7))  # the locked month it corrects
    elder_id: Mapped[int] = mapped_column(ForeignKey("elders.id", ondelete="RESTRICT"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="SET NULL"))
    decision: Mapped[str | None] = mapped_column(String(20))
    amount_fen: Mapped[Fen]  # signed: positive pays more, negative recovers
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class VisitReceipt(Base):
    """When a visit's check-out reached the server, for the upload-delay rule.

    Kept apart from ``visits`` so the mobile sync can write it without touching the visit's
    optimistic-lock version.
    """

    __tablename__ = "subsidy_visit_receipts"

    visit_id: Mapped[int] = mapped_column(
        ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True
    )
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class MonthFigures(Base):
    """An open month's rule verdicts and entitlements as worked out by a background task,
    with the fingerprint of the inputs they came from (see ``month_figures``). Derived data:
    not audited, replaced whole whenever the month is worked out again."""

    __tablename__ = "subsidy_month_figures"

    id: Mapped[intpk]
    month: Mapped[str] = mapped_column(String(7), unique=True)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    computed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    visit_count: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)  # zlib-compressed JSON
    # A task's claim, so two workers do not work out the same inputs at once.
    working_fingerprint: Mapped[str | None] = mapped_column(String(64))
    working_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
