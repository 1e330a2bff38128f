"""Who and where: stations, elders, caregivers, skills and the service catalogue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carehub.core import weekdays
from carehub.core.audit import Audited
from carehub.core.enums import (
    CaregiverRuleKind,
    CareLevel,
    ElderStatus,
    Gender,
    Hardship,
    TravelMode,
)
from carehub.db import Base, Fen, UTCDateTime, intpk, utcnow


def _enum_col(length: int = 20) -> String:
    return String(length)


class Skill(Audited, Base):
    """A qualification a service may require (bathing-trained, nursing, ...)."""

    __tablename__ = "skills"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))


# When a canteen's meals are ready unless it says otherwise.
DEFAULT_MEALS_READY = dt.time(10, 45)


class Kitchen(Audited, Base):
    """A central kitchen that cooks the meals of the stations that name it."""

    __tablename__ = "kitchens"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(255), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    ready_at: Mapped[dt.time] = mapped_column(Time, default=DEFAULT_MEALS_READY)

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


def kitchen_key(code: str) -> str:
    """The routing Kitchen id of a kitchen, kept apart from station codes."""
    return f"kitchen:{code}"


def canteen_key(station_code: str) -> str:
    return f"station:{station_code}"


@dataclass(frozen=True)
class MealSource:
    """Where a station's meals are collected: a kitchen it names, or its own canteen."""

    key: str  # unique across canteens and kitchens, the routing Kitchen id
    name: str
    address: str
    lat: float
    lon: float
    ready_at: dt.time
    kitchen_id: int | None
    station_id: int | None


