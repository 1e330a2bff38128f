"""Catalogue prices as they stood on a day.

Whenever a service type's price changes, the old and new prices are written to the price
history (the old one from the beginning of time if no history existed), so visits before
the change keep the price they were done at.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from carehub.core.once import once
from carehub.db import AnySession
from carehub.registry.models import ServiceType
from carehub.subsidy.models import ServicePrice

SINCE_EVER = dt.date(1900, 1, 1)


class PriceBook:
    """Every service's price history, for looking up many visits at once."""

    def __init__(self, current: dict[int, int], history: dict[int, list[tuple[dt.date, int]]]):
        self.current = current
        self.days = {sid: [day for day, _ in rows] for sid, rows in history.items()}
        self.prices = {sid: [price for _, price in rows] for sid, rows in history.items()}

    @classmethod
    def load(cls, session: AnySession) -> PriceBook:
        current = dict(session.execute(select(ServiceType.id, ServiceType.price_fen)).all())
        history: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
        rows = session.execute(
            select(
                ServicePrice.service_type_id, ServicePrice.effective_from, ServicePrice.price_fen
            ).order_by(ServicePrice.service_type_id, ServicePrice.effective_from)
        )
        for sid, day, price in rows:
            history[sid].append((day, price))
        return cls(current, history)

    def price_on(self, service_type_id: int, day: dt.date) -> int:
        days = self.days.get(service_type_id)
        if not days:
            return self.current.get(service_type_id, 0)
        index = bisect.bisect_right(days, day) - 1
        return self.prices[service_type_id][max(index, 0)]


def record_change(session: Session, service: ServiceType, old: int, new: int) -> None:
    from carehub.core.time import local_today

    today = local_today()
    with session.no_autoflush:
        rows = {
            p.effective_from: p
            for p in session.scalars(
                select(ServicePrice).where(ServicePrice.service_type_id == service.id)
            )
        }
    if not rows:
        session.add(
            ServicePrice(service_type_id=service.id, effective_from=SINCE_EVER, price_fen=old)
        )
    if today in rows:
        rows[today].price_fen = new
    else:
        session.add(ServicePrice(service_type_id=service.id, effective_from=today, price_fen=new))


@once
def install() -> None:
    @event.listens_for(Session, "before_flush")
    def _price_history(session: Session, flush_context: Any, instances: Any) -> None:
        for obj in list(session.dirty):
            if not isinstance(obj, ServiceType) or obj.id is None:
                continue
            history = inspect(obj).attrs.price_fen.history
            if not history.added:
                continue
            if history.deleted:
                old = history.deleted[0]
            else:
                # Set on an expired object: the session never saw the old value.
                old = session.connection().scalar(
                    select(ServiceType.__table__.c.price_fen).where(
                        ServiceType.__table__.c.id == obj.id
                    )
                )
            new = history.added[0]
            if old is not None and new is not None and int(old) != int(new):
                record_change(session, obj, int(old), int(new))
