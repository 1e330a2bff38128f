"""Shortfall advice on a planning run: stored, shown on the run's page and by `carehub plan`,
and kept: its shifts, added as real caregivers, place what it promised."""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from sqlalchemy import select

from carehub.cli import main
from carehub.core.enums import Role, TravelMode
from carehub.dispatch.planning import shortfall as planning_shortfall
from carehub.dispatch.planning.models import PlanningRun
from carehub.dispatch.planning.services import plan_day
from carehub.geo.matrix import ModelMatrices
from carehub.geo.travel import TravelModel
from tests.builders import CENTRE

DAY = dt.date(2026, 11, 23)  # a Monday
MATRICES = ModelMatrices(TravelModel())
BATHS = 6


def _short_day(make, db, baths: int = BATHS):  # type: ignore[no-untyped-def]
    """One bathing-trained caregiver and hour-long baths that must all start by 09:30: the
    day leaves all but one open."""
    station = make.station(code="HP03")
    bathing = make.skill("bathing")
    bathing.name_zh, bathing.name_en = "助浴培训", "Bathing-trained"
    bath = make.service_type("bath_x", duration_min=60, skill=bathing, priority=3)
    make.caregiver(station=station, skills=("bathing",), code="CB1")
    requests = [
        make.request(
            elder=make.elder(station=station, lat=CENTRE[0] + 0.003 * i, lon=CENTRE[1] + 0.002),
            service_type=bath,
            service_date=DAY,
            window_start=dt.time(9, 0),
            window_end=dt.time(10, 30),
        )
        for i in range(baths)
    ]
    db.session.commit()
    return station, requests


def test_a_short_day_stores_proven_advice_by_station_skill_and_band(make, db) -> None:  # type: ignore[no-untyped-def]
    _short_day(make, db)
    run = plan_day(db.session, DAY, ["HP03"], time_limit_s=2, matrices=MATRICES, workers=1)
    assert len(run.unassigned) == BATHS - 1
    advice = run.shortfall
    assert advice is not None and advice["open"] == BATHS - 1
    assert 0 < advice["budget_s"] <= planning_shortfall.MAX_BUDGET_S
    (s,) = advice["suggestions"]
    assert (s["station"], s["skill"], s["start"], s["mode"]) == (
        "HP03",
        "bathing",
        "09:00",
        "ebike",
    )
    assert s["end"] == "11:00" and s["open"] == BATHS - 1 and s["hours"] == 2 * s["caregivers"]
    # Each must start by 09:30 and takes an hour: one extra caregiver a bath.
    assert s["caregivers"] == s["placed"] == BATHS - 1
    assert set(s["placed_requests"]) == {u["request_id"] for u in run.unassigned}


def test_a_fully_served_day_has_no_advice(make, db) -> None:  # type: ignore[no-untyped-def]
    _short_day(make, db, baths=1)
    run = plan_day(db.session, DAY, ["HP03"], time_limit_s=1, matrices=MATRICES, workers=1)
    assert run.unassigned == [] and run.shortfall is None


def test_the_suggested_shifts_added_as_caregivers_place_what_they_promised(make, db) -> None:  # type: ignore[no-untyped-def]
    station, requests = _short_day(make, db)
    first = plan_day(db.session, DAY, ["HP03"], time_limit_s=2, matrices=MATRICES, workers=1)
    db.session.commit()
    (s,) = first.shortfall["suggestions"]  # type: ignore[index]
    start, end = (dt.time.fromisoformat(s[k]) for k in ("start", "end"))
    for i in range(s["caregivers"]):
        make.caregiver(
            station=station,
            skills=(s["skill"],),
            code=f"XB{i}",
            shift_start=start,
            shift_end=end,
            travel_mode=TravelMode(s["mode"]),
        )
    db.session.commit()
    again = plan_day(db.session, DAY, ["HP03"], time_limit_s=2, matrices=MATRICES, workers=1)
    placed_before = BATHS - len(first.unassigned)
    assert BATHS - len(again.unassigned) >= placed_before + s["placed"]
    still_open = {u["request_id"] for u in again.unassigned}
    assert len(set(s["open_requests"]) - still_open) >= s["placed"]


