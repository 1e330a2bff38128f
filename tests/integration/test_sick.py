"""A caregiver called in sick: their visits not yet started go to others, least disruption."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from carehub.core.audit import AuditLog
from carehub.core.enums import RequestStatus, Role, VisitStatus
from carehub.core.errors import ConflictError, FieldError
from carehub.core.time import local_to_utc
from carehub.dispatch.board import sick
from carehub.dispatch.models import Visit
from carehub.routing.problem import REASON_NO_CAREGIVER
from tests.builders import CENTRE

DAY = dt.date(2026, 11, 23)  # a Monday
NOW = local_to_utc(DAY, dt.time(8, 0))


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"CLOCK": lambda: NOW}


def _at(wall: dt.time) -> dt.datetime:
    return local_to_utc(DAY, wall)


@pytest.fixture
def day(make: Any, db: Any) -> dict[str, Any]:
    home = make.station(name="本站")
    near = make.station(name="邻站", lat=CENTRE[0] + 0.01, lon=CENTRE[1])
    meal = make.service_type("t_meal", skill=make.skill("meal"), duration_min=30)
    nursing = make.service_type("t_nursing", skill=make.skill("nursing"), duration_min=30)
    bathing = make.service_type("t_bath", skill=make.skill("bathing"), duration_min=30)
    sick_one = make.caregiver(station=home, skills=("meal", "nursing", "bathing"))
    busy = make.caregiver(station=home, skills=("meal",))
    free = make.caregiver(station=home, skills=("meal",))
    lender = make.caregiver(station=near, skills=("nursing",))

    def visit(cg: Any, kind: Any, start: dt.time, end: dt.time, at: dt.time, **kw: Any) -> Any:
        request = make.request(
            elder=make.elder(station=kw.pop("station", home)),
            service_type=kind,
            service_date=DAY,
            window_start=start,
            window_end=end,
            status=RequestStatus.SCHEDULED,
        )
        fields: dict[str, Any] = dict(
            request=request,
            caregiver=cg,
            planned_start=_at(at),
            planned_end=_at(at) + dt.timedelta(minutes=30),
            status=VisitStatus.PUBLISHED,
        )
        fields.update(kw)
        return make.visit(**fields)

    rows = {
        "sick": sick_one,
        "busy": busy,
        "free": free,
        "lender": lender,
        "meal": visit(sick_one, meal, dt.time(9), dt.time(11), dt.time(9)),
        "nursing": visit(sick_one, nursing, dt.time(10), dt.time(12), dt.time(10)),
        "bath": visit(sick_one, bathing, dt.time(13), dt.time(15), dt.time(13)),
        "started": visit(
            sick_one,
            meal,
            dt.time(7, 30),
            dt.time(9),
            dt.time(7, 45),
            status=VisitStatus.CHECKED_IN,
            check_in_at=_at(dt.time(7, 45)),
        ),
        "busy1": visit(busy, meal, dt.time(9), dt.time(9, 30), dt.time(9)),
        "pinned": visit(busy, meal, dt.time(10), dt.time(10, 30), dt.time(10), pinned=True),
        "lender1": visit(lender, nursing, dt.time(14), dt.time(15), dt.time(14), station=near),
    }
    db.session.commit()
    return rows


def test_preview_moves_to_own_station_then_lends(day: dict[str, Any], db: Any) -> None:
    plan = sick.preview(db.session, day["sick"], DAY, NOW)
    placed = {h.visit.id: h for h in plan.placed}
    meal, nursing = placed[day["meal"].id], placed[day["nursing"].id]
    # A caregiver of the same station takes the meal within its window, moving nobody.
    assert meal.caregiver is not None
    assert meal.caregiver.id in (day["free"].id, day["busy"].id) and not meal.lent
    assert meal.start is not None and _at(dt.time(9)) <= meal.start <= _at(dt.time(10, 30))
    # Nobody at the station nurses: the neighbouring station lends its nurse.
    assert nursing.caregiver is not None and nursing.caregiver.id == day["lender"].id
    assert nursing.lent
    # Nobody nearby bathes: left unassigned, with the planner's reason.
    assert [(h.visit.id, h.reason) for h in plan.unplaced] == [
        (day["bath"].id, REASON_NO_CAREGIVER)
    ]
    # The visit already under way stays; nobody else's visit moves.
    assert day["started"].id not in placed and not plan.shifts
    assert plan.token
    # A preview writes nothing.
    db.session.rollback()
    assert db.session.get(Visit, day["meal"].id).caregiver_id == day["sick"].id


def test_apply_writes_everything_and_audits(day: dict[str, Any], db: Any) -> None:
    token = sick.preview(db.session, day["sick"], DAY, NOW).token
    sick.apply(db.session, day["sick"], DAY, NOW, token)
    db.session.commit()
    get = lambda key: db.session.get(Visit, day[key].id)  # noqa: E731
    assert get("meal").caregiver_id in (day["free"].id, day["busy"].id)
    assert get("meal").route_seq is not None
    assert get("nursing").caregiver_id == day["lender"].id and get("nursing").lent
    bath = get("bath")
    assert bath.status == VisitStatus.CANCELLED and REASON_NO_CAREGIVER in (bath.note or "")
    assert bath.request.status == RequestStatus.OPEN
    assert get("started").caregiver_id == day["sick"].id
    assert get("started").status == VisitStatus.CHECKED_IN
    # Other caregivers' routes, the pinned visit above all, are as they were.
    assert get("pinned").planned_start == _at(dt.time(10))
    assert get("pinned").caregiver_id == day["busy"].id
    assert get("busy1").planned_start == _at(dt.time(9))
    assert get("lender1").planned_start == _at(dt.time(14))
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "caregiver_sick"))
    assert entry is not None and entry.after["placed"] == 2 and entry.after["unplaced"] == 1


def test_a_change_since_the_preview_is_a_conflict(day: dict[str, Any], db: Any) -> None:
    token = sick.preview(db.session, day["sick"], DAY, NOW).token
    other = db.session.get(Visit, day["meal"].id)
    other.note = "changed by someone else"  # bumps its version
    db.session.commit()
    with pytest.raises(ConflictError):
        sick.apply(db.session, day["sick"], DAY, NOW, token)
    db.session.rollback()
    assert db.session.get(Visit, day["meal"].id).caregiver_id == day["sick"].id
    assert db.session.get(Visit, day["bath"].id).status == VisitStatus.PUBLISHED


def test_others_are_pushed_later_only_as_needed(make: Any, db: Any) -> None:
    station = make.station()
    meal = make.service_type("t_meal2", skill=make.skill("meal"), duration_min=60)
    sick_one = make.caregiver(station=station)
    other = make.caregiver(station=station)

    def visit(cg: Any, start: dt.time, end: dt.time, at: dt.time) -> Visit:
        request = make.request(
            elder=make.elder(station=station),
            service_type=meal,
            service_date=DAY,
            window_start=start,
            window_end=end,
        )
        return make.visit(
            request=request,
            caregiver=cg,
            planned_start=_at(at),
            planned_end=_at(at) + dt.timedelta(hours=1),
            status=VisitStatus.PUBLISHED,
        )

    # The sick caregiver's visit must start by 9:00; the other's 9:00 visit may slide.
    handed = visit(sick_one, dt.time(9), dt.time(10), dt.time(9))
    pushed = visit(other, dt.time(9), dt.time(13), dt.time(9))
    db.session.commit()
    plan = sick.preview(db.session, sick_one, DAY, NOW)
    assert [h.visit.id for h in plan.placed] == [handed.id]
    assert [s.visit.id for s in plan.shifts] == [pushed.id]
    assert plan.shifts[0].minutes >= 60 and plan.shifted_minutes == plan.max_shift_minutes


def test_past_day_is_refused(day: dict[str, Any], db: Any) -> None:
    with pytest.raises(FieldError) as caught:
        sick.preview(db.session, day["sick"], DAY - dt.timedelta(days=1), NOW)
    assert caught.value.field == "day"


def test_views_preview_then_confirm(day: dict[str, Any], client: Any, login_as: Any) -> None:
    login_as(Role.DISPATCHER, station_id=day["sick"].station_id)
    page = client.get(f"/dispatch/sick?caregiver_id={day['sick'].id}&day={DAY}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="sick-preview"' in html and "附近没有护理员具备此次服务所需的技能" in html
    token = html.split('name="token" value="')[1].split('"')[0].replace("&gt;", ">")
    done = client.post(
        "/dispatch/sick",
        data={"caregiver_id": day["sick"].id, "day": DAY.isoformat(), "token": token},
    )
    assert done.status_code == 200, done.get_data(as_text=True)
    again = client.post(
        "/dispatch/sick",
        data={"caregiver_id": day["sick"].id, "day": DAY.isoformat(), "token": token},
    )
    assert again.status_code == 409


def test_views_refuse_another_stations_caregiver(
    day: dict[str, Any], client: Any, login_as: Any
) -> None:
    login_as(Role.DISPATCHER, station_id=day["lender"].station_id)
    response = client.get(f"/dispatch/sick?caregiver_id={day['sick'].id}")
    assert response.status_code == 400
    assert client.get("/dispatch/sick?caregiver_id=abc").status_code == 400


def test_a_visit_lent_from_afar_goes_back_to_its_own_circle(
    day: dict[str, Any], make: Any, db: Any
) -> None:
    far = make.station(name="远站", lat=CENTRE[0] + 0.3, lon=CENTRE[1] + 0.3)
    local = make.caregiver(station=far, skills=("meal",))
    request = make.request(
        elder=make.elder(station=far, lat=far.lat, lon=far.lon),
        service_type=day["meal"].request.service_type,
        service_date=DAY,
        window_start=dt.time(15),
        window_end=dt.time(16, 30),
        status=RequestStatus.SCHEDULED,
    )
    visit = make.visit(
        request=request,
        caregiver=day["sick"],
        planned_start=_at(dt.time(15)),
        planned_end=_at(dt.time(15, 30)),
        status=VisitStatus.PUBLISHED,
        lent=True,
    )
    db.session.commit()
    plan = sick.preview(db.session, day["sick"], DAY, NOW)
    handed = next(h for h in plan.placed if h.visit.id == visit.id)
    assert handed.caregiver is not None and handed.caregiver.id == local.id
    assert not handed.lent
    nursing = next(h for h in plan.placed if h.visit.id == day["nursing"].id)
    assert nursing.lent


def test_pushing_others_later_is_written_without_tripping_the_overlap_guard(
    make: Any, db: Any
) -> None:
    station = make.station()
    meal = make.service_type("t_meal3", skill=make.skill("meal"), duration_min=60)
    sick_one, other = make.caregiver(station=station), make.caregiver(station=station)

    def visit(cg: Any, end: dt.time) -> Visit:
        request = make.request(
            elder=make.elder(station=station),
            service_type=meal,
            service_date=DAY,
            window_start=dt.time(9),
            window_end=end,
            status=RequestStatus.SCHEDULED,
        )
        return make.visit(
            request=request,
            caregiver=cg,
            planned_start=_at(dt.time(9)),
            planned_end=_at(dt.time(10)),
            status=VisitStatus.PUBLISHED,
        )

    handed, pushed = visit(sick_one, dt.time(10)), visit(other, dt.time(13))
    db.session.commit()
    token = sick.preview(db.session, sick_one, DAY, NOW).token
    sick.apply(db.session, sick_one, DAY, NOW, token)
    db.session.commit()
    assert handed.caregiver_id == other.id and handed.planned_start == _at(dt.time(9))
    assert pushed.planned_start is not None and pushed.planned_start >= _at(dt.time(10))


def test_a_receiving_caregivers_lent_visits_count(make: Any, db: Any) -> None:
    station = make.station()
    for k in (1, 2):  # the two nearest stations lend; the far one is outside the hand-over
        make.station(name=f"邻站{k}", lat=CENTRE[0] + 0.01 * k, lon=CENTRE[1])
    far = make.station(name="远站", lat=CENTRE[0] + 0.3, lon=CENTRE[1] + 0.3)
    meal = make.service_type("t_meal4", skill=make.skill("meal"), duration_min=60)
    sick_one, other = make.caregiver(station=station), make.caregiver(station=station)

    def visit(cg: Any, at: Any, **kw: Any) -> Visit:
        request = make.request(
            elder=make.elder(station=at, lat=at.lat, lon=at.lon),
            service_type=meal,
            service_date=DAY,
            window_start=dt.time(9),
            window_end=dt.time(10),
            status=RequestStatus.SCHEDULED,
        )
        return make.visit(
            request=request,
            caregiver=cg,
            planned_start=_at(dt.time(9)),
            planned_end=_at(dt.time(10)),
            status=VisitStatus.PUBLISHED,
            **kw,
        )

    handed = visit(sick_one, station)
    visit(other, far, lent=True)  # the other caregiver is lent to a far circle at 9:00
    db.session.commit()
    plan = sick.preview(db.session, sick_one, DAY, NOW)
    assert [h.visit.id for h in plan.unplaced] == [handed.id] and not plan.placed


def test_a_visit_whose_window_passed_says_so(day: dict[str, Any], db: Any) -> None:
    noon = local_to_utc(DAY, dt.time(12))
    plan = sick.preview(db.session, day["sick"], DAY, noon)
    reasons = {h.visit.id: h.reason for h in plan.unplaced}
    assert reasons[day["meal"].id] == sick.REASON_PASSED
    assert reasons[day["nursing"].id] == sick.REASON_PASSED


def test_the_day_from_the_link_is_the_day_used(
    day: dict[str, Any], client: Any, login_as: Any
) -> None:
    login_as(Role.DISPATCHER)
    tomorrow = DAY + dt.timedelta(days=1)
    html = client.get(f"/dispatch/sick?day={tomorrow}").get_data(as_text=True)
    assert f'name="day" value="{tomorrow}"' in html
    html = client.get(f"/dispatch/sick?caregiver_id={day['sick'].id}&day={DAY}").get_data(
        as_text=True
    )
    assert 'id="sick-day"' in html and DAY.isoformat() in html.split('id="sick-day"')[1][:200]
    assert client.get("/dispatch/sick?day=2026-13-40").status_code == 400


def test_the_button_offers_a_hand_over_only_when_one_is_possible(
    day: dict[str, Any], client: Any, login_as: Any
) -> None:
    login_as(Role.DISPATCHER)
    html = client.get(f"/dispatch/sick?caregiver_id={day['sick'].id}&day={DAY}").get_data(
        as_text=True
    )
    assert "确认转交" in html
    # At 23:00 every window has passed: nothing can be handed over.
    client.application.config["CLOCK"] = lambda: local_to_utc(DAY, dt.time(23))
    login_as(Role.DISPATCHER)  # the jump in time ended the idle session
    html = client.get(f"/dispatch/sick?caregiver_id={day['sick'].id}&day={DAY}").get_data(
        as_text=True
    )
    assert "确认转交" not in html and 'class="primary danger"' in html


def test_a_visit_nobody_has_the_skill_for_says_so(make: Any, db: Any) -> None:
    station = make.station()
    bath = make.service_type("t_bath5", skill=make.skill("bathing5"), duration_min=30)
    sick_one = make.caregiver(station=station, skills=("bathing5",))
    make.caregiver(station=station, skills=())
    request = make.request(
        elder=make.elder(station=station),
        service_type=bath,
        service_date=DAY,
        window_start=dt.time(9),
        window_end=dt.time(12),
        status=RequestStatus.SCHEDULED,
    )
    visit = make.visit(
        request=request,
        caregiver=sick_one,
        planned_start=_at(dt.time(9)),
        planned_end=_at(dt.time(9, 30)),
        status=VisitStatus.PUBLISHED,
    )
    db.session.commit()
    plan = sick.preview(db.session, sick_one, DAY, NOW)
    assert [(h.visit.id, h.reason) for h in plan.unplaced] == [(visit.id, REASON_NO_CAREGIVER)]


def test_visits_count_as_long_as_they_are_planned(make: Any, db: Any) -> None:
    """A visit planned longer than its service's standard length keeps its whole time:
    the hand-over must not place another visit into its tail (the database would refuse)."""
    station = make.station()
    meal = make.service_type("t_meal6", duration_min=15)
    sick_one, other = make.caregiver(station=station), make.caregiver(station=station)

    def visit(cg: Any) -> Visit:
        request = make.request(
            elder=make.elder(station=station),
            service_type=meal,
            service_date=DAY,
            window_start=dt.time(14),
            window_end=dt.time(16),
            status=RequestStatus.SCHEDULED,
        )
        return make.visit(
            request=request,
            caregiver=cg,
            planned_start=_at(dt.time(14)),
            planned_end=_at(dt.time(14, 30)),  # longer than the 15 standard minutes
            status=VisitStatus.PUBLISHED,
        )

    handed, busy = visit(sick_one), visit(other)
    db.session.commit()
    plan = sick.preview(db.session, sick_one, DAY, NOW)
    sick.apply(db.session, sick_one, DAY, NOW, plan.token)
    db.session.commit()
    assert handed.caregiver_id == other.id
    assert handed.planned_start >= busy.planned_end or handed.planned_end <= busy.planned_start
