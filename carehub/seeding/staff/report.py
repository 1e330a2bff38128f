"""The staffing arithmetic of a loaded database, per station and day: what
``carehub seed staffing-report`` prints and docs/demo-data.md quotes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from carehub.core import weekdays
from carehub.db import AnySession
from carehub.geo.travel import TravelModel
from carehub.registry.models import Caregiver, CarePlan, Elder, Station
from carehub.seeding.staff import staffing, teams
from carehub.seeding.staff.staffing import ANY, DayCheck, Hand, Need


@dataclass(frozen=True)
class StationDay:
    code: str
    elders: int
    visits: int
    caregivers: int
    leg: float  # typical travel leg, minutes
    check: DayCheck
    unservable: int  # visits nobody on shift has the skill for or can be at in time (left out)

    @property
    def fits(self) -> bool:
        return self.check.fits


def station_days(
    session: AnySession, day: dt.date, model: TravelModel, prefix: str = ""
) -> list[StationDay]:
    """Each active station (codes starting with ``prefix``) on ``day``: the visits its care
    plans give that day against the caregivers on shift."""
    services = teams.services(session)
    stations = session.scalars(
        select(Station)
        .where(Station.active.is_(True), Station.code.like(f"{prefix}%"))
        .order_by(Station.code)
    ).all()
    ids = [s.id for s in stations]
    homes, active = _homes_and_active(session, ids, day)
    needs = _needs(session, day, active, services)
    hands = _hands(session, ids, day)
    return [_station_day(s, needs[s.id], hands[s.id], homes[s.id], model) for s in stations]


def _homes_and_active(
    session: AnySession, ids: list[int], day: dt.date
) -> tuple[dict[int, list[tuple[float, float]]], dict[int, Elder]]:
    """The located homes of each station's elders, and the elders active on ``day`` by id."""
    elders = session.scalars(
        select(Elder).where(Elder.station_id.in_(ids)).options(selectinload(Elder.status_periods))
    ).all()
    homes: dict[int, list[tuple[float, float]]] = defaultdict(list)
    active: dict[int, Elder] = {}
    for e in elders:
        assert e.station_id is not None  # selected by station
        if e.has_coordinates:
            homes[e.station_id].append((e.lat, e.lon))  # type: ignore[arg-type]
        if e.is_active_on(day):
            active[e.id] = e
    return homes, active


def _needs(
    session: AnySession, day: dt.date, active: dict[int, Elder], services: dict[str, teams.Service]
) -> dict[int, list[Need]]:
    """Each station's visits on ``day`` from the active elders' care plans."""
    needs: dict[int, list[Need]] = defaultdict(list)
    plans = session.scalars(
        select(CarePlan).where(
            CarePlan.active.is_(True),
            CarePlan.start_date <= day,
            (CarePlan.end_date.is_(None)) | (CarePlan.end_date >= day),
            CarePlan.elder_id.in_(list(active)),
        )
    ).all()
    for plan in plans:
        if not weekdays.includes(plan.weekdays_mask, day):
            continue
        elder = active[plan.elder_id]
        assert elder.station_id is not None
        service = services[plan.service_type.code]
        needs[elder.station_id].append(
            Need(
                plan.service_type.code,
                service.skill,
                plan.window_start.hour * 60 + plan.window_start.minute,
                plan.window_end.hour * 60 + plan.window_end.minute,
                service.minutes,
                service.caregivers,
                str(elder.preferred_caregiver_gender) if elder.preferred_caregiver_gender else None,
            )
        )
    return needs


