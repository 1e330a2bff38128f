"""Meal rounds from a plan to the database: kitchens in the problem, rounds written and
replaced, the packing list and its station scope."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from carehub.core.enums import Role, VisitStatus
from carehub.dispatch import adapters, meal_rounds
from carehub.dispatch.models import MealRound, Visit
from carehub.dispatch.planning.services import _drop_replaceable
from carehub.routing import validate
from tests.integration.meals_support import MATRICES, meal_day, write

DAY = dt.date(2026, 11, 23)


def test_build_day_collects_meals_at_the_station_canteen_by_default(make, db) -> None:  # type: ignore[no-untyped-def]
    r = meal_day(make, DAY, code="HPK")
    p = r.data.problem
    assert [k.id for k in p.kitchens] == ["station:HPK"]
    kitchen = p.kitchen("station:HPK")
    assert kitchen.ready == 10 * 3600 + 45 * 60
    assert p.caregiver(r.caregiver.code).start_location == kitchen.location  # station = canteen
    assert {v.kitchen for v in p.visits} == {"station:HPK"}
    assert all(v.service == 3 * 60 for v in p.visits)  # the catalogue's drop minutes
    assert p.meals.box == {"ebike": 12, "walk": 6}
    assert (p.meals.max_ride, p.meals.load) == (40 * 60, 2 * 60)


def test_a_named_kitchen_and_the_settings_reach_the_problem(app, make, db) -> None:  # type: ignore[no-untyped-def]
    from carehub.registry.models import Kitchen

    central = Kitchen(
        code="K1",
        name="中心厨房",
        address="厨房路1号",
        lat=39.13,
        lon=117.20,
        ready_at=dt.time(10, 15),
    )
    db.session.add(central)
    app.config.update(MEAL_BOX_EBIKE=8, MEAL_HOT_FOOD_MIN=30, MEAL_LOAD_MIN=5)
    r = meal_day(make, DAY, kitchen=central)
    p = r.data.problem
    assert [(k.id, k.ready) for k in p.kitchens] == [("kitchen:K1", 10 * 3600 + 15 * 60)]
    assert p.meals.box["ebike"] == 8 and p.meals.max_ride == 1800 and p.meals.load == 300
    assert r.data.kitchens["kitchen:K1"].kitchen_id == central.id
    # The run's travel minutes count the ride to the kitchen.
    from carehub.dispatch.planning.services import travel_seconds

    t, home = p.travel["ebike"], p.caregiver(r.caregiver.code).start_location
    drops = [p.visit(adapters.visit_id(q)).location for q in r.requests]
    via = [home, p.kitchen("kitchen:K1").location, *drops, home]
    direct = [home, *drops, home]
    assert travel_seconds(p, r.plan) == sum(t[a][b] for a, b in zip(via, via[1:], strict=False))
    assert travel_seconds(p, r.plan) > sum(
        t[a][b] for a, b in zip(direct, direct[1:], strict=False)
    )


def test_other_services_are_not_meal_drops(make, db) -> None:  # type: ignore[no-untyped-def]
    station = make.station()
    cleaning = make.service_type("cleaning")
    req = make.request(elder=make.elder(station=station), service_type=cleaning, service_date=DAY)
    cg = make.caregiver(station=station, skills=("cleaning",))
    data = adapters.build_day(DAY, [station], [req], [cg], MATRICES)
    assert data.problem.kitchens == () and data.problem.visits[0].kitchen is None


def test_a_written_plan_stores_its_round_and_the_drops_refer_to_it(make, db) -> None:  # type: ignore[no-untyped-def]
    r = meal_day(make, DAY)
    assert validate(r.data.problem, r.plan) == []
    rows = write(db.session, r)
    rounds = db.session.scalars(select(MealRound)).all()
    assert len(rounds) == 1
    found = rounds[0]
    assert found.caregiver_id == r.caregiver.id and found.service_date == DAY
    assert found.canteen_station_id == r.station.id and found.kitchen_id is None
    # Collected at the canteen's ready time, 10:45 Shanghai = 02:45 UTC, stored as UTC.
    assert found.collect_at == dt.datetime(2026, 11, 23, 2, 45, tzinfo=dt.UTC)
    assert found.position == 1
    assert [v.id for v in meal_rounds.live_visits(found)] == [v.id for v in rows]
    assert [v.request_id for v in rows] == [q.id for q in r.requests]


def test_replanning_replaces_planned_rounds_and_keeps_published_ones(make, db) -> None:  # type: ignore[no-untyped-def]
    r = meal_day(make, DAY)
    write(db.session, r)
    # A re-plan drops the planned drops; their round goes with them, nothing dangles.
    _drop_replaceable(db.session, r.requests)
    assert db.session.scalar(select(func.count(MealRound.id))) == 0
    rows = write(db.session, r, publish=True)
    assert db.session.scalar(select(func.count(MealRound.id))) == 1
    second = db.session.scalar(select(MealRound.id))
    # Published drops stay, and so does their round.
    _drop_replaceable(db.session, r.requests)
    assert db.session.scalar(select(MealRound.id)) == second
    assert all(v.meal_round_id == second for v in rows)
    # Planning again around the kept drops adds no second round for them.
    data = adapters.build_day(DAY, [r.station], r.requests, [r.caregiver], MATRICES)
    assert all(v.pinned_caregiver == r.caregiver.code for v in data.problem.visits)
    meal_rounds.write(db.session, data, r.plan, [])
    assert db.session.scalar(select(func.count(MealRound.id))) == 1


def test_packing_list_shows_each_round_with_diets_in_drop_order(client, login_as, make, db) -> None:  # type: ignore[no-untyped-def]
    r = meal_day(make, DAY, code="HPP", name="和平站")
    rows = write(db.session, r, publish=True)
    db.session.commit()
    login_as(Role.DISPATCHER)
    page = client.get("/dispatch/packing?date=2026-11-23&station=HPP")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('class="card packing-round"') == 1
    assert r.caregiver.name in html and "10:45" in html
    names = [v.request.elder.name for v in rows]
    assert html.index(names[0]) < html.index(names[1])
    assert "低盐" in html and "清真" in html
    assert (
        client.get("/dispatch/packing?date=2026-11-24&station=HPP")
        .get_data(as_text=True)
        .count('packing-round"')
        == 0
    )


def test_packing_list_keeps_a_scoped_dispatcher_to_their_station(
    client, login_as, make, db
) -> None:  # type: ignore[no-untyped-def]
    r = meal_day(make, DAY, code="HPS")
    other = make.station(code="HXO")
    write(db.session, r, publish=True)
    db.session.commit()
    login_as(Role.DISPATCHER, station=other)
    assert client.get("/dispatch/packing?date=2026-11-23&station=HPS").status_code == 403
    own = client.get("/dispatch/packing?date=2026-11-23")
    assert own.status_code == 200 and 'packing-round"' not in own.get_data(as_text=True)
    assert client.get("/dispatch/packing?date=2026-13-01").status_code == 400
    assert client.get("/dispatch/packing?station=NOPE").status_code == 400


def test_cancelled_drops_leave_the_packing_list(make, db) -> None:  # type: ignore[no-untyped-def]
    r = meal_day(make, DAY)
    rows = write(db.session, r, publish=True)
    rows[0].status = VisitStatus.CANCELLED
    db.session.flush()
    (found,) = meal_rounds.packing_list(db.session, r.station.id, DAY)
    assert [v.id for v in meal_rounds.live_visits(found)] == [rows[1].id]
    assert db.session.get(Visit, rows[0].id).meal_round_id == found.id


def test_planning_a_day_stores_the_solvers_rounds_and_replanning_replaces_them(make, db) -> None:  # type: ignore[no-untyped-def]
    from carehub.dispatch.planning.services import plan_day, planned_visits

    r = meal_day(make, DAY, diets=("低盐", None, "软食", None, "清真"), code="HPR")
    db.session.commit()
    run = plan_day(db.session, DAY, ["HPR"], time_limit_s=2, matrices=MATRICES, workers=1)
    assert run.status == "done" and run.unassigned == []
    visits = planned_visits(db.session, DAY)
    assert len(visits) == 5 and all(v.meal_round_id is not None for v in visits)
    rounds = db.session.scalars(select(MealRound).order_by(MealRound.position)).all()
    assert sum(len(meal_rounds.live_visits(x)) for x in rounds) == 5
    for found in rounds:
        # Collected no earlier than the canteen's 10:45, and before each of its drops.
        assert found.collect_at >= dt.datetime(2026, 11, 23, 2, 45, tzinfo=dt.UTC)
        assert all(v.planned_start > found.collect_at for v in found.visits)
        assert found.caregiver_id == r.caregiver.id
    run = plan_day(db.session, DAY, ["HPR"], time_limit_s=2, matrices=MATRICES, workers=1)
    assert run.status == "done"
    again = db.session.scalars(select(MealRound)).all()
    assert sum(len(x.visits) for x in again) == 5  # the first run's rounds are gone
    run = plan_day(
        db.session, DAY, ["HPR"], time_limit_s=2, matrices=MATRICES, workers=1, publish=True
    )
    kept = {x.id for x in db.session.scalars(select(MealRound))}
    assert all(v.status == VisitStatus.PUBLISHED for v in planned_visits(db.session, DAY))
    # Published drops keep their rounds when the day is planned again.
    plan_day(db.session, DAY, ["HPR"], time_limit_s=2, matrices=MATRICES, workers=1)
    assert {x.id for x in db.session.scalars(select(MealRound))} == kept


def _moves_at_night(app) -> None:  # type: ignore[no-untyped-def]
    app.config["CLOCK"] = lambda: dt.datetime(2026, 11, 22, 0, 0, tzinfo=dt.UTC)


def test_moving_a_drop_along_its_route_keeps_its_round_and_the_hot_food_rule(app, make, db) -> None:  # type: ignore[no-untyped-def]
    from carehub.dispatch.moves import services as moves

    _moves_at_night(app)
    r = meal_day(make, DAY)
    rows = write(db.session, r)
    db.session.commit()
    later = moves.preview_move(
        db.session, rows[1].id, r.caregiver.id, dt.time(11, 20), rows[1].version
    )
    assert later.hard == []
    # Collected at 10:45 and loaded by 10:47, a meal dropped after 11:27 has gone cold.
    cold = moves.preview_move(
        db.session, rows[1].id, r.caregiver.id, dt.time(11, 40), rows[1].version
    )
    assert {f.kind for f in cold.hard} == {"ride"}
    db.session.rollback()
    moves.apply_move(
        db.session, rows[1].id, r.caregiver.id, dt.time(11, 20), rows[1].version, confirmed=True
    )
    db.session.commit()
    found = db.session.scalar(select(MealRound))
    assert [v.id for v in meal_rounds.live_visits(found)] == [v.id for v in rows]
    assert found.collect_at == dt.datetime(2026, 11, 23, 2, 45, tzinfo=dt.UTC)


def test_a_drop_moved_to_another_caregiver_is_refused_then_gets_its_own_round(
    app, make, db
) -> None:  # type: ignore[no-untyped-def]
    from carehub.dispatch.moves import services as moves

    _moves_at_night(app)
    r = meal_day(make, DAY)
    other = make.caregiver(station=r.station, skills=("meal",))
    rows = write(db.session, r)
    db.session.commit()
    preview = moves.preview_move(db.session, rows[1].id, other.id, dt.time(11, 10), rows[1].version)
    # The other caregiver collects nothing: the planner's rule names the drop.
    assert {f.kind for f in preview.hard} == {"collect"}
    db.session.rollback()
    moves.apply_move(
        db.session,
        rows[1].id,
        other.id,
        dt.time(11, 10),
        rows[1].version,
        override_reason="送餐员临时换人",
    )
    db.session.commit()
    mine, theirs = (db.session.get(Visit, v.id).meal_round for v in rows)
    assert mine is not None and theirs is not None and mine.id != theirs.id
    assert (theirs.caregiver_id, theirs.canteen_station_id) == (other.id, r.station.id)
    assert theirs.collect_at == mine.collect_at
    assert [v.id for v in meal_rounds.live_visits(mine)] == [rows[0].id]


def test_a_sick_hand_over_keeps_the_others_rounds_as_published(app, make, db) -> None:  # type: ignore[no-untyped-def]
    from carehub.core.time import local_to_utc
    from carehub.dispatch.board import sick

    now = local_to_utc(DAY, dt.time(8, 0))
    app.config["CLOCK"] = lambda: now
    ill = meal_day(make, DAY, code="HPI")
    well_cg = make.caregiver(station=ill.station, skills=("meal",))
    well = meal_day(make, DAY, diets=("软食",), caregiver=well_cg)
    write(db.session, ill, publish=True)
    kept = write(db.session, well, publish=True)
    db.session.commit()
    plan = sick.preview(db.session, ill.caregiver, DAY, now)
    # The other caregiver's published round stands: none of its drops is pushed.
    assert not {s.visit.id for s in plan.shifts} & {v.id for v in kept}
    handed = {h.visit.id for h in (*plan.placed, *plan.unplaced)}
    assert handed == {v.id for v in ill.requests[0].visits + ill.requests[1].visits}
