"""Dispatcher intake: phone requests and care plans. Writers flush and leave the commit to
the caller; the audit hook logs every change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from carehub.core.enums import RequestOrigin, RequestStatus, VisitStatus
from carehub.core.errors import DomainError, FieldError
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest
from carehub.registry.models import CarePlan, Elder, ServiceType

# Visits not yet begun at the door; anything later is history and is left as it was.
_NOT_STARTED = (VisitStatus.PLANNED, VisitStatus.PUBLISHED)
_LIVE_REQUEST = (RequestStatus.OPEN, RequestStatus.SCHEDULED)


@dataclass
class RequestDraft:
    service_type: ServiceType
    service_date: dt.date
    window_start: dt.time | None
    window_end: dt.time | None
    priority: int | None
    note: str | None


def _window(draft: RequestDraft) -> tuple[dt.time, dt.time]:
    """The typed window, or the catalogue's usual one when the dispatcher left it blank."""
    start = draft.window_start or draft.service_type.window_start
    end = draft.window_end or draft.service_type.window_end
    if start is None or end is None:
        field = "window_start" if start is None else "window_end"
        raise FieldError(field, _("This service has no usual window: enter both times."))
    if end <= start:
        raise FieldError("window_end", _("The end must be after the start."))
    return start, end


def duplicates(session: AnySession, elder: Elder, service_type_id: int, day: dt.date) -> int:
    """Live requests already there for this elder, service and day."""
    return len(
        session.scalars(
            select(ServiceRequest.id).where(
                ServiceRequest.elder_id == elder.id,
                ServiceRequest.service_type_id == service_type_id,
                ServiceRequest.service_date == day,
                ServiceRequest.status.in_(_LIVE_REQUEST),
            )
        ).all()
    )


def create_request(
    session: AnySession,
    elder: Elder,
    draft: RequestDraft,
    today: dt.date,
    *,
    confirmed: bool = False,
) -> ServiceRequest:
    """A phone request; refuses past days, days the elder is out of service, and (unless
    ``confirmed``) a second live request for the same elder, service and day."""
    if not draft.service_type.active:
        raise FieldError("service_type_id", _("This service is no longer offered."))
    if draft.service_date < today:
        raise FieldError("service_date", _("The date is in the past."))
    if not elder.is_active_on(draft.service_date):
        raise FieldError(
            "service_date",
            _("The elder is not in service on that date (hospitalised, moved or deceased)."),
        )
    start, end = _window(draft)
    if not confirmed and duplicates(session, elder, draft.service_type.id, draft.service_date):
        raise FieldError(
            "confirm",
            _("This elder already has this service on that day. Tick the box to add another."),
        )
    found = ServiceRequest(
        elder_id=elder.id,
        service_type_id=draft.service_type.id,
        service_date=draft.service_date,
        window_start=start,
        window_end=end,
        priority=draft.priority or draft.service_type.priority,
        origin=RequestOrigin.PHONE,
        status=RequestStatus.OPEN,
        note=draft.note,
    )
    session.add(found)
    session.flush()
    return found


def cancel_request(session: AnySession, found: ServiceRequest) -> None:
    """Cancel a request and its visits not yet begun; one already at the door cannot be."""
    if found.status not in _LIVE_REQUEST:
        raise DomainError(_("Only open or scheduled requests can be cancelled."))
    if any(visit.status not in (*_NOT_STARTED, VisitStatus.CANCELLED) for visit in found.visits):
        raise DomainError(_("A caregiver has already been at the door for this request."))
    for visit in found.visits:
        visit.status = VisitStatus.CANCELLED
    found.status = RequestStatus.CANCELLED
    session.flush()


# --- care plans ----------------------------------------------------------------------------


def _check_plan_dates(start: dt.date, end: dt.date | None) -> None:
    if end is not None and end < start:
        raise FieldError("end_date", _("The end date must not be before the start date."))


def create_plan(session: AnySession, elder: Elder, fields: dict[str, object]) -> CarePlan:
    plan = CarePlan(elder_id=elder.id, active=True)
    return update_plan(session, plan, fields)


def update_plan(session: AnySession, plan: CarePlan, fields: dict[str, object]) -> CarePlan:
    """Change a plan; requests it already yielded keep the values they were made with."""
    _check_plan_dates(fields["start_date"], fields.get("end_date"))  # type: ignore[arg-type]
    for key, value in fields.items():
        setattr(plan, key, value)
    session.add(plan)
    session.flush()
    return plan


def end_plan(session: AnySession, plan: CarePlan, last_day: dt.date) -> int:
    """End a plan after ``last_day`` and cancel the requests it already yielded for later
    days that nobody has started; returns how many were cancelled."""
    _check_plan_dates(plan.start_date, last_day)
    plan.end_date = last_day
    later = session.scalars(
        select(ServiceRequest).where(
            ServiceRequest.care_plan_id == plan.id,
            ServiceRequest.service_date > last_day,
            ServiceRequest.status.in_(_LIVE_REQUEST),
        )
    ).all()
    cancelled = 0
    for found in later:
        if all(visit.status in (*_NOT_STARTED, VisitStatus.CANCELLED) for visit in found.visits):
            cancel_request(session, found)
            cancelled += 1
    session.flush()
    return cancelled
