"""A meal round written through the plan's write path from a routing plan made by hand:
one caregiver collects two meals at the station's canteen and drops them in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from carehub.core.enums import VisitStatus
from carehub.db import AnySession
from carehub.dispatch import adapters, meal_rounds
from carehub.dispatch.adapters import DayInput
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.geo.matrix import ModelMatrices
from carehub.geo.travel import TravelModel
from carehub.registry.models import Caregiver, Station
from carehub.routing import Collection, Plan, Problem, Route, Stop
from tests.builders import CENTRE, Builders

MATRICES = ModelMatrices(TravelModel())


def timed_route(p: Problem, cid: str, events: Sequence[str | tuple[str, ...]]) -> Route:
    """The caregiver's route timed as early as allowed: a tuple of visit ids is a collection
    at their kitchen (not before it is ready), a string a drop or other visit."""
    cg = p.caregiver(cid)
    travel = p.travel[cg.mode]
    stops: list[Stop] = []
    cols: list[Collection] = []
    loc, ready, departure = cg.start_location, cg.shift_start, None
    for e in events:
        if isinstance(e, tuple):
            k = p.kitchen(p.visit(e[0]).kitchen or "")
            arrival = ready + travel[loc][k.location]
            start = max(arrival, k.ready)
            if departure is None:
                departure, arrival = start - travel[loc][k.location], start
            cols.append(Collection(k.id, len(stops), arrival, start, e))
            loc, ready = k.location, start + p.meals.load
        else:
            v = p.visit(e)
            arrival = ready + travel[loc][v.location]
            start = max(arrival, v.windows[0].start)
            if departure is None:
                departure, arrival = start - travel[loc][v.location], start
            stops.append(Stop(e, arrival, start))
            loc, ready = v.location, start + v.service
    back = ready + travel[loc][cg.end_location]
    return Route(cid, departure or cg.shift_start, tuple(stops), back, collections=tuple(cols))


@dataclass
class Round:
    station: Station
    caregiver: Caregiver
    requests: list[ServiceRequest]
    data: DayInput
    plan: Plan


def meal_day(
    make: Builders,
    day: dt.date,
    diets: Sequence[str | None] = ("低盐", "清真"),
    caregiver: Caregiver | None = None,
    **station: Any,
) -> Round:
    """A station, a caregiver (or the one given, at its station) and one meal request per
    diet, built into the day's problem with a plan collecting them all in one round."""
    if caregiver is None:
        st = make.station(**station)
        caregiver = make.caregiver(station=st, skills=("meal",))
    st = caregiver.station
    meal = make.service_type("meal_delivery")
    requests = []
    for i, diet in enumerate(diets):
        elder = make.elder(
            station=st, lat=CENTRE[0] + 0.002 * (i + 1), lon=CENTRE[1], diet_notes=diet
        )
        requests.append(make.request(elder=elder, service_type=meal, service_date=day))
    make.session.flush()
    return round_of(day, caregiver, requests)


def round_of(
    day: dt.date,
    caregiver: Caregiver,
    requests: list[ServiceRequest],
    meals: int | None = None,
    before: Sequence[str] = (),
) -> Round:
    """The day's problem for ``requests`` (flushed, at the caregiver's station) with a plan in
    which the caregiver serves the visits ``before``, then collects the first ``meals``
    requests (all by default) in one round and drops them in order."""
    data = adapters.build_day(day, [caregiver.station], requests, [caregiver], MATRICES)
    ids = tuple(adapters.visit_id(r) for r in requests[:meals])
    route = timed_route(data.problem, caregiver.code, [*before, ids, *ids])
    return Round(caregiver.station, caregiver, requests, data, Plan((route,)))


def write(session: AnySession, r: Round, publish: bool = False) -> list[Visit]:
    """What a planning run writes once its plan is valid."""
    rows = adapters.plan_to_visits(r.data, r.plan)
    session.add_all(rows)
    meal_rounds.write(session, r.data, r.plan, rows)
    if publish:
        for v in rows:
            v.status = VisitStatus.PUBLISHED
    session.flush()
    return rows


def published_round(make: Builders, session: AnySession, day: dt.date, **kw: Any) -> Round:
    """``meal_day`` (same arguments) written, published and committed: the round the board,
    the day timeline and the phone show."""
    r = meal_day(make, day, **kw)
    write(session, r, publish=True)
    session.commit()
    return r
