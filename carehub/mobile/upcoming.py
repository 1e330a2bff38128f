"""The caregiver's published visits of the coming days, read-only on the phone."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select

from carehub.core.enums import RequestOrigin
from carehub.core.time import local_to_utc, to_local
from carehub.db import AnySession
from carehub.dispatch.models import Visit
from carehub.fieldwork.route import VISIBLE, iso_local

DAYS = 7


def visits_after(session: AnySession, caregiver_id: int, today: dt.date) -> list[Visit]:
    """Published visits from tomorrow through the next ``DAYS`` days, in time order."""
    start = local_to_utc(today + dt.timedelta(days=1), dt.time(0, 0))
    end = local_to_utc(today + dt.timedelta(days=DAYS + 1), dt.time(0, 0))
    return list(
        session.scalars(
            select(Visit)
            .where(
                Visit.caregiver_id == caregiver_id,
                Visit.status.in_(VISIBLE),
                Visit.planned_start >= start,
                Visit.planned_start < end,
            )
            .order_by(Visit.planned_start, Visit.route_seq, Visit.id)
        )
    )


def days_json(visits: list[Visit], today: dt.date, locale: str) -> dict[str, Any]:
    """Every coming day, with its visits (an empty list for a day off)."""
    by_day: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    for v in visits:
        local = to_local(v.planned_start)
        assert local is not None
        request = v.request
        by_day[local.date()].append(
            {
                "id": v.id,
                "planned_start": iso_local(v.planned_start),
                "planned_end": iso_local(v.planned_end),
                "service": request.service_type.display_name(locale),
                "emergency": request.origin == RequestOrigin.EMERGENCY,
                "elder": {"name": request.elder.name, "address": request.elder.address},
            }
        )
    days = [today + dt.timedelta(days=n) for n in range(1, DAYS + 1)]
    return {
        "from": days[0].isoformat(),
        "to": days[-1].isoformat(),
        "days": [{"date": d.isoformat(), "visits": by_day.get(d, [])} for d in days],
    }
