"""Planning a day from the database: adapter round trip, runs, re-runs, lending."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect, select

from carehub.cli import main
from carehub.core.enums import Gender, RequestStatus, VisitStatus
from carehub.core.time import local_to_utc
from carehub.dispatch import adapters
from carehub.dispatch.models import ServiceRequest
from carehub.dispatch.planning.models import PlanningRun
from carehub.dispatch.planning.services import plan_day, planned_visits
from carehub.geo.matrix import ModelMatrices
from carehub.geo.travel import TravelModel
from carehub.registry.models import Caregiver, Station
from carehub.routing import validate
from carehub.routing.circles import solve_circles
from tests.builders import CENTRE

DAY = dt.date(2026, 11, 23)  # a Monday
MATRICES = ModelMatrices(TravelModel())


def _near(dlat: float, dlon: float) -> tuple[float, float]:
    return (CENTRE[0] + dlat, CENTRE[1] + dlon)


def _district(make, db, visits: int = 6):
    station = make.station(code="HPA")
    meal = make.service_type("meal_delivery")
    a = make.caregiver(station=station, skills=("meal",), code="CA1")
    b = make.caregiver(station=station, skills=("meal", "bathing"), code="CA2", gender=Gender.MALE)
    requests = []
    for i in range(visits):
        lat, lon = _near(0.002 * i, -0.001 * i)
        elder = make.elder(station=station, lat=lat, lon=lon)
        requests.append(
            make.request(
                elder=elder,
                service_type=meal,
                service_date=DAY,
                window_start=dt.time(9, 0),
                window_end=dt.time(16, 0),
            )
        )
    db.session.flush()
    return station, (a, b), requests


def test_build_day_maps_rows_to_the_problem(make, db) -> None:
    station, (a, b), requests = _district(make, db, visits=2)
    requests[0].elder.preferred_caregiver_gender = Gender.MALE
    bath = make.service_type(
        "bath2", duration_min=60, caregivers_needed=2, priority=2, skill=make.skill("bathing")
    )
    pair = make.request(
        elder=make.elder(station=station),
        service_type=bath,
        service_date=DAY,
        window_start=dt.time(14, 0),
        window_end=dt.time(16, 0),
    )
    b.home_lat, b.home_lon = _near(0.01, 0.01)
    make.caregiver(station=station, code="CSAT", weekdays_mask=0b0100000)  # Saturdays only
    db.session.flush()
    data = adapters.build_day(DAY, [station], [*requests, pair], [a, b], MATRICES)
    p = data.problem
    assert [c.id for c in p.caregivers] == ["CA1", "CA2"]
    v0 = p.visit(f"r{requests[0].id}")
    assert v0.gender == "male" and v0.service == 3 * 60 and v0.skill == "meal"
    assert v0.kitchen == "station:HPA" and p.kitchen("station:HPA").ready == 10 * 3600 + 45 * 60
    assert (v0.windows[0].start, v0.windows[0].end) == (9 * 3600, 16 * 3600 - 3 * 60)
    vp = p.visit(f"r{pair.id}")
    assert vp.caregivers_needed == 2 and vp.priority == 2 and vp.skill == "bathing"
    ca2 = p.caregiver("CA2")
    assert ca2.shift_start == 8 * 3600 and ca2.start_location != p.caregiver("CA1").start_location
    assert set(p.travel) == {"ebike"}
    # The matrix agrees with the travel model to the second (a local projection, not geopy).
    expected = TravelModel().seconds(
        (b.home_lat, b.home_lon), (requests[0].elder.lat, requests[0].elder.lon)
    )
    assert abs(p.travel["ebike"][ca2.start_location][v0.location] - expected) <= 1
    assert data.circles.visit_circle[v0.id] == "HPA"


def test_round_trip_writes_visits_with_local_times(make, db) -> None:
    station, _, requests = _district(make, db)
    run = plan_day(db.session, DAY, ["HPA"], time_limit_s=2, matrices=MATRICES, workers=1)
    assert run.status == "done" and run.unassigned == []
    visits = planned_visits(db.session, DAY)
    assert len(visits) == len(requests) == run.visits_planned
    for v in visits:
        assert v.planned_start is not None and v.planned_start.tzinfo is not None
        # Inside the local window: 09:00-16:00 Shanghai is 01:00-08:00 UTC.
        assert local_to_utc(DAY, dt.time(9)) <= v.planned_start
        assert v.planned_end <= local_to_utc(DAY, dt.time(16))
        assert v.request.status == RequestStatus.SCHEDULED
    seqs = sorted((v.caregiver_id, v.route_seq) for v in visits)
    assert len(set(seqs)) == len(seqs)


def test_a_station_s_short_plan_is_searched_not_left_greedy(make, db, monkeypatch) -> None:
    # Writing six visits takes milliseconds; a writing reserve of seconds left a 2 s plan of
    # one station no time to search, and it kept its greedy start.
    from carehub.routing import circles as circles_module

    _district(make, db)
    limits: list[float] = []
    real = circles_module.solve

    def spy(problem, params, initial_routes=None):
        limits.append(params.time_limit_s)
        return real(problem=problem, params=params, initial_routes=initial_routes)

    monkeypatch.setattr(circles_module, "solve", spy)
    run = plan_day(db.session, DAY, ["HPA"], time_limit_s=2, matrices=MATRICES, workers=1)
    assert run.status == "done" and run.unassigned == []
    # Pass 1's one part, searched for most of what loading and writing leave.
    assert limits and limits[0] >= 0.5


def test_plan_command_stores_a_run_with_reasons(app, make, db) -> None:
    station, _, requests = _district(make, db, visits=2)
    nursing = make.service_type("nurse_x", skill=make.skill("nursing"), priority=2)
    lonely = make.request(elder=make.elder(station=station), service_type=nursing, service_date=DAY)
    db.session.commit()
    result = app.test_cli_runner().invoke(
        main, ["plan", "--date", "2026-11-23", "--station", "HPA", "--time-limit", "2"]
    )
    assert result.exit_code == 0, result.output
    run = db.session.scalars(select(PlanningRun)).one()
    assert run.unassigned == [
        {"request_id": lonely.id, "reason": "no caregiver with the skill/gender"}
    ]
    assert run.input_summary["requests"] == 3 and run.input_summary["caregivers"] == 2
    assert run.travel_minutes is not None and run.solve_seconds is not None
    assert run.finished_at is not None and run.finished_at.tzinfo is not None
    assert f"request {lonely.id}: no caregiver with the skill/gender" in result.output
    bad = app.test_cli_runner().invoke(main, ["plan", "--date", "2026-11-23", "--station", "NOPE"])
    assert bad.exit_code != 0 and "NOPE" in bad.output


def test_rerun_keeps_pinned_and_published_visits(make, db) -> None:
    _, (a, b), requests = _district(make, db, visits=4)
    plan_day(db.session, DAY, ["HPA"], time_limit_s=2, matrices=MATRICES, workers=1)
    first = {v.request_id: v for v in planned_visits(db.session, DAY)}
    pinned = first[requests[0].id]
    pinned.pinned = True
    pinned.caregiver = b
    pinned.planned_start = local_to_utc(DAY, dt.time(10, 0))
    pinned.planned_end = local_to_utc(DAY, dt.time(10, 15))
    published = first[requests[1].id]
    published.status = VisitStatus.PUBLISHED
    replaced = first[requests[2].id]
    db.session.flush()
    run = plan_day(db.session, DAY, ["HPA"], time_limit_s=2, matrices=MATRICES, workers=1)
    after = planned_visits(db.session, DAY)
    assert len(after) == 4 and run.visits_planned == 2
    by_request = {v.request_id: v for v in after}
    assert by_request[requests[0].id].id == pinned.id
    assert by_request[requests[0].id].caregiver_id == b.id
    assert by_request[requests[0].id].planned_start == local_to_utc(DAY, dt.time(10, 0))
    assert by_request[requests[1].id].id == published.id
    # Replaced by a new row (SQLite may give it the old row's id again).
    assert inspect(replaced).was_deleted and by_request[requests[2].id] is not replaced
    # Nobody else of b's is planned over the pinned visit.
    for v in after:
        if v.caregiver_id == b.id and v.id != pinned.id:
            assert v.planned_end <= pinned.planned_start or v.planned_start >= pinned.planned_end


def test_publish_and_two_caregiver_visit_rows(make, db) -> None:
    station, _, _ = _district(make, db, visits=1)
    make.caregiver(station=station, skills=("bathing",), code="CA3")
    bath = make.service_type(
        "bath2", duration_min=60, caregivers_needed=2, skill=make.skill("bathing")
    )
    pair = make.request(elder=make.elder(station=station), service_type=bath, service_date=DAY)
    run = plan_day(
        db.session, DAY, None, time_limit_s=2, publish=True, matrices=MATRICES, workers=1
    )
    assert run.status == "published"
    rows = [v for v in planned_visits(db.session, DAY) if v.request_id == pair.id]
    assert len(rows) == 2 and rows[0].caregiver_id != rows[1].caregiver_id
    assert rows[0].planned_start == rows[1].planned_start
    assert all(v.status == VisitStatus.PUBLISHED for v in planned_visits(db.session, DAY))


def test_overflow_is_lent_to_the_neighbouring_circle(make, db) -> None:
    near = make.station(code="HPN", lat=CENTRE[0], lon=CENTRE[1])
    far = make.station(code="HPF", lat=CENTRE[0] + 0.02, lon=CENTRE[1])
    make.station(code="HPX", lat=CENTRE[0] + 0.2, lon=CENTRE[1])
    # Six quarter-hour visits overflow a 90-minute shift (meal drops, at three minutes, would not).
    meal = make.service_type("visit15", duration_min=15)
    make.caregiver(station=near, code="CN1", shift_start=dt.time(11), shift_end=dt.time(12, 30))
    make.caregiver(station=far, code="CF1")
    requests = [
        make.request(
            elder=make.elder(station=near, lat=CENTRE[0] + 0.001 * i, lon=CENTRE[1]),
            service_type=meal,
            service_date=DAY,
            window_start=dt.time(11),
            window_end=dt.time(12, 30),
        )
        for i in range(6)
    ]
    run = plan_day(db.session, DAY, None, time_limit_s=4, matrices=MATRICES, workers=2)
    assert run.unassigned == []
    visits = planned_visits(db.session, DAY)
    lent = [v for v in visits if v.lent]
    assert lent and run.visits_lent == len(lent)
    far_cg = db.session.scalars(select(Caregiver).where(Caregiver.code == "CF1")).one()
    assert all(v.caregiver_id == far_cg.id for v in lent)
    assert all(not v.lent for v in visits if v.caregiver_id != far_cg.id)
    assert {v.request_id for v in visits} == {r.id for r in requests}


def test_circle_plan_passes_validation(make, db) -> None:
    _, _, requests = _district(make, db, visits=8)
    stations = list(db.session.scalars(select(Station)))
    reqs = list(db.session.scalars(select(ServiceRequest)))
    cgs = list(db.session.scalars(select(Caregiver)))
    data = adapters.build_day(DAY, stations, reqs, cgs, MATRICES)
    from carehub.routing import SolverParams

    result = solve_circles(data.problem, data.circles, SolverParams(time_limit_s=1), workers=1)
    assert validate(data.problem, result.plan) == []
    assert not result.lent


def test_a_day_without_caregivers_on_shift_leaves_every_request_with_a_reason(db, make) -> None:
    from carehub.dispatch.planning.services import REASON_NO_SHIFT, plan_day

    station = make.station()
    make.caregiver(station=station, weekdays_mask=0b0000001)  # Mondays only
    request = make.request(elder=make.elder(station=station), service_date=dt.date(2026, 11, 24))
    run = plan_day(db.session, dt.date(2026, 11, 24), [station.code], time_limit_s=1)
    assert run.status == "done" and run.visits_planned == 0
    assert run.unassigned == [{"request_id": request.id, "reason": REASON_NO_SHIFT}]


def test_lunch_break_reaches_the_problem_and_the_plan_keeps_it(make, db) -> None:
    station = make.station(code="HPL")
    meal = make.service_type("meal_delivery")
    # A 45-minute break in a 45-minute window: the caregiver is away 12:00-12:45, whatever.
    carer = make.caregiver(
        station=station,
        code="CL1",
        lunch_start=dt.time(12, 0),
        lunch_end=dt.time(12, 45),
        lunch_minutes=45,
    )
    make.caregiver(station=station, code="CL2", shift_start=dt.time(13, 0))  # no lunch
    for i in range(8):
        lat, lon = _near(0.001 * i, 0.001 * i)
        make.request(
            elder=make.elder(station=station, lat=lat, lon=lon),
            service_type=meal,
            service_date=DAY,
            window_start=dt.time(11, 0),
            window_end=dt.time(14, 0),
        )
    db.session.flush()
    data = adapters.build_day(
        DAY, [station], db.session.scalars(select(ServiceRequest)).all(), [carer], MATRICES
    )
    lunch = data.problem.caregiver("CL1").lunch
    assert lunch is not None and (lunch.start, lunch.end, lunch.duration) == (
        12 * 3600,
        12 * 3600 + 45 * 60,
        45 * 60,
    )
    run = plan_day(db.session, DAY, ["HPL"], time_limit_s=2, matrices=MATRICES, workers=1)
    assert run.status == "done"
    mine = [v for v in planned_visits(db.session, DAY) if v.caregiver_id == carer.id]
    assert mine
    away = (local_to_utc(DAY, dt.time(12, 0)), local_to_utc(DAY, dt.time(12, 45)))
    for v in mine:
        assert v.planned_end <= away[0] or v.planned_start >= away[1]


def test_lunch_break_cut_to_a_changed_shift_or_dropped(make, db) -> None:
    carer = make.caregiver(
        shift_start=dt.time(12, 15),
        lunch_start=dt.time(11, 30),
        lunch_end=dt.time(13, 30),
        lunch_minutes=30,
    )
    lunch = adapters.lunch_break(carer)
    assert lunch is not None and (lunch.start, lunch.end) == (12 * 3600 + 900, 13 * 3600 + 1800)
    carer.shift_start = dt.time(13, 15)
    assert adapters.lunch_break(carer) is None
    carer.lunch_minutes = None
    assert adapters.lunch_break(carer) is None


def test_a_kept_two_caregiver_visit_pins_both_caregivers(make, db) -> None:
    station, (a, b), _ = _district(make, db, visits=1)
    c = make.caregiver(station=station, skills=("bathing",), code="CA3")
    a.skills.append(make.skill("bathing"))
    bath = make.service_type(
        "bath2", duration_min=60, caregivers_needed=2, skill=make.skill("bathing")
    )
    pair = make.request(
        elder=make.elder(station=station),
        service_type=bath,
        service_date=DAY,
        window_start=dt.time(9, 0),
        window_end=dt.time(16, 0),
    )
    plan_day(db.session, DAY, ["HPA"], time_limit_s=2, matrices=MATRICES, workers=1)
    rows = [v for v in planned_visits(db.session, DAY) if v.request_id == pair.id]
    assert len(rows) == 2
    # The dispatcher confirms the pair as a and c, at 14:00.
    for row, carer in zip(rows, (a, c), strict=True):
        row.caregiver = carer
        row.pinned = True
        row.planned_start = local_to_utc(DAY, dt.time(14, 0))
        row.planned_end = local_to_utc(DAY, dt.time(15, 0))
    db.session.flush()
    requests = db.session.scalars(select(ServiceRequest)).all()
    data = adapters.build_day(DAY, [station], requests, [a, b, c], MATRICES)
    v = data.problem.visit(f"r{pair.id}")
    assert set(v.pins) == {a.code, c.code} and v.pinned_time == 14 * 3600
    result = solve_circles(data.problem, data.circles)
    assert validate(data.problem, result.plan) == []
    served = sorted(r.caregiver for r in result.plan.routes for s in r.stops if s.visit == v.id)
    assert served == sorted([a.code, c.code])
