"""The live board: late and missed as the alerts judge them, station scoping, the JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from carehub.core.enums import RequestStatus, Role, VisitStatus
from carehub.core.time import local_to_utc
from carehub.dispatch.board import services as board
from carehub.dispatch.lateness import due_wall

DAY = dt.date(2026, 11, 23)
NOW = local_to_utc(DAY, dt.time(11, 0))  # 11:00 in Shanghai
GRACES = board.Graces(dt.timedelta(minutes=15), dt.timedelta(minutes=60))


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"CLOCK": lambda: NOW, "LATE_GRACE_MIN": 15, "MISSED_GRACE_MIN": 60}


def _visit(make: Any, station: Any, start: dt.time, end: dt.time, **kw: Any) -> Any:
    elder = make.elder(station=station)
    caregiver = kw.pop("caregiver", None) or make.caregiver(station=station)
    request = make.request(
        elder=elder,
        service_date=DAY,
        window_start=start,
        window_end=end,
        status=RequestStatus.SCHEDULED,
    )
    fields: dict[str, Any] = dict(
        request=request,
        caregiver=caregiver,
        planned_start=local_to_utc(DAY, start),
        planned_end=local_to_utc(DAY, start) + dt.timedelta(minutes=30),
        status=VisitStatus.PUBLISHED,
    )
    fields.update(kw)
    return make.visit(**fields)


@pytest.fixture
def day(make: Any, db: Any) -> dict[str, Any]:
    a, b = make.station(name="东站"), make.station(name="西站")
    rows = {
        "a": a,
        "b": b,
        # Window ended 09:30, an hour's grace passed at 10:30: missed.
        "missed": _visit(make, a, dt.time(8, 0), dt.time(9, 30)),
        # Window opened 10:30, 15 minutes' grace passed at 10:45: late.
        "late": _visit(make, a, dt.time(10, 30), dt.time(12, 0)),
        # Opened 10:50: still within its grace.
        "grace": _visit(make, a, dt.time(10, 50), dt.time(12, 0)),
        "later": _visit(make, a, dt.time(14, 0), dt.time(15, 0)),
        # Checked in after its window: never late.
        "checked": _visit(
            make,
            a,
            dt.time(8, 0),
            dt.time(9, 0),
            status=VisitStatus.CHECKED_IN,
            check_in_at=local_to_utc(DAY, dt.time(10, 0)),
        ),
        "other": _visit(make, b, dt.time(9, 0), dt.time(9, 30)),
    }
    rows["waiting"] = make.request(
        elder=make.elder(station=a), service_date=DAY, status=RequestStatus.OPEN
    )
    db.session.commit()
    return rows


def test_states_follow_the_alert_rules(day: dict[str, Any], db: Any) -> None:
    data = board.build(db.session, DAY, NOW, GRACES, station_id=day["a"].id)
    states = {r.visit_id: r.state for r in data.rows}
    assert states[day["missed"].id] == board.MISSED
    assert states[day["late"].id] == board.LATE
    assert states[day["grace"].id] == board.ON_TIME
    assert states[day["later"].id] == board.ON_TIME
    assert states[day["checked"].id] == board.ON_TIME
    # Exceptions first, missed before late.
    assert [r.visit_id for r in data.rows[:2]] == [day["missed"].id, day["late"].id]
    assert day["other"].id not in states
    assert [w.request_id for w in data.unassigned] == [day["waiting"].id]
    counts = data.totals
    assert (counts.missed, counts.late, counts.unassigned) == (1, 1, 1)
    assert counts.statuses == {"published": 4, "checked_in": 1}


def test_a_later_clock_turns_late_into_missed(day: dict[str, Any], db: Any) -> None:
    later = local_to_utc(DAY, dt.time(13, 30))
    data = board.build(db.session, DAY, later, GRACES, station_id=day["a"].id)
    states = {r.visit_id: r.state for r in data.rows}
    assert states[day["late"].id] == board.MISSED
    assert states[day["grace"].id] == board.MISSED
    # The next day everything not checked in is missed; the day before nothing is due.
    assert due_wall(DAY, local_to_utc(DAY + dt.timedelta(days=1), dt.time(9)), GRACES.missed)
    assert due_wall(DAY, local_to_utc(DAY - dt.timedelta(days=1), dt.time(9)), GRACES.late) is None


def test_all_stations_lists_only_exceptions(day: dict[str, Any], db: Any) -> None:
    data = board.build(db.session, DAY, NOW, GRACES)
    ids = [r.visit_id for r in data.rows]
    # Station b's visit ended 09:30: missed too, and listed before the late one.
    assert set(ids) == {day["missed"].id, day["late"].id, day["other"].id}
    assert ids[-1] == day["late"].id
    lines = {s.id: s.counts for s in data.stations}
    assert lines[day["a"].id].missed == 1 and lines[day["a"].id].late == 1
    assert lines[day["b"].id].missed == 1 and lines[day["b"].id].visits == 1


def test_all_stations_pages_the_exceptions(make: Any, db: Any, monkeypatch: Any) -> None:
    station = make.station()
    for _ in range(5):
        _visit(make, station, dt.time(8, 0), dt.time(9, 0))
    db.session.commit()
    monkeypatch.setattr(board, "PAGE_SIZE", 2)
    first = board.build(db.session, DAY, NOW, GRACES, page=1)
    last = board.build(db.session, DAY, NOW, GRACES, page=3)
    assert (first.pages, len(first.rows), len(last.rows)) == (3, 2, 1)


def test_json_shape(day: dict[str, Any], client: Any, login_as: Any) -> None:
    login_as(Role.ADMIN)
    response = client.get(f"/dispatch/board.json?day={DAY}&station_id={day['a'].id}")
    assert response.status_code == 200
    data = response.get_json()
    assert data["day"] == DAY.isoformat() and data["station_id"] == day["a"].id
    assert data["updated_at"].startswith("2026-11-23T03:00")
    assert data["updated_at_local"] == "11:00:00"
    assert data["totals"]["missed"] == 1 and data["totals"]["late"] == 1
    assert data["totals"]["statuses"]["published"] == 4
    first = data["rows"][0]
    assert first["state"] == "missed" and first["window"] == "08:00-09:30"
    assert set(first) >= {"elder", "caregiver", "planned_start", "check_in_at", "status"}
    assert first["elder"]["phone"] and first["caregiver"]["name"]
    assert data["unassigned"][0]["request_id"] == day["waiting"].id
    assert 'class="state-missed"' in data["html"]


def test_page_renders_with_refresh_settings(
    day: dict[str, Any], client: Any, login_as: Any, app: Any
) -> None:
    app.config["BOARD_REFRESH_S"] = 7
    login_as(Role.ADMIN)
    page = client.get("/dispatch/board").get_data(as_text=True)
    assert 'data-refresh-ms="7000"' in page and "board.js" in page
    assert "东站" in page and "西站" in page


def test_dispatcher_sees_only_their_station(
    day: dict[str, Any], client: Any, login_as: Any
) -> None:
    login_as(Role.DISPATCHER, station_id=day["a"].id)
    data = client.get("/dispatch/board.json").get_json()
    assert data["station_id"] == day["a"].id
    assert [s["id"] for s in data["stations"]] == [day["a"].id]
    assert day["other"].id not in {r["visit_id"] for r in data["rows"]}
    assert client.get(f"/dispatch/board.json?station_id={day['b'].id}").status_code == 403


def test_bad_input_is_a_clear_400(client: Any, login_as: Any) -> None:
    login_as(Role.ADMIN)
    response = client.get("/dispatch/board.json?day=yesterday")
    assert response.status_code == 400
    assert "day" in response.get_data(as_text=True) or "2026-11-23" in response.get_data(
        as_text=True
    )
    assert client.get("/dispatch/board?station_id=x").status_code == 400


def test_one_stations_board_draws_its_routes_with_each_meal_collection(
    client: Any, login_as: Any, make: Any, db: Any
) -> None:
    from tests.integration.meals_support import published_round

    r = published_round(make, db.session, DAY, code="HPM", name="和平食堂站")
    login_as(Role.ADMIN)
    client.get("/lang/en")
    one = client.get(f"/dispatch/board?day={DAY}&station_id={r.station.id}").get_data(as_text=True)
    assert 'id="board-routes"' in one and f'data-caregiver-id="{r.caregiver.id}"' in one
    assert "Meals to collect at 和平食堂站: 2" in one
    every = client.get(f"/dispatch/board?day={DAY}").get_data(as_text=True)
    assert 'id="board-routes"' not in every