def test_the_plan_command_prints_the_advice(app, make, db) -> None:  # type: ignore[no-untyped-def]
    _short_day(make, db)
    result = app.test_cli_runner().invoke(
        main, ["plan", "--date", DAY.isoformat(), "--station", "HP03", "--time-limit", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "Shortfall advice:" in result.output
    assert (
        "HP03: 5 more caregivers with “Bathing-trained”, 09:00–11:00, place 5 of the 5 open "
        "visits." in result.output
    )


def test_the_run_page_shows_the_advice_in_chinese_by_default(client, login_as, make, db) -> None:  # type: ignore[no-untyped-def]
    station, _ = _short_day(make, db)
    run = plan_day(db.session, DAY, ["HP03"], time_limit_s=2, matrices=MATRICES, workers=1)
    db.session.commit()
    login_as(Role.DISPATCHER, station=station)
    page = client.get(f"/dispatch/planning/runs/{run.id}").get_data(as_text=True)
    assert 'id="run-shortfall"' in page
    assert (
        "HP03：再增加 5 名具备「助浴培训」的护理员（09:00–11:00），可安排 5 个待安排上门中的 5 个。"
        in page
    )
    client.get("/lang/en")
    page = client.get(f"/dispatch/planning/runs/{run.id}").get_data(as_text=True)
    assert "5 more caregivers with “Bathing-trained”, 09:00–11:00, place 5 of the 5" in page


def test_a_run_without_advice_shows_no_advice(client, login_as, make, db) -> None:  # type: ignore[no-untyped-def]
    station, _ = _short_day(make, db, baths=1)
    run = plan_day(db.session, DAY, ["HP03"], time_limit_s=1, matrices=MATRICES, workers=1)
    db.session.commit()
    login_as(Role.DISPATCHER, station=station)
    page = client.get(f"/dispatch/planning/runs/{run.id}").get_data(as_text=True)
    assert 'id="run-kpis"' in page and 'id="run-shortfall"' not in page
    assert db.session.scalars(select(PlanningRun)).one().shortfall is None


def test_advice_lines_name_the_gender_and_what_was_not_proven(app, db) -> None:  # type: ignore[no-untyped-def]
    advice = {
        "budget_s": 2.0,
        "suggestions": [
            {
                "station": "HP01",
                "skill": None,
                "gender": "male",
                "caregivers": 1,
                "start": "12:00",
                "end": "15:00",
                "hours": 3,
                "placed": 2,
                "open": 3,
            },
            {
                "station": "HP02",
                "skill": None,
                "gender": None,
                "caregivers": 2,
                "hours": 4,
                "start": "09:00",
                "end": "11:00",
                "placed": 4,
                "open": 4,
            },
        ],
        "open": 15,
        "unproven": {"groups": 2, "visits": 7},
        "hopeless": {"groups": 1, "visits": 1},
    }
    with app.test_request_context("/"), force_locale("en"):
        lines = planning_shortfall.lines(db.session, advice)
    assert lines == [
        "HP01: 1 more caregiver, 12:00–15:00, places 2 of the 3 open visits. "
        "Men: some of these elders ask for one.",
        "HP02: 2 more caregivers, 09:00–11:00, place 4 of the 4 open visits.",
        "In all: 3 more caregivers, 7 caregiver-hours, placing 6 of the 15 open visits (each "
        "line proven on its own).",
        "1 open visits in 1 groups: no extra shift from their station placed any.",
        "7 open visits in 2 groups were not proven within the advice's 2 s.",
    ]
    with app.test_request_context("/"), force_locale("zh"):
        first = planning_shortfall.lines(db.session, advice)[0]
    assert first == (
        "HP01：再增加 1 名护理员（12:00–15:00），可安排 3 个待安排上门中的 2 个。"
        "需为男性：其中有老人要求男护理员。"
    )


def test_extra_caregivers_travel_as_most_of_their_station_does(make, db) -> None:  # type: ignore[no-untyped-def]
    walkers, mixed = make.station(code="HPW"), make.station(code="HPM")
    rows = [
        make.caregiver(station=walkers, travel_mode=TravelMode.WALK),
        make.caregiver(station=walkers, travel_mode=TravelMode.WALK),
        make.caregiver(station=walkers, travel_mode=TravelMode.EBIKE),
        make.caregiver(station=mixed, travel_mode=TravelMode.WALK),
        make.caregiver(station=mixed, travel_mode=TravelMode.EBIKE),
    ]
    db.session.flush()
    # A tie goes to the e-bike.
    assert planning_shortfall.usual_modes(rows) == {walkers.id: "walk", mixed.id: "ebike"}


def test_the_advice_budget_is_a_tenth_of_the_run_within_bounds() -> None:
    assert planning_shortfall.budget(20) == 2.0
    assert planning_shortfall.budget(60) == 6.0
    assert planning_shortfall.budget(1) == planning_shortfall.MIN_BUDGET_S
    assert planning_shortfall.budget(600) == planning_shortfall.MAX_BUDGET_S


def test_a_station_with_nobody_on_shift_is_advised_from_its_own_door(make, db) -> None:  # type: ignore[no-untyped-def]
    # HPF lies 30 km from HP03, too far for HP03's caregiver to reach a 09:00 visit there.
    _short_day(make, db, baths=1)
    far = make.station(code="HPF", lat=CENTRE[0] + 0.27, lon=CENTRE[1])
    meal = make.service_type("meal_x", duration_min=15)
    lonely = make.request(
        elder=make.elder(station=far, lat=CENTRE[0] + 0.271, lon=CENTRE[1]),
        service_type=meal,
        service_date=DAY,
        window_start=dt.time(9, 0),
        window_end=dt.time(9, 30),
    )
    db.session.commit()
    run = plan_day(db.session, DAY, ["HP03", "HPF"], time_limit_s=2, matrices=MATRICES, workers=1)
    assert run.unassigned == [{"request_id": lonely.id, "reason": "no caregiver in the circle"}]
    (s,) = run.shortfall["suggestions"]  # type: ignore[index]
    assert (s["station"], s["skill"], s["caregivers"], s["placed"]) == ("HPF", None, 1, 1)
    assert (s["start"], s["end"], s["mode"]) == ("09:00", "10:00", "ebike")


def test_a_run_over_many_stations_shows_the_advice_of_the_chosen_one(
    client, login_as, make, db, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from carehub.dispatch.planning import views as planning_views

    _short_day(make, db)
    other = make.station(code="HP04", lat=CENTRE[0] + 0.27, lon=CENTRE[1])
    make.caregiver(station=other, code="CO1")
    make.request(
        elder=make.elder(station=other, lat=CENTRE[0] + 0.271, lon=CENTRE[1]),
        service_type=make.service_type("meal_y", duration_min=15),
        service_date=DAY,
        window_start=dt.time(9, 0),
        window_end=dt.time(9, 30),
    )
    make.request(
        elder=make.elder(station=other, lat=CENTRE[0] + 0.272, lon=CENTRE[1]),
        service_type=make.service_type("meal_y"),
        service_date=DAY,
        window_start=dt.time(9, 0),
        window_end=dt.time(9, 30),
    )
    db.session.commit()
    run = plan_day(db.session, DAY, ["HP03", "HP04"], time_limit_s=2, matrices=MATRICES, workers=1)
    db.session.commit()
    assert run.status == "done" and run.shortfall, (run.status, run.input_summary, run.unassigned)
    assert {s["station"] for s in run.shortfall["suggestions"]} == {"HP03", "HP04"}  # type: ignore[index]
    monkeypatch.setattr(planning_views, "DRAWN_STATIONS", 1)
    login_as(Role.ADMIN)
    client.get("/lang/en")
    page = client.get(f"/dispatch/planning/runs/{run.id}?station=HP04").get_data(as_text=True)
    advice = page[page.index('id="run-shortfall"') :]
    assert "Shown for the station chosen above" in advice
    assert "HP04: 1 more caregiver" in advice and "HP03:" not in advice
