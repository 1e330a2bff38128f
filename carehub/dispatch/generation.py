"""Turn care plans into the service requests of each day they apply to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Sequence
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from carehub.core import audit
from carehub.core.enums import RequestOrigin, RequestStatus
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest
from carehub.registry.models import CarePlan, Elder

# A longer range is almost certainly a typing mistake, and would write a year of rows.
MAX_DAYS = 92


class GenerationError(ValueError):
    pass


@dataclass
class GenerationCounts:
    created: int = 0
    existing: int = 0
    skipped_elder_inactive: int = 0
    skipped_service_inactive: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def generate_requests(
    session: AnySession, start: dt.date, end: dt.date, *, station_id: int | None = None
) -> GenerationCounts:
    """Create the missing care-plan requests for the local days ``start`` to ``end`` inclusive.

    A plan yields a request on each day it applies to (active, within its dates, on one of
    its weekdays) while its elder's status that day is active. Requests already there are
    left alone, so running twice creates nothing new. ``station_id`` limits it to that
    station's elders (a station's dispatcher). Flushes, never commits.
    """
    if end < start:
        raise GenerationError(f"the range ends ({end}) before it starts ({start})")
    if (end - start).days + 1 > MAX_DAYS:
        raise GenerationError(f"at most {MAX_DAYS} days at a time")

    plans = _plans(session, start, end, station_id)
    done = set(
        session.execute(
            select(ServiceRequest.care_plan_id, ServiceRequest.service_date).where(
                ServiceRequest.care_plan_id.in_([plan.id for plan in plans]),
                ServiceRequest.service_date.between(start, end),
            )
        )
    )
    counts = GenerationCounts()
    new = _missing(plans, done, start, end, counts)
    counts.created = len(new)

    # Requests are derived from plans, which are audited; one summary entry keeps a nightly
    # run over a city's plans from writing an audit row per request.
    with audit.suppressed():
        session.add_all(new)
        session.flush()
    audit.record(
        session,
        "generate",
        "ServiceRequest",
        note=(
            f"care-plan requests {start.isoformat()}..{end.isoformat()}"
            f"{'' if station_id is None else f' station {station_id}'}: {counts.as_dict()}"
        ),
    )
    session.flush()
    return counts


def _plans(
    session: AnySession, start: dt.date, end: dt.date, station_id: int | None
) -> Sequence[CarePlan]:
    """The active care plans running at some point from ``start`` to ``end``, by id."""
    stmt = select(CarePlan).where(
        CarePlan.active.is_(True),
        CarePlan.start_date <= end,
        (CarePlan.end_date.is_(None)) | (CarePlan.end_date >= start),
    )
    if station_id is not None:
        stmt = stmt.where(CarePlan.elder.has(Elder.station_id == station_id))
    return session.scalars(
        stmt.options(
            selectinload(CarePlan.elder).selectinload(Elder.status_periods),
            selectinload(CarePlan.service_type),
        ).order_by(CarePlan.id)
    ).all()


def _missing(
    plans: Sequence[CarePlan],
    done: Container[object],
    start: dt.date,
    end: dt.date,
    counts: GenerationCounts,
) -> list[ServiceRequest]:
    """The requests the plans yield that are not there yet; ``counts`` hears the others."""
    new: list[ServiceRequest] = []
    for day in _days(start, end):
        for plan in plans:
            if not plan.applies_on(day):
                continue
            if (plan.id, day) in done:
                counts.existing += 1
            elif not plan.elder.is_active_on(day):
                counts.skipped_elder_inactive += 1
            elif not plan.service_type.active:
                counts.skipped_service_inactive += 1
            else:
                new.append(_request_for(plan, day))
    return new


def _request_for(plan: CarePlan, day: dt.date) -> ServiceRequest:
    return ServiceRequest(
        elder_id=plan.elder_id,
        service_type_id=plan.service_type_id,
        care_plan_id=plan.id,
        service_date=day,
        window_start=plan.window_start,
        window_end=plan.window_end,
        priority=plan.service_type.priority,
        origin=RequestOrigin.CARE_PLAN,
        status=RequestStatus.OPEN,
    )
