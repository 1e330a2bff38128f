"""The one bridge between the database and the route planner.

``build_day`` turns a day's service requests and the caregivers working that day into a
``routing.Problem`` (plus the maps back to rows); ``plan_to_visits`` turns a plan into
``Visit`` rows. Meal deliveries enter as drops collected at their station's kitchen
(``Visit.kitchen``), with the box, hot-food and loading rules from the settings. Times cross the bridge as seconds from local (Asia/Shanghai) midnight one
way and as aware UTC instants the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from carehub.availability.services import ElderRules, rules_for
from carehub.core.enums import RequestStatus, VisitStatus
from carehub.core.time import local_zone
from carehub.db import AnySession
from carehub.dispatch import caregiver_day as availability
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.geo.matrix import MatrixProvider, pair_metres
from carehub.geo.travel import LatLon
from carehub.registry.models import Caregiver, MealSource, ServiceType, Station
from carehub.routing import Break, Kitchen, Matrix, MealRules, Plan, Problem, Window
from carehub.routing import Caregiver as RCaregiver
from carehub.routing import Visit as RVisit
from carehub.routing.circles import Circles

# Visits in these states happened or were promised to the caregiver: a re-plan keeps them.
KEPT_STATES = frozenset(
    {VisitStatus.PUBLISHED, VisitStatus.CHECKED_IN, VisitStatus.COMPLETED, VisitStatus.MISSED}
)
REASON_NO_LOCATION = "elder has no coordinates"
REASON_INACTIVE = "elder not active that day"
# The catalogue's meal delivery: collected at a kitchen, then dropped at the door.
MEAL_SERVICE = "meal_delivery"


def seconds_of(wall: dt.time) -> int:
    return wall.hour * 3600 + wall.minute * 60 + wall.second


def local_seconds(instant: dt.datetime, day: dt.date) -> int:
    """Seconds from the local midnight of ``day`` to an aware instant."""
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=local_zone())
    return int((instant - midnight).total_seconds())


def instant_of(day: dt.date, seconds: int) -> dt.datetime:
    """The aware UTC instant ``seconds`` after local midnight of ``day``."""
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=local_zone())
    return (midnight + dt.timedelta(seconds=seconds)).astimezone(dt.UTC)


def visit_id(request: ServiceRequest) -> str:
    return f"r{request.id}"


def kept_visits(request: ServiceRequest) -> list[Visit]:
    """Visits a re-plan must not replace: pinned, or already published or under way."""
    return [
        v
        for v in request.visits
        if v.status != VisitStatus.CANCELLED and (v.pinned or v.status in KEPT_STATES)
    ]


@dataclass
class DayInput:
    day: dt.date
    problem: Problem
    requests: dict[str, ServiceRequest]  # routing visit id -> request
    caregivers: dict[str, Caregiver]  # routing caregiver id (code) -> row
    circles: Circles
    skipped: dict[int, str] = field(default_factory=dict)  # request id -> why not planned
    kitchens: dict[str, MealSource] = field(default_factory=dict)  # routing kitchen id -> source

    def summary(self) -> dict[str, object]:
        p = self.problem
        return {
            "requests": len(self.requests) + len(self.skipped),
            "visits": len(p.visits),
            "two_caregiver_visits": sum(1 for v in p.visits if v.caregivers_needed == 2),
            "pinned_visits": sum(1 for v in p.visits if v.pinned_caregiver is not None),
            "caregivers": len(p.caregivers),
            "circles": len(set(self.circles.caregiver_circle.values())),
            "places": len(p.distance),
            "skipped": len(self.skipped),
        }


def meal_rules(config: Mapping[str, Any] | None = None) -> MealRules:
    """The meal rules of the settings (the app's, or the defaults outside an app)."""
    if config is None:
        from flask import current_app, has_app_context

        from carehub.config import DEFAULTS

        config = current_app.config if has_app_context() else DEFAULTS
    return MealRules(
        box={"ebike": int(config["MEAL_BOX_EBIKE"]), "walk": int(config["MEAL_BOX_WALK"])},
        max_ride=int(config["MEAL_HOT_FOOD_MIN"]) * 60,
        load=int(config["MEAL_LOAD_MIN"]) * 60,
    )


def is_meal_drop(service: ServiceType) -> bool:
    return service.code == MEAL_SERVICE and service.caregivers_needed == 1


def request_window(request: ServiceRequest, duration: int) -> Window:
    # The request's window holds the whole visit; routing windows bound the start.
    start, end = seconds_of(request.window_start), seconds_of(request.window_end)
    return Window(start, max(start, end - duration))


class _Places:
    def __init__(self) -> None:
        self.points: list[LatLon] = []
        self._index: dict[LatLon, int] = {}

    def at(self, point: LatLon) -> int:
        if point not in self._index:
            self._index[point] = len(self.points)
            self.points.append(point)
        return self._index[point]


def _home(c: Caregiver) -> LatLon:
    if c.home_lat is not None and c.home_lon is not None:
        return (c.home_lat, c.home_lon)
    return (c.station.lat, c.station.lon)


def lunch_break(c: Caregiver) -> Break | None:
    """The caregiver's lunch break, its window cut to the shift; None when it has none or
    it no longer fits (a shift changed after the break was set)."""
    if not c.has_lunch:
        return None
    assert c.lunch_start is not None and c.lunch_end is not None and c.lunch_minutes
    start = max(seconds_of(c.lunch_start), seconds_of(c.shift_start))
    end = min(seconds_of(c.lunch_end), seconds_of(c.shift_end))
    duration = c.lunch_minutes * 60
    return Break(start, end, duration) if 0 < duration <= end - start else None


def nearest(home: Station, stations: Iterable[Station]) -> list[Station]:
    """The other stations, nearest ``home`` first: the order circles lend in.

    A city has a hundred stations, so ten thousand pairs: measured on the plane, not with
    geopy's geodesic (seconds for them all).
    """
    return sorted(
        (o for o in stations if o.code != home.code),
        key=lambda o: (pair_metres((home.lat, home.lon), (o.lat, o.lon)), o.code),
    )


def lending_stations(session: AnySession, home: Station) -> list[Station]:
    """``home`` and the active stations whose caregivers a planning run lends it."""
    others = session.scalars(select(Station).where(Station.active.is_(True)))
    return [home, *nearest(home, others)[: Circles.lend_to]]


def _neighbours(stations: Sequence[Station]) -> dict[str, list[str]]:
    return {s.code: [o.code for o in nearest(s, stations)] for s in stations}


def caregivers_left(
    day: dt.date,
    stations: Sequence[Station],
    requests: Sequence[ServiceRequest],
    caregivers: Iterable[Caregiver],
    now: dt.datetime | None = None,
) -> list[str]:
    """Codes of the caregivers ``build_day`` would plan with: on duty, some shift left
    after now and their absences. A problem needs at least one."""
    on_duty = _on_duty(day, {s.id for s in stations}, caregivers)
    lunches = {c.code: lunch_break(c) for c in on_duty}
    return sorted(availability.starts(day, on_duty, requests, lunches, now))


def _on_duty(
    day: dt.date, station_ids: Iterable[int], caregivers: Iterable[Caregiver]
) -> list[Caregiver]:
    """The active caregivers of those stations who work on ``day``, by code."""
    ids = set(station_ids)
    return [
        c
        for c in sorted(caregivers, key=lambda c: c.code)
        if c.active and c.station_id in ids and c.works_on(day)
    ]


def build_day(
    day: dt.date,
    stations: Sequence[Station],
    requests: Iterable[ServiceRequest],
    caregivers: Iterable[Caregiver],
    matrices: MatrixProvider,
    now: dt.datetime | None = None,
) -> DayInput:
    """The routing problem of ``day``: requests of elders in ``stations``' circles, served
    by those stations' caregivers on shift that day.

    A request some of whose visits are kept (pinned, published or under way) enters with its
    caregiver and start pinned, so the others plan around it. Approved absences cut or
    remove caregivers' shifts; elders' "do not send" caregivers are excluded from their
    visits and their first preferred caregiver on duty is preferred. With ``now`` on ``day``
    the day starts now: requests already begun stay as they are, and each caregiver starts
    from their last visit's check-out (or its elder) once free.
    """
    by_id = {s.id: s for s in stations}
    places = _Places()
    requests = list(requests)
    on_duty = _on_duty(day, by_id, caregivers)
    lunches = {c.code: lunch_break(c) for c in on_duty}
    shifts = availability.starts(day, on_duty, requests, lunches, now)
    cgs = [c for c in on_duty if c.code in shifts]
    starts = {c.code: places.at(_home(c)) for c in cgs}
    begin = {c: places.at(s.at) if s.at is not None else starts[c] for c, s in shifts.items()}
    selected, skipped = _select(requests, day, by_id, now)
    chosen = {visit_id(r): r for r in selected}
    rvisits, sources = _visits(selected, day, by_id, places, cgs, starts)
    kitchens = tuple(
        Kitchen(key, places.at((src.lat, src.lon)), seconds_of(src.ready_at))
        for key, src in sorted(sources.items())
    )
    rcgs = _routing_caregivers(cgs, shifts, begin, starts)
    modes = sorted({c.mode for c in rcgs}) or ["ebike"]
    m = matrices.matrices(places.points, modes)
    problem = Problem(
        tuple(rvisits),
        rcgs,
        {mode: Matrix(t, f"travel[{mode!r}]") for mode, t in m.travel.items()},
        Matrix(m.distance, "distance"),
        kitchens,
        meal_rules(),
    )
    circles = Circles(
        visit_circle={vid: by_id[r.elder.station_id].code for vid, r in chosen.items()},  # type: ignore[index]
        caregiver_circle={c.code: by_id[c.station_id].code for c in cgs},
        neighbours=_neighbours(list(stations)),
    )
    return DayInput(day, problem, chosen, {c.code: c for c in cgs}, circles, skipped, sources)


def _select(
    requests: Iterable[ServiceRequest],
    day: dt.date,
    by_id: Mapping[int, Station],
    now: dt.datetime | None,
) -> tuple[list[ServiceRequest], dict[int, str]]:
    """The requests of ``day`` to plan, by id, and those skipped with their reason; requests
    done, cancelled, outside the stations or already begun are neither."""
    selected: list[ServiceRequest] = []
    skipped: dict[int, str] = {}
    for r in sorted(requests, key=lambda r: r.id):
        if r.service_date != day or r.status in (RequestStatus.CANCELLED, RequestStatus.DONE):
            continue
        elder = r.elder
        if elder.station_id not in by_id:
            continue
        if not elder.is_active_on(day):
            skipped[r.id] = REASON_INACTIVE
        elif not elder.has_coordinates:
            skipped[r.id] = REASON_NO_LOCATION
        elif now is None or not availability.started_before(r, now):
            selected.append(r)
    return selected, skipped


def _visits(
    selected: Sequence[ServiceRequest],
    day: dt.date,
    by_id: Mapping[int, Station],
    places: _Places,
    cgs: Sequence[Caregiver],
    starts: Mapping[str, int],
) -> tuple[list[RVisit], dict[str, MealSource]]:
    """The routing visits of ``selected``, and the kitchens their meals come from."""
    codes = {c.id: c.code for c in cgs}
    session = object_session(selected[0]) if selected else None
    rules = rules_for(session, {r.elder_id for r in selected}) if session is not None else {}
    rvisits: list[RVisit] = []
    sources: dict[str, MealSource] = {}
    for r in selected:
        kitchen = None
        if is_meal_drop(r.service_type):
            source = by_id[r.elder.station_id].meal_source()  # type: ignore[index]
            sources[source.key] = source
            kitchen = source.key
        rvisits.append(
            _routing_visit(r, day, places, codes, rules.get(r.elder_id), starts, kitchen)
        )
    return rvisits, sources


def _routing_caregivers(
    cgs: Sequence[Caregiver],
    shifts: Mapping[str, availability.Start],
    begin: Mapping[str, int],
    starts: Mapping[str, int],
) -> tuple[RCaregiver, ...]:
    return tuple(
        RCaregiver(
            c.code,
            begin[c.code],
            starts[c.code],
            shifts[c.code].shift.start,
            shifts[c.code].shift.end,
            skills=frozenset(c.skill_codes),
            gender=str(c.gender),
            max_work=c.max_work_minutes * 60 if c.max_work_minutes else None,
            lunch=shifts[c.code].shift.lunch,
            mode=str(c.travel_mode),
        )
        for c in cgs
    )


def _routing_visit(
    r: ServiceRequest,
    day: dt.date,
    places: _Places,
    codes: Mapping[int, str],
    rule: ElderRules | None,
    starts: Mapping[str, int],
    kitchen: str | None,
) -> RVisit:
    """Request ``r`` as a visit to plan: its window, skill and priority; the caregivers and
    start of a kept visit pinned; the elder's gender wish, "do not send" and preferred
    caregiver."""
    elder, st = r.elder, r.service_type
    duration = st.duration_min * 60
    kept = kept_visits(r)
    # Every caregiver of a kept visit stays: both of a two-caregiver visit.
    held = [v.caregiver_id for v in kept]
    pins = list(dict.fromkeys(codes[c] for c in held if c is not None and c in codes))
    pin_cg = pins[0] if pins else None
    partner = pins[1] if len(pins) > 1 and st.caregivers_needed == 2 else None
    pin_time = None
    window = request_window(r, duration)
    start = next((v.planned_start for v in kept if v.planned_start is not None), None)
    if start is not None:
        pin_time = local_seconds(start, day)
        if pin_time not in window:
            # A confirmed time outside the request's window still stands.
            window = Window(min(window.start, pin_time), max(window.end, pin_time))
    pinned = {pin_cg, partner}
    avoid = {c.code for c in rule.avoided} - pinned if rule else set()
    prefer = next((c.code for c in rule.preferred if c.code in starts), None) if rule else None
    return RVisit(
        visit_id(r),
        places.at((elder.lat, elder.lon)),  # type: ignore[arg-type]
        (window,),
        duration,
        skill=st.skill.code if st.skill is not None else None,
        caregivers_needed=st.caregivers_needed,
        # The more urgent of the service's and the request's (an emergency call).
        priority=min(st.priority, r.priority),
        pinned_caregiver=pin_cg,
        pinned_partner=partner,
        pinned_time=pin_time if pin_cg is not None else None,
        gender=str(elder.preferred_caregiver_gender) if elder.preferred_caregiver_gender else None,
        kitchen=kitchen,
        excluded=frozenset(avoid),
        preferred_caregiver=prefer,
    )


def anyone_can(problem: Problem, vid: str) -> bool:
    """Whether any caregiver of the problem has the skill and gender the visit needs."""
    v = problem.visit(vid)
    return any(
        (v.skill is None or v.skill in c.skills) and (v.gender is None or v.gender == c.gender)
        for c in problem.caregivers
    )


def as_planned(problem: Problem, rows: Iterable[Visit]) -> Problem:
    """The problem with each planned visit as long as it is planned, which may differ from
    its service's standard length (a dispatcher's change, an older catalogue): a re-plan
    read by the standard length would put a visit where the database sees an overlap."""
    lengths = {
        visit_id(v.request): round((v.planned_end - v.planned_start).total_seconds())
        for v in rows
        if v.planned_start is not None and v.planned_end is not None
    }
    visits = tuple(
        replace(v, service=lengths[v.id]) if lengths.get(v.id, 0) > 0 else v for v in problem.visits
    )
    return replace(problem, visits=visits)


def plan_to_visits(data: DayInput, plan: Plan, lent: Iterable[tuple[str, str]] = ()) -> list[Visit]:
    """New ``Visit`` rows for every planned request that has no kept visit.

    A two-caregiver visit gives two rows for one request, one per caregiver.
    """
    lent_pairs = set(lent)
    rows: list[Visit] = []
    for route in plan.routes:
        cg = data.caregivers[route.caregiver]
        for seq, stop in enumerate(route.stops, start=1):
            request = data.requests[stop.visit]
            if kept_visits(request):
                continue
            duration = data.problem.visit(stop.visit).service
            rows.append(
                Visit(
                    request=request,
                    caregiver=cg,
                    planned_start=instant_of(data.day, stop.start),
                    planned_end=instant_of(data.day, stop.start + duration),
                    route_seq=seq,
                    status=VisitStatus.PLANNED,
                    pinned=False,
                    lent=(stop.visit, route.caregiver) in lent_pairs,
                )
            )
    return rows
