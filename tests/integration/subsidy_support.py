"""A small October 2026 with planted fraud: one clean visit per elder and weekday, and one
case of each kind of cheating the rules must catch."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from carehub.core.enums import ElderStatus, RequestStatus, VisitStatus
from carehub.dispatch.models import Visit
from carehub.registry.models import ElderStatusPeriod
from tests.builders import CENTRE, Builders

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# After October has ended: 10:00 in Shanghai on 23 November 2026.
NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


@dataclass
class Month:
    clean: list[Visit] = field(default_factory=list)
    planted: dict[str, Visit] = field(default_factory=dict)
    elders: list[Any] = field(default_factory=list)
    stations: list[Any] = field(default_factory=list)


def home_of(n: int) -> tuple[float, float]:
    return (CENTRE[0] + 0.004 * n, CENTRE[1] + 0.003 * (n % 3))


def completed(
    make: Builders,
    elder: Any,
    caregiver: Any,
    day: dt.date,
    hour: int,
    minutes: int = 15,
    at: tuple[float, float] | None = None,
    service: Any = None,
) -> Visit:
    home = at or (elder.lat, elder.lon)
    start = dt.datetime.combine(day, dt.time(hour, 0), tzinfo=SHANGHAI)
    request = make.request(
        elder=elder,
        service_type=service or make.service_type("meal_delivery"),
        service_date=day,
        status=RequestStatus.DONE,
    )
    return make.visit(
        request=request,
        caregiver=caregiver,
        status=VisitStatus.COMPLETED,
        check_in_at=start,
        check_out_at=start + dt.timedelta(minutes=minutes),
        check_in_lat=home[0] + 0.00001 * elder.id,
        check_in_lon=home[1] + 0.00001 * day.day,
        check_out_lat=home[0] + 0.00002 * elder.id,
        check_out_lon=home[1] - 0.00001 * day.day,
    )


def october(make: Builders, db: Any) -> Month:
    month = Month()
    north = make.station(code="STN", provider="北方服务公司")
    south = make.station(code="STS", provider="南方服务公司", lat=CENTRE[0] - 0.02)
    month.stations = [north, south]
    for n in range(6):
        lat, lon = home_of(n + 1)
        month.elders.append(
            make.elder(station=north if n < 4 else south, lat=lat, lon=lon, code=f"EL{n}")
        )
    carers = [make.caregiver(station=north), make.caregiver(station=south)]
    # Clean: each elder on the first three weekdays, one hour apart per caregiver.
    for day in (dt.date(2026, 10, 12), dt.date(2026, 10, 13), dt.date(2026, 10, 14)):
        for n, elder in enumerate(month.elders):
            carer = carers[0] if n < 4 else carers[1]
            month.clean.append(completed(make, elder, carer, day, 9 + n))
    e = month.elders
    day = dt.date(2026, 10, 20)
    far = (e[0].lat + 0.01, e[0].lon)
    month.planted["far_from_home"] = completed(make, e[0], carers[0], day, 9, at=far)
    # A meal drop checked out the moment it was checked in: short even for a drop.
    month.planted["too_short"] = completed(make, e[1], carers[0], day, 11, minutes=0)
    month.planted["overlap_a"] = completed(make, e[2], carers[0], day, 14, minutes=40)
    overlap_b = completed(make, e[3], carers[0], day, 14, minutes=20)
    overlap_b.check_in_at = overlap_b.check_in_at + dt.timedelta(minutes=20)  # type: ignore[operator]
    overlap_b.check_out_at = overlap_b.check_in_at + dt.timedelta(minutes=15)  # type: ignore[operator]
    month.planted["overlap_b"] = overlap_b
    e[4].status_periods.append(
        ElderStatusPeriod(status=ElderStatus.DECEASED, start_date=dt.date(2026, 10, 18))
    )
    month.planted["after_death"] = completed(make, e[4], carers[1], day, 9)
    month.planted["duplicate"] = completed(make, e[5], carers[1], dt.date(2026, 10, 14), 16)
    reused = (e[1].lat + 0.0001, e[1].lon + 0.0001)
    a = completed(make, e[1], carers[0], dt.date(2026, 10, 21), 9)
    b = completed(make, e[2], carers[0], dt.date(2026, 10, 21), 11)
    for v in (a, b):
        v.check_in_lat, v.check_in_lon = reused
    month.planted["reused_a"], month.planted["reused_b"] = a, b
    db.session.commit()
    return month


def cached_as_fresh(db: Any, month: str = "2026-10") -> Any:
    """The month's kept or stored figures, checked to equal the month worked out afresh,
    to the figures and each visit's status, reasons and value."""
    from carehub.subsidy.months import Month as M
    from carehub.subsidy.reconciliation.reconcile import reconcile

    m = M.parse(month)
    cached = reconcile(db.session, m, cached=True)
    fresh = reconcile(db.session, m)
    assert cached.as_json() == fresh.as_json()
    assert {v: (o.status, o.reasons, o.value_fen) for v, o in cached.visits.items()} == {
        v: (o.status, o.reasons, o.value_fen) for v, o in fresh.visits.items()
    }
    return cached
