"""Absences, the clock and elders' caregiver rules as every plan of the day reads them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from carehub.availability import services
from carehub.availability.models import CaregiverAbsence
from carehub.core.enums import AbsenceKind, AbsenceStatus, Role, VisitStatus
from carehub.core.time import local_to_utc, to_local
from carehub.dispatch import adapters
from carehub.dispatch.models import Visit
from carehub.dispatch.planning.services import plan_day
from carehub.geo.matrix import ModelMatrices
from carehub.geo.travel import TravelModel
from carehub.registry.models import Elder
from carehub.registry.services import FieldError
from tests.builders import CENTRE

DAY = dt.date(2026, 11, 23)  # a Monday
MATRICES = ModelMatrices(TravelModel())
H = 3600


def _district(make: Any, db: Any, visits: int = 4) -> tuple[Any, Any, Any, list[Any]]:
    station = make.station(code="HPA")
    clean = make.service_type("clean", duration_min=30)
    a = make.caregiver(station=station, code="CA1", skills=())
    b = make.caregiver(station=station, code="CA2", skills=())
    requests = [
        make.request(
            elder=make.elder(station=station, lat=CENTRE[0] + 0.002 * i, lon=CENTRE[1]),
            service_type=clean,
            service_date=DAY,
            window_start=dt.time(9, 0),
            window_end=dt.time(16, 0),
        )
        for i in range(visits)
    ]
    db.session.flush()
    return station, a, b, requests


def _plan(db: Any, station: Any) -> list[Visit]:
    plan_day(db.session, DAY, [station.code], time_limit_s=3, matrices=MATRICES, workers=1)
    return list(db.session.scalars(select(Visit).where(Visit.status == VisitStatus.PLANNED)))


def test_an_absence_keeps_the_caregiver_out_of_that_days_plan(make: Any, db: Any) -> None:
    station, a, b, requests = _district(make, db)
    services.record(db.session, a, AbsenceKind.SICK, *services.day_bounds(DAY))
    data = adapters.build_day(DAY, [station], requests, [a, b], MATRICES)
    assert [c.id for c in data.problem.caregivers] == ["CA2"]
    rows = _plan(db, station)
    assert rows and {v.caregiver.code for v in rows} == {"CA2"}


def test_an_absence_on_another_day_or_not_approved_keeps_them_in(make: Any, db: Any) -> None:
    station, a, b, requests = _district(make, db)
    services.record(db.session, a, AbsenceKind.LEAVE, *services.day_bounds(DAY + dt.timedelta(1)))
    services.record(
        db.session, a, AbsenceKind.LEAVE, *services.day_bounds(DAY), status=AbsenceStatus.REQUESTED
    )
    data = adapters.build_day(DAY, [station], requests, [a, b], MATRICES)
    assert [c.id for c in data.problem.caregivers] == ["CA1", "CA2"]


def test_a_part_day_absence_cuts_the_shift(make: Any, db: Any) -> None:
    station, a, b, requests = _district(make, db)
    services.record(
        db.session,
        a,
        AbsenceKind.LEAVE,
        local_to_utc(DAY, dt.time(0)),
        local_to_utc(DAY, dt.time(12)),
    )
    p = adapters.build_day(DAY, [station], requests, [a, b], MATRICES).problem
    assert p.caregiver("CA1").shift_start == 12 * H
    assert p.caregiver("CA2").shift_start == 8 * H
    assert services.absent_all_day(db.session, [a.id, b.id], DAY) == set()


def test_an_absence_must_end_after_it_starts(make: Any, db: Any) -> None:
    a = make.caregiver()
    start = local_to_utc(DAY, dt.time(12))
    with pytest.raises(FieldError) as err:
        services.record(db.session, a, AbsenceKind.SICK, start, start)
    assert err.value.field == "ends_at"


def test_replanning_at_one_places_nothing_before_one(app: Any, make: Any, db: Any) -> None:
    station, a, b, requests = _district(make, db)
    one = local_to_utc(DAY, dt.time(13))
    app.config["CLOCK"] = lambda: one
    rows = _plan(db, station)
    assert rows and all(v.planned_start >= one for v in rows)


def test_planning_the_day_before_uses_the_morning(app: Any, make: Any, db: Any) -> None:
    station, a, b, requests = _district(make, db)
    # One visit can only be made in the morning: planned the day before, it is placed there.
    requests[0].window_end = dt.time(10, 0)
    db.session.flush()
    app.config["CLOCK"] = lambda: local_to_utc(DAY - dt.timedelta(1), dt.time(13))
    rows = _plan(db, station)
    (morning,) = [v for v in rows if v.request_id == requests[0].id]
    assert to_local(morning.planned_start).time() < dt.time(10)  # type: ignore[arg-type]


def test_the_whole_day_flag_plans_today_from_its_start(app: Any, make: Any, db: Any) -> None:
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from carehub.cli import main

    station, a, b, requests = _district(make, db)
    requests[0].window_end = dt.time(10, 0)
    db.session.commit()
    app.config["CLOCK"] = lambda: local_to_utc(DAY, dt.time(13))
    args = ["plan", "--date", DAY.isoformat(), "--time-limit", "3"]
    info = ScriptInfo(create_app=lambda: app)
    CliRunner().invoke(main, args, obj=info, catch_exceptions=False)
    # From now (13:00) the morning-only visit cannot be made...
    assert db.session.scalars(select(Visit).where(Visit.request_id == requests[0].id)).all() == []
    result = CliRunner().invoke(main, [*args, "--whole-day"], obj=info, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    # ...planned from the day's start, as the night before would, it is made in the morning.
    (morning,) = db.session.scalars(select(Visit).where(Visit.request_id == requests[0].id))
    assert to_local(morning.planned_start).time() < dt.time(10)  # type: ignore[arg-type]


def test_during_the_day_a_caregiver_starts_from_their_last_visit(make: Any, db: Any) -> None:
    station, a, b, requests = _district(make, db)
    far = make.elder(station=station, lat=CENTRE[0] + 0.03, lon=CENTRE[1] + 0.03)
    done = make.request(elder=far, service_type=requests[0].service_type, service_date=DAY)
    make.visit(
        request=done,
        caregiver=a,
        status=VisitStatus.COMPLETED,
        planned_start=local_to_utc(DAY, dt.time(10)),
        planned_end=local_to_utc(DAY, dt.time(10, 30)),
    )
    db.session.flush()
    now = local_to_utc(DAY, dt.time(13))
    data = adapters.build_day(DAY, [station], [*requests, done], [a, b], MATRICES, now=now)
    p = data.problem
    ca1, ca2 = p.caregiver("CA1"), p.caregiver("CA2")
    assert ca1.shift_start == ca2.shift_start == 13 * H
    assert ca1.start_location != ca1.end_location  # from the far elder, back home
    assert ca2.start_location == ca2.end_location
    assert f"r{done.id}" not in data.requests  # the past of the day stays as it was
    before = adapters.build_day(DAY, [station], [*requests, done], [a, b], MATRICES)
    assert (
        before.problem.caregiver("CA1").start_location
        == before.problem.caregiver("CA1").end_location
    )


def test_do_not_send_is_never_planned_and_preferred_is_weighted(make: Any, db: Any) -> None:
    station, a, b, requests = _district(make, db, visits=2)
    first, second = requests
    services.set_rules(db.session, first.elder, preferred=[a], avoided=[b])
    services.set_rules(db.session, second.elder, preferred=[b], avoided=[])
    p = adapters.build_day(DAY, [station], requests, [a, b], MATRICES).problem
    v1, v2 = p.visit(f"r{first.id}"), p.visit(f"r{second.id}")
    assert v1.excluded == {"CA2"} and v1.preferred_caregiver == "CA1"
    assert v2.excluded == frozenset() and v2.preferred_caregiver == "CA2"
    rows = _plan(db, station)
    assert {(v.request_id, v.caregiver.code) for v in rows} == {
        (first.id, "CA1"),
        (second.id, "CA2"),
    }


def test_do_not_send_of_the_only_caregiver_leaves_the_request_open(make: Any, db: Any) -> None:
    station, a, b, requests = _district(make, db, visits=1)
    b.active = False
    services.set_rules(db.session, requests[0].elder, preferred=[], avoided=[a])
    assert _plan(db, station) == []
    services.set_rules(db.session, requests[0].elder, preferred=[], avoided=[])
    assert [v.caregiver.code for v in _plan(db, station)] == ["CA1"]


def test_a_caregiver_cannot_be_both_preferred_and_avoided(make: Any, db: Any) -> None:
    station, a, b, requests = _district(make, db, visits=1)
    with pytest.raises(FieldError) as err:
        services.set_rules(db.session, requests[0].elder, preferred=[a], avoided=[a])
    assert err.value.field == "avoided"


def test_emergency_proposals_skip_the_absent_and_the_do_not_send(app: Any, make: Any) -> None:
    from carehub.emergency import services as emergency_services
    from tests.integration.emergency_support import NOW, emergency, medic

    app.config["CLOCK"] = lambda: NOW
    away, avoided, ok = medic(make, 100), medic(make, 200), medic(make, 3000)
    request = emergency(make)

    def codes() -> list[str]:
        return [p.caregiver.code for p in emergency_services.propose(make.session, request, NOW)]

    assert codes() == [away.code, avoided.code, ok.code]
    services.record(
        make.session,
        away,
        AbsenceKind.SICK,
        NOW - dt.timedelta(hours=1),
        NOW + dt.timedelta(hours=1),
    )
    services.set_rules(make.session, request.elder, preferred=[], avoided=[avoided])
    assert codes() == [ok.code]


def test_called_in_sick_records_an_absence_for_the_rest_of_the_day(make: Any, db: Any) -> None:
    from carehub.dispatch.board import sick

    station, a, b, requests = _district(make, db, visits=1)
    now = local_to_utc(DAY, dt.time(8))
    make.visit(
        request=requests[0],
        caregiver=a,
        status=VisitStatus.PUBLISHED,
        planned_start=local_to_utc(DAY, dt.time(10)),
        planned_end=local_to_utc(DAY, dt.time(10, 30)),
    )
    db.session.flush()
    assert services.absent_all_day(db.session, [a.id], DAY) == set()
    sick.preview(db.session, a, DAY, now)  # a preview records nothing
    assert services.absent_at(db.session, [a.id], now) == set()
    plan = sick.preview(db.session, a, DAY, now)
    sick.apply(db.session, a, DAY, now, plan.token)
    assert services.absent_at(db.session, [a.id], now) == {a.id}
    assert services.absent_at(db.session, [a.id], local_to_utc(DAY, dt.time(23, 59))) == {a.id}
    assert (
        services.absent_at(db.session, [a.id], local_to_utc(DAY + dt.timedelta(1), dt.time(8)))
        == set()
    )
    data = adapters.build_day(DAY, [station], requests, [a, b], MATRICES)
    assert [c.id for c in data.problem.caregivers] == ["CA2"]


def test_moves_refuse_the_absent_and_name_the_do_not_send(app: Any, make: Any, db: Any) -> None:
    from carehub.dispatch.moves import services as moves
    from tests.integration.moves_support import district

    app.config["CLOCK"] = lambda: dt.datetime(2026, 11, 22, 0, 0, tzinfo=dt.UTC)
    d = district(make)
    clean = moves.preview_move(db.session, d.v1.id, d.b.id, None, None)
    assert clean.hard == []
    assert d.b in moves.caregiver_choices(db.session, d.v1, None)
    services.set_rules(db.session, d.v1.request.elder, preferred=[], avoided=[d.b])
    p = moves.preview_move(db.session, d.v1.id, d.b.id, None, None)
    assert {f.kind for f in p.hard} == {"excluded"} and d.b.name in p.hard[0].message
    services.record(db.session, d.b, AbsenceKind.LEAVE, *services.day_bounds(DAY))
    assert d.b not in moves.caregiver_choices(db.session, d.v1, None)
    with pytest.raises(FieldError, match="away"):
        moves.preview_move(db.session, d.v1.id, d.b.id, None, None)


def test_a_phone_request_counts_once_the_dispatcher_approves_it(
    client: Any, login_as: Any, make: Any, db: Any
) -> None:
    station, a, b, requests = _district(make, db)
    login_as(Role.CAREGIVER, caregiver=a)
    bad = client.post("/m/absences/", data={"kind": "sick", "first_day": "23.11.2026"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.get_data(as_text=True)
    ok = client.post("/m/absences/", data={"kind": "sick", "first_day": DAY.isoformat()})
    assert ok.status_code == 303
    absence = db.session.scalars(select(CaregiverAbsence)).one()
    assert absence.status == AbsenceStatus.REQUESTED
    assert services.absent_all_day(db.session, [a.id], DAY) == set()
    client.post("/logout")
    login_as(Role.DISPATCHER)
    page = client.get(f"/registry/caregivers/{a.id}/absences")
    assert page.status_code == 200
    client.post(f"/registry/absences/{absence.id}/decide", data={"decision": "approve"})
    assert services.absent_all_day(db.session, [a.id], DAY) == {a.id}
    data = adapters.build_day(DAY, [station], requests, [a, b], MATRICES)
    assert [c.id for c in data.problem.caregivers] == ["CA2"]


def test_the_dispatcher_enters_absences_and_elder_preferences(
    client: Any, login_as: Any, make: Any, db: Any
) -> None:
    station, a, b, requests = _district(make, db, visits=1)
    login_as(Role.DISPATCHER)
    backwards = client.post(
        f"/registry/caregivers/{a.id}/absences",
        data={"kind": "leave", "first_day": "2026-11-24", "last_day": "2026-11-23"},
    )
    assert backwards.status_code == 400
    part = client.post(
        f"/registry/caregivers/{a.id}/absences",
        data={"kind": "leave", "first_day": DAY.isoformat(), "end_time": "12:00"},
    )
    assert part.status_code == 302
    p = adapters.build_day(DAY, [station], requests, [a, b], MATRICES).problem
    assert p.caregiver("CA1").shift_start == 12 * H
    elder = requests[0].elder
    unknown = client.post(f"/registry/elders/{elder.id}/caregivers", data={"avoided": "NOPE"})
    assert unknown.status_code == 400 and "NOPE" in unknown.get_data(as_text=True)
    saved = client.post(
        f"/registry/elders/{elder.id}/caregivers", data={"preferred": "CA2", "avoided": "CA1"}
    )
    assert saved.status_code == 303
    v = adapters.build_day(DAY, [station], requests, [a, b], MATRICES).problem.visits[0]
    assert v.excluded == {"CA1"} and v.preferred_caregiver == "CA2"


def test_the_elder_import_sets_and_checks_caregiver_lists(make: Any, db: Any) -> None:
    from tests.integration.test_import_support import assert_rejected, imported

    station = make.station(code="ST1", lat=CENTRE[0], lon=CENTRE[1])
    make.caregiver(station=station, code="CA1")
    make.caregiver(station=station, code="CA2")
    make.caregiver(station=station, code="CA3")
    db.session.commit()
    base = "code,name,gender,phone,address,lat,lon,station_code,care_level,hardship"
    header = base + ",preferred_caregivers,do_not_send"
    plain = "E1,张秀英,女,13800001234,和平路1号,39.1195,117.197,ST1,中度,低保"
    row = plain + ",{},{}"
    assert_rejected(db, "elders", (header, row.format("CA1", "CA9")), 2, "do_not_send", "CA9")
    assert_rejected(db, "elders", (header, row.format("CA1", "CA1")), 2, "do_not_send", "both")
    imported(db, "elders", header, row.format("CA2;CA1", "CA3"))
    elder = db.session.scalars(select(Elder).where(Elder.code == "E1")).one()
    rules = services.rules_for(db.session, [elder.id])[elder.id]
    assert [c.code for c in rules.preferred] == ["CA2", "CA1"]
    assert [c.code for c in rules.avoided] == ["CA3"]
    again = imported(db, "elders", header, row.format("CA2;CA1", "CA3"))
    assert again.unchanged == 1
    imported(db, "elders", header, row.format("", "CA1"))
    rules = services.rules_for(db.session, [elder.id])[elder.id]
    assert rules.preferred == [] and [c.code for c in rules.avoided] == ["CA1"]
    # A file without the columns leaves the lists alone.
    imported(db, "elders", base, plain)
    assert [c.code for c in services.rules_for(db.session, [elder.id])[elder.id].avoided] == ["CA1"]


def test_the_run_figures_show_the_preferred_share_and_its_change(make: Any, db: Any) -> None:
    from carehub.dispatch.planning import kpis as planning_kpis

    station, a, b, requests = _district(make, db, visits=2)
    first = plan_day(db.session, DAY, [station.code], time_limit_s=3, matrices=MATRICES, workers=1)
    assert first.kpis["preferred_share"] is None and first.kpis["preferred_known"] == 0
    for r in requests:
        services.set_rules(db.session, r.elder, preferred=[b], avoided=[a])
    db.session.flush()
    second = plan_day(db.session, DAY, [station.code], time_limit_s=3, matrices=MATRICES, workers=1)
    assert second.kpis["preferred_share"] == 1.0 and second.kpis["preferred_known"] == 2
    before = planning_kpis.previous_run(db.session, second)
    assert before is not None and before.id == first.id


def test_the_phone_api_asks_for_an_absence_and_lists_it(client: Any, make: Any, db: Any) -> None:
    from tests.builders import PASSWORD
    from tests.phone import check_response

    station, a, b, requests = _district(make, db, visits=1)
    user = make.user(Role.CAREGIVER, caregiver=a)
    db.session.commit()
    answer = client.post(
        "/api/v1/auth/token", json={"username": user.username, "password": PASSWORD}
    )
    auth = {"Authorization": f"Bearer {answer.get_json()['token']}"}
    path = "/api/v1/me/absences"
    for bad, field in (
        ({"kind": "holiday", "first_day": DAY.isoformat()}, "kind"),
        ({"kind": "sick", "first_day": "23.11.2026"}, "first_day"),
        ({"kind": "sick", "first_day": DAY.isoformat(), "end_time": "25:99"}, "end_time"),
        ({"kind": "sick", "first_day": DAY.isoformat(), "last_day": "2026-11-01"}, "last_day"),
        ({"kind": "sick", "first_day": DAY.isoformat(), "extra": 1}, "extra"),
    ):
        refused = client.post(path, json=bad, headers=auth)
        check_response("POST", path, refused)
        assert refused.status_code == 400 and field in refused.get_json()["fields"]
    ok = client.post(
        path,
        json={"kind": "leave", "first_day": DAY.isoformat(), "start_time": "13:00"},
        headers=auth,
    )
    check_response("POST", path, ok)
    assert ok.status_code == 201 and ok.get_json()["status"] == "requested"
    listed = client.get(path, headers=auth)
    check_response("GET", path, listed)
    assert [x["id"] for x in listed.get_json()["absences"]] == [ok.get_json()["id"]]
    assert services.absent_at(db.session, [a.id], local_to_utc(DAY, dt.time(14))) == set()
    assert client.get(path).status_code == 401


def test_planning_today_after_every_shift_leaves_all_open_with_a_reason(
    app: Any, make: Any, db: Any
) -> None:
    station, a, b, requests = _district(make, db, visits=2)
    app.config["CLOCK"] = lambda: local_to_utc(DAY, dt.time(20))
    run = plan_day(db.session, DAY, [station.code], time_limit_s=3, matrices=MATRICES, workers=1)
    assert run.visits_planned in (0, None)
    assert {u["reason"] for u in run.unassigned} == {"no caregiver on shift"}
    app.config["CLOCK"] = lambda: local_to_utc(DAY, dt.time(7))
    assert _plan(db, station)