class Station(Audited, Base):
    """A community care station and its promised service circle."""

    __tablename__ = "stations"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(255), default="")
    # The administrative district (区/县) the bureau reports by; empty when not given.
    district: Mapped[str] = mapped_column(String(60), default="", server_default="", index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    circle_minutes: Mapped[int] = mapped_column(Integer, default=15)
    phone: Mapped[str | None] = mapped_column(String(40))
    provider: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Meals come from this kitchen; none means the station's own canteen, ready at meals_ready
    # (DEFAULT_MEALS_READY when unset).
    kitchen_id: Mapped[int | None] = mapped_column(
        ForeignKey("kitchens.id", ondelete="RESTRICT"), index=True
    )
    meals_ready: Mapped[dt.time | None] = mapped_column(Time)

    elders: Mapped[list[Elder]] = relationship(back_populates="station")
    caregivers: Mapped[list[Caregiver]] = relationship(back_populates="station")
    kitchen: Mapped[Kitchen | None] = relationship()

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def canteen_ready(self) -> dt.time:
        return self.meals_ready or DEFAULT_MEALS_READY

    def meal_source(self) -> MealSource:
        k = self.kitchen
        if k is not None:
            return MealSource(
                kitchen_key(k.code), k.name, k.address, k.lat, k.lon, k.ready_at, k.id, None
            )
        return MealSource(
            canteen_key(self.code),
            self.name,
            self.address,
            self.lat,
            self.lon,
            self.canteen_ready,
            None,
            self.id,
        )


class Elder(Audited, Base):
    __tablename__ = "elders"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    name_initials: Mapped[str] = mapped_column(String(20), default="", index=True)
    gender: Mapped[Gender] = mapped_column(_enum_col())
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(String(40), default="", index=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    station_id: Mapped[int | None] = mapped_column(
        ForeignKey("stations.id", ondelete="RESTRICT"), index=True
    )
    care_level: Mapped[CareLevel] = mapped_column(_enum_col(), default=CareLevel.NONE)
    care_level_assessed_on: Mapped[dt.date | None] = mapped_column(Date)
    hardship: Mapped[Hardship] = mapped_column(_enum_col(), default=Hardship.NONE)
    status: Mapped[ElderStatus] = mapped_column(_enum_col(), default=ElderStatus.ACTIVE)
    status_since: Mapped[dt.date | None] = mapped_column(Date)
    preferred_caregiver_gender: Mapped[Gender | None] = mapped_column(_enum_col())
    emergency_contact_name: Mapped[str | None] = mapped_column(String(80))
    emergency_contact_phone: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)
    # What the kitchen must know: 低盐, 软食, 清真 ... shown on meal rounds and packing lists.
    diet_notes: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    station: Mapped[Station | None] = relationship(back_populates="elders")
    status_periods: Mapped[list[ElderStatusPeriod]] = relationship(
        back_populates="elder",
        order_by="ElderStatusPeriod.start_date",
        cascade="all, delete-orphan",
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def status_on(self, day: dt.date) -> ElderStatus:
        """The status in force on a day, from the effective-dated periods."""
        found = ElderStatus.ACTIVE
        for period in self.status_periods:
            if period.start_date <= day and (period.end_date is None or day <= period.end_date):
                found = ElderStatus(period.status)
        return found

    def is_active_on(self, day: dt.date) -> bool:
        return self.status_on(day) == ElderStatus.ACTIVE

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None


class ElderStatusPeriod(Audited, Base):
    """A status (hospitalised, moved, ...) with the dates it applies, so past months
    keep the status they had."""

    __tablename__ = "elder_status_periods"

    id: Mapped[intpk]
    elder_id: Mapped[int] = mapped_column(ForeignKey("elders.id", ondelete="CASCADE"), index=True)
    status: Mapped[ElderStatus] = mapped_column(_enum_col())
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    elder: Mapped[Elder] = relationship(back_populates="status_periods")


caregiver_skills = Table(
    "caregiver_skills",
    Base.metadata,
    Column("caregiver_id", ForeignKey("caregivers.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id", ondelete="RESTRICT"), primary_key=True),
)


class Caregiver(Audited, Base):
    __tablename__ = "caregivers"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    gender: Mapped[Gender] = mapped_column(_enum_col())
    phone: Mapped[str] = mapped_column(String(40), default="")
    station_id: Mapped[int] = mapped_column(
        ForeignKey("stations.id", ondelete="RESTRICT"), index=True
    )
    weekdays_mask: Mapped[int] = mapped_column(Integer, default=0b0011111)
    shift_start: Mapped[dt.time] = mapped_column(Time)
    shift_end: Mapped[dt.time] = mapped_column(Time)
    max_work_minutes: Mapped[int | None] = mapped_column(Integer)
    # An optional lunch break: lunch_minutes taken wholly inside [lunch_start, lunch_end].
    lunch_start: Mapped[dt.time | None] = mapped_column(Time)
    lunch_end: Mapped[dt.time | None] = mapped_column(Time)
    lunch_minutes: Mapped[int | None] = mapped_column(Integer)
    travel_mode: Mapped[TravelMode] = mapped_column(_enum_col(), default=TravelMode.EBIKE)
    home_lat: Mapped[float | None] = mapped_column(Float)
    home_lon: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    station: Mapped[Station] = relationship(back_populates="caregivers")
    skills: Mapped[list[Skill]] = relationship(secondary=caregiver_skills, order_by="Skill.code")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def skill_codes(self) -> list[str]:
        return [skill.code for skill in self.skills]

    @property
    def weekdays_text(self) -> str:
        return weekdays.format_mask(self.weekdays_mask)

    def works_on(self, day: dt.date) -> bool:
        return self.active and weekdays.includes(self.weekdays_mask, day)

    @property
    def has_lunch(self) -> bool:
        return None not in (self.lunch_start, self.lunch_end, self.lunch_minutes)

    def has_skill(self, code: str | None) -> bool:
        return code is None or code in self.skill_codes


class ServiceType(Audited, Base):
    """The catalogue: what can be ordered, how long it takes, what it costs."""

    __tablename__ = "service_types"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    duration_min: Mapped[int] = mapped_column(Integer)
    price_fen: Mapped[Fen] = mapped_column(default=0)
    skill_id: Mapped[int | None] = mapped_column(ForeignKey("skills.id", ondelete="RESTRICT"))
    caregivers_needed: Mapped[int] = mapped_column(Integer, default=1)
    window_start: Mapped[dt.time | None] = mapped_column(Time)
    window_end: Mapped[dt.time | None] = mapped_column(Time)
    priority: Mapped[int] = mapped_column(Integer, default=3)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The subsidy's too_short threshold for this service (percent of duration_min); none
    # uses the rule's own setting.
    min_visit_percent: Mapped[int | None] = mapped_column(Integer)

    skill: Mapped[Skill | None] = relationship()

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"

    def display_name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") else self.name_zh


class CarePlan(Audited, Base):
    """A recurring service: this elder gets this service on these weekdays in this window."""

    __tablename__ = "care_plans"

    id: Mapped[intpk]
    elder_id: Mapped[int] = mapped_column(ForeignKey("elders.id", ondelete="CASCADE"), index=True)
    service_type_id: Mapped[int] = mapped_column(
        ForeignKey("service_types.id", ondelete="RESTRICT"), index=True
    )
    weekdays_mask: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[dt.time] = mapped_column(Time)
    window_end: Mapped[dt.time] = mapped_column(Time)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    elder: Mapped[Elder] = relationship()
    service_type: Mapped[ServiceType] = relationship()

    @property
    def weekdays_text(self) -> str:
        return weekdays.format_mask(self.weekdays_mask)

    def applies_on(self, day: dt.date) -> bool:
        return (
            self.active
            and self.start_date <= day
            and (self.end_date is None or day <= self.end_date)
            and weekdays.includes(self.weekdays_mask, day)
        )


class ElderCaregiverRule(Audited, Base):
    """A caregiver an elder prefers (soft, lower rank first) or must never get (hard)."""

    __tablename__ = "elder_caregiver_rules"
    __table_args__ = (UniqueConstraint("elder_id", "caregiver_id"),)

    id: Mapped[intpk]
    elder_id: Mapped[int] = mapped_column(ForeignKey("elders.id", ondelete="CASCADE"), index=True)
    caregiver_id: Mapped[int] = mapped_column(
        ForeignKey("caregivers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[CaregiverRuleKind] = mapped_column(String(20))
    rank: Mapped[int] = mapped_column(Integer, default=1)

    elder: Mapped[Elder] = relationship()
    caregiver: Mapped[Caregiver] = relationship()
