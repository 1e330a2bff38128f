"""Draft one station's routes for one day: the entry point the nightly planning job calls."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from carehub.core.enums import RequestStatus
from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest
from carehub.registry.models import Elder, Station

# The routing branch provides this callable:
#   draft_routes(session, day, station, requests) -> int   (number of visits drafted)
# It turns the requests into unpublished (``planned``) visits through the optimiser,
# keeping pinned and published visits, and flushes without committing.
ENGINE_MODULE = "carehub.dispatch.adapters"
ENGINE_FUNCTION = "draft_routes"


class PlanningUnavailable(NotImplementedError):
    """No routing engine is installed, so no plan can be drafted."""


@dataclass(frozen=True)
class DayPlan:
    station_code: str
    day: dt.date
    requests: int
    drafted: int

    @property
    def unassigned(self) -> int:
        return self.requests - self.drafted


def open_requests(session: AnySession, day: dt.date, station: Station) -> list[ServiceRequest]:
    """The open requests on ``day`` of elders registered at ``station``."""
    return list(
        session.scalars(
            select(ServiceRequest)
            .join(Elder, Elder.id == ServiceRequest.elder_id)
            .where(
                Elder.station_id == station.id,
                ServiceRequest.service_date == day,
                ServiceRequest.status == RequestStatus.OPEN,
            )
            .order_by(ServiceRequest.priority, ServiceRequest.window_start, ServiceRequest.id)
        )
    )


def plan_day(session: AnySession, day: dt.date, station: Station) -> DayPlan:
    """Draft ``station``'s routes for the local date ``day`` for a dispatcher to review.

    Contract: the open requests of the station's elders that day are given to the routing
    engine, which writes them as unpublished visits; nothing is published and nothing is
    committed (the caller commits once). A day without open requests needs no engine.

    Raises ``PlanningUnavailable`` when the routing engine is not installed: a plan that was
    not made must never look like an empty one.
    """
    requests = open_requests(session, day, station)
    if not requests:
        return DayPlan(station.code, day, 0, 0)
    drafted = _engine()(session, day, station, requests)
    return DayPlan(station.code, day, len(requests), drafted)


def _engine() -> Callable[..., Any]:
    try:
        importlib.import_module("carehub.routing")
        module = importlib.import_module(ENGINE_MODULE)
    except ModuleNotFoundError as exc:
        # Only a missing engine is "unavailable"; a broken import inside it is a real error.
        if exc.name not in ("carehub.routing", ENGINE_MODULE):
            raise
        raise PlanningUnavailable(
            f"the routing engine is not installed ({exc.name} cannot be imported); "
            "no plan was drafted"
        ) from exc
    engine = getattr(module, ENGINE_FUNCTION, None)
    if engine is None:
        raise PlanningUnavailable(
            f"{ENGINE_MODULE} has no {ENGINE_FUNCTION}(); no plan was drafted"
        )
    return engine  # type: ignore[no-any-return]