def _hands(session: AnySession, ids: list[int], day: dt.date) -> dict[int, list[Hand]]:
    """Each station's active caregivers working on ``day``."""
    hands: dict[int, list[Hand]] = defaultdict(list)
    caregivers = session.scalars(
        select(Caregiver)
        .where(Caregiver.station_id.in_(ids), Caregiver.active.is_(True))
        .options(selectinload(Caregiver.skills))
    ).all()
    for c in caregivers:
        if c.works_on(day):
            hands[c.station_id].append(
                Hand(
                    frozenset(c.skill_codes),
                    str(c.gender),
                    c.shift_start.hour * 60 + c.shift_start.minute,
                    c.shift_end.hour * 60 + c.shift_end.minute,
                    c.lunch_minutes or 0,
                    str(c.travel_mode),
                )
            )
    return hands


def _station_day(
    station: Station,
    needs: list[Need],
    hands: list[Hand],
    homes: list[tuple[float, float]],
    model: TravelModel,
) -> StationDay:
    """The day's check for one station; visits nobody on shift can serve are left out of it."""
    wanted = [n for n in needs if staffing.servable(n, hands)]
    leg = teams.typical_leg((station.lat, station.lon), homes, model)
    return StationDay(
        station.code,
        len(homes),
        len(needs),
        len(hands),
        leg,
        staffing.check_day(wanted, hands, leg),
        len(needs) - len(wanted),
    )


def table(rows: list[StationDay]) -> list[str]:
    """A Markdown table: service hours against shift hours, per band, per station."""
    bands = [name for name, _, _ in staffing.BANDS]
    head = ["station", "elders", "visits", "caregivers", "leg min"]
    head += [f"{b} h" for b in bands] + ["day h", "load", "meal carriers", "fits"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r.code, str(r.elders), str(r.visits), str(r.caregivers), f"{r.leg:.1f}"]
        for b in bands:
            line = r.check.total(b)
            cells.append(f"{line.demand / 60:.1f} / {line.supply / 60:.1f}")
        day = r.check.total()
        cells += [f"{day.demand / 60:.1f} / {day.supply / 60:.1f}", f"{day.load:.0%}"]
        m = r.check.meals
        cells.append(f"{m.carriers_needed} of {m.carriers} ({m.meals} meals)" if m else "-")
        cells.append("yes" if r.fits else "NO")
        out.append("| " + " | ".join(cells) + " |")
    return out


def summary(rows: list[StationDay]) -> list[str]:
    """Totals over the stations, and the tightest band and skill line of any of them."""
    day = [r.check.total() for r in rows]
    demand = sum(d.demand for d in day)
    supply = sum(d.supply for d in day)
    worst = max(
        ((r.code, ln) for r in rows for ln in r.check.lines if ln.demand),
        key=lambda p: p[1].load * p[1].margin,
        default=None,
    )
    lines = [
        f"{len(rows)} stations, {sum(r.visits for r in rows)} visits, "
        f"{sum(r.caregivers for r in rows)} caregivers on shift: "
        f"{demand / 60:.0f} service hours against {supply / 60:.0f} shift hours "
        f"({demand / supply if supply else 0:.0%}); "
        f"{sum(1 for r in rows if r.fits)} of {len(rows)} stations fit with margin "
        f"{staffing.MARGIN} ({staffing.MORNING_MARGIN} in the morning).",
    ]
    if worst is not None:
        code, ln = worst
        what = "all visits" if ln.skill == ANY else ln.skill
        if ln.gender != ANY:
            what += f" ({ln.gender} caregiver asked)"
        if ln.band.endswith((staffing.AT_ONCE, staffing.IN_TURN)):
            amount = f"{ln.demand:.1f} caregivers of {ln.supply:.0f}"
        else:
            amount = f"{ln.demand / 60:.1f} h of {ln.supply / 60:.1f} h"
        lines.append(
            f"Tightest: {code} {ln.band}, {what}: {amount} "
            f"({ln.load * ln.margin:.0%} of what the margin allows)."
        )
    unservable = sum(r.unservable for r in rows)
    if unservable:
        lines.append(
            f"{unservable} visits no caregiver on shift at their station has the skill for or"
            " can be at in time (left out of the arithmetic)."
        )
    return lines
