"""What is to be done: recurring care plans, requests for a day, and the visits that serve them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carehub.core.audit import Audited
from carehub.core.enums import RequestOrigin, RequestStatus, VisitStatus
from carehub.db import Base, UTCDateTime, intpk, utcnow
from carehub.registry.models import (
    Caregiver,
    CarePlan,
    Elder,
    Kitchen,
    ServiceType,
    Station,
    canteen_key,
    kitchen_key,
)


class ServiceRequest(Audited, Base):
    """One service wanted on one day, from a care plan, a phone call or an emergency."""

    __tablename__ = "service_requests"
    __table_args__ = (
        # A care plan yields at most one request a day: generation is idempotent.
        UniqueConstraint("care_plan_id", "service_date", name="uq_service_requests_plan_day"),
    )

    id: Mapped[intpk]
    elder_id: Mapped[int] = mapped_column(ForeignKey("elders.id", ondelete="CASCADE"), index=True)
    service_type_id: Mapped[int] = mapped_column(
        ForeignKey("service_types.id", ondelete="RESTRICT"), index=True
    )
    care_plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("care_plans.id", ondelete="SET NULL"), index=True
    )
    service_date: Mapped[dt.date] = mapped_column(Date, index=True)
    window_start: Mapped[dt.time] = mapped_column(Time)
    window_end: Mapped[dt.time] = mapped_column(Time)
    priority: Mapped[int] = mapped_column(Integer, default=3)
    origin: Mapped[RequestOrigin] = mapped_column(String(20))
    status: Mapped[RequestStatus] = mapped_column(String(20), default=RequestStatus.OPEN)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    elder: Mapped[Elder] = relationship()
    service_type: Mapped[ServiceType] = relationship()
    care_plan: Mapped[CarePlan | None] = relationship()
    visits: Mapped[list[Visit]] = relationship(back_populates="request")


class MealRound(Audited, Base):
    """A batch of meals a caregiver collects at a kitchen (or a station's canteen) and then
    drops at the doors of its visits, in their route order."""

    __tablename__ = "meal_rounds"

    id: Mapped[intpk]
    service_date: Mapped[dt.date] = mapped_column(Date, index=True)
    caregiver_id: Mapped[int] = mapped_column(
        ForeignKey("caregivers.id", ondelete="RESTRICT"), index=True
    )
    # Exactly one of these: a kitchen, or the canteen of a station.
    kitchen_id: Mapped[int | None] = mapped_column(
        ForeignKey("kitchens.id", ondelete="RESTRICT"), index=True
    )
    canteen_station_id: Mapped[int | None] = mapped_column(
        ForeignKey("stations.id", ondelete="RESTRICT"), index=True
    )
    collect_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())  # planned start of loading
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, ... in the caregiver's day
    collected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    caregiver: Mapped[Caregiver] = relationship()
    kitchen: Mapped[Kitchen | None] = relationship()
    canteen_station: Mapped[Station | None] = relationship()
    visits: Mapped[list[Visit]] = relationship(
        back_populates="meal_round", order_by="Visit.route_seq"
    )

    @property
    def kitchen_key(self) -> str:
        """The routing Kitchen id it was collected at."""
        if self.kitchen is not None:
            return kitchen_key(self.kitchen.code)
        return canteen_key(self.canteen_station.code if self.canteen_station else "")

    @property
    def place_name(self) -> str:
        place = self.kitchen or self.canteen_station
        return place.name if place is not None else ""

    @property
    def place_address(self) -> str:
        place = self.kitchen or self.canteen_station
        return place.address if place is not None else ""


class Visit(Audited, Base):
    """A caregiver's visit serving a request: planned, then checked in and out at the door."""

    __tablename__ = "visits"

    id: Mapped[intpk]
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), index=True
    )
    caregiver_id: Mapped[int | None] = mapped_column(
        ForeignKey("caregivers.id", ondelete="RESTRICT"), index=True
    )
    planned_start: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    planned_end: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    route_seq: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[VisitStatus] = mapped_column(String(20), default=VisitStatus.PLANNED, index=True)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    # Served by a caregiver of a neighbouring station's circle because its own could not.
    lent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    check_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    check_in_lat: Mapped[float | None] = mapped_column(Float)
    check_in_lon: Mapped[float | None] = mapped_column(Float)
    check_in_accuracy_m: Mapped[float | None] = mapped_column(Float)
    check_out_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    check_out_lat: Mapped[float | None] = mapped_column(Float)
    check_out_lon: Mapped[float | None] = mapped_column(Float)
    check_out_accuracy_m: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    # A meal drop: the round whose collection carries this meal.
    meal_round_id: Mapped[int | None] = mapped_column(
        ForeignKey("meal_rounds.id", ondelete="SET NULL"), index=True
    )
    # When the caregiver was first told (status set to published): the late and missed
    # alerts do not blame a visit published after its window.
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Optimistic locking: two dispatchers editing one visit cannot both win silently.
    version: Mapped[int] = mapped_column(Integer, default=1)

    request: Mapped[ServiceRequest] = relationship(back_populates="visits")
    caregiver: Mapped[Caregiver | None] = relationship()
    meal_round: Mapped[MealRound | None] = relationship(back_populates="visits")

    __mapper_args__ = {"version_id_col": version}

    @property
    def duration_minutes(self) -> int | None:
        if self.check_in_at and self.check_out_at:
            return int((self.check_out_at - self.check_in_at).total_seconds() // 60)
        return None
