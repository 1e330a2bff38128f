"""Dispatcher intake through the web: phone requests, cancelling, care plans, generation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from carehub.core.enums import ElderStatus, RequestOrigin, RequestStatus, Role, VisitStatus
from carehub.dispatch.models import ServiceRequest
from carehub.registry.models import CarePlan, ElderStatusPeriod
from carehub.registry.naming import name_initials

# Friday 20 November 2026, 09:00 in Shanghai.
NOW = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"CLOCK": lambda: NOW}


@pytest.fixture
def setup(make: Any, db: Any) -> dict[str, Any]:
    station = make.station()
    elder = make.elder(station=station, name="张秀英", name_initials=name_initials("张秀英"))
    service = make.service_type(
        "bathing", window_start=dt.time(9, 0), window_end=dt.time(11, 0), priority=2
    )
    db.session.commit()
    return {"station": station, "elder": elder, "service": service}


def _count(db: Any) -> int:
    return int(db.session.scalar(select(func.count(ServiceRequest.id))))


def _form(setup: dict[str, Any], **over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "elder_id": setup["elder"].id,
        "service_type_id": setup["service"].id,
        "service_date": "2026-11-23",
        "window_start": "",
        "window_end": "",
        "priority": "",
        "note": "电话预约",
    }
    data.update(over)
    return data


def test_search_finds_elder_by_pinyin_initials(client, login_as, setup) -> None:
    login_as(Role.DISPATCHER)
    found = client.get("/dispatch/requests/elders.json?q=zxy").get_json()
    assert [row["code"] for row in found] == [setup["elder"].code]
    page = client.get("/dispatch/requests/new?q=zxy").get_data(as_text=True)
    assert "张秀英" in page


def test_create_request_uses_catalogue_defaults(client, login_as, setup, db) -> None:
    login_as(Role.DISPATCHER)
    response = client.post("/dispatch/requests/new", data=_form(setup))
    assert response.status_code == 302
    saved = db.session.scalar(select(ServiceRequest))
    assert (saved.window_start, saved.window_end, saved.priority) == (
        dt.time(9, 0),
        dt.time(11, 0),
        2,
    )
    assert saved.origin == RequestOrigin.PHONE and saved.note == "电话预约"
    listing = client.get("/dispatch/requests/?day=2026-11-23").get_data(as_text=True)
    assert f'data-request="{saved.id}"' in listing


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"window_start": "12:00", "window_end": "10:00"}, "结束时间必须晚于开始时间"),
        ({"service_date": "2026-11-19"}, "日期已过"),
        ({"window_start": "25:00"}, "08:30"),
        ({"priority": "9"}, "priority"),
    ],
)
def test_request_field_errors_write_nothing(client, login_as, setup, db, over, message) -> None:
    login_as(Role.DISPATCHER)
    response = client.post("/dispatch/requests/new", data=_form(setup, **over))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "field-error" in body
    if message != "priority":
        assert message in body
    assert _count(db) == 0


def test_request_refused_when_elder_out_of_service(client, login_as, setup, db) -> None:
    elder = setup["elder"]
    elder.status_periods.append(
        ElderStatusPeriod(status=ElderStatus.HOSPITALISED, start_date=dt.date(2026, 11, 21))
    )
    elder.status = ElderStatus.HOSPITALISED
    db.session.commit()
    login_as(Role.DISPATCHER)
    response = client.post("/dispatch/requests/new", data=_form(setup))
    assert response.status_code == 422
    assert "不在服务期" in response.get_data(as_text=True)
    assert _count(db) == 0


def test_duplicate_needs_confirmation(client, login_as, setup, db) -> None:
    login_as(Role.DISPATCHER)
    assert client.post("/dispatch/requests/new", data=_form(setup)).status_code == 302
    again = client.post("/dispatch/requests/new", data=_form(setup))
    assert again.status_code == 422
    assert 'name="confirm"' in again.get_data(as_text=True)
    assert _count(db) == 1
    confirmed = client.post("/dispatch/requests/new", data=_form(setup, confirm="y"))
    assert confirmed.status_code == 302
    assert _count(db) == 2


def test_no_elder_chosen_is_a_message(client, login_as, setup, db) -> None:
    login_as(Role.DISPATCHER)
    response = client.post("/dispatch/requests/new", data=_form(setup, elder_id=""))
    assert response.status_code == 422
    assert _count(db) == 0


def test_station_scope(client, login_as, setup, make, db) -> None:
    other = make.elder(name="李四")
    plan = make.care_plan(elder=other, service_type=setup["service"])
    foreign = make.request(elder=other, service_type=setup["service"], service_date=TODAY)
    db.session.commit()
    login_as(Role.DISPATCHER, station=setup["station"])
    assert client.get(f"/dispatch/requests/new?elder_id={other.id}").status_code == 404
    assert (
        client.post("/dispatch/requests/new", data=_form(setup, elder_id=other.id)).status_code
        == 404
    )
    assert client.post(f"/dispatch/requests/{foreign.id}/cancel").status_code == 404
    assert client.get(f"/dispatch/elders/{other.id}/plans").status_code == 404
    assert client.get(f"/dispatch/plans/{plan.id}/edit").status_code == 404
    assert client.get("/dispatch/requests/elders.json?q=李").get_json() == []
    listing = client.get(f"/dispatch/requests/?day={TODAY}").get_data(as_text=True)
    assert f'data-request="{foreign.id}"' not in listing
    assert client.post("/dispatch/requests/new", data=_form(setup)).status_code == 302


def test_cancel_cancels_planned_visits(client, login_as, setup, make, db) -> None:
    found = make.request(elder=setup["elder"], service_type=setup["service"])
    visit = make.visit(request=found, status=VisitStatus.PUBLISHED)
    db.session.commit()
    login_as(Role.DISPATCHER)
    assert client.post(f"/dispatch/requests/{found.id}/cancel").status_code == 302
    db.session.expire_all()
    assert found.status == RequestStatus.CANCELLED
    assert visit.status == VisitStatus.CANCELLED


def test_cancel_refused_once_checked_in(client, login_as, setup, make, db) -> None:
    found = make.request(elder=setup["elder"], service_type=setup["service"])
    make.visit(request=found, status=VisitStatus.CHECKED_IN)
    db.session.commit()
    login_as(Role.DISPATCHER)
    client.post(f"/dispatch/requests/{found.id}/cancel")
    db.session.expire_all()
    assert found.status == RequestStatus.OPEN


def _plan_form(setup: dict[str, Any], **over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "service_type_id": setup["service"].id,
        "weekdays": "1-5",
        "window_start": "08:00",
        "window_end": "09:00",
        "start_date": "2026-11-23",
        "end_date": "",
        "note": "",
    }
    data.update(over)
    return data


def test_care_plan_create_edit_end(client, login_as, setup, db) -> None:
    login_as(Role.DISPATCHER)
    elder_id = setup["elder"].id
    url = f"/dispatch/elders/{elder_id}/plans/new"
    assert client.post(url, data=_plan_form(setup)).status_code == 302
    plan = db.session.scalar(select(CarePlan))
    assert plan.weekdays_mask == 0b0011111

    bad = client.post(url, data=_plan_form(setup, weekdays="8", end_date="2026-11-01"))
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count(CarePlan.id))) == 1

    edit = f"/dispatch/plans/{plan.id}/edit"
    assert "1-5" in client.get(edit).get_data(as_text=True)
    assert client.post(edit, data=_plan_form(setup, weekdays="1;3;5")).status_code == 302
    db.session.expire_all()
    assert plan.weekdays_mask == 0b0010101

    client.post("/dispatch/requests/generate", data={"start": "2026-11-23", "end": "2026-11-30"})
    end = f"/dispatch/plans/{plan.id}/end"
    assert client.post(end, data={"end_date": "2026-11-01"}).status_code == 422
    assert client.post(end, data={"end_date": "2026-11-25"}).status_code == 302
    db.session.expire_all()
    assert plan.end_date == dt.date(2026, 11, 25)
    live = db.session.scalars(
        select(ServiceRequest.service_date).where(ServiceRequest.status == RequestStatus.OPEN)
    ).all()
    assert sorted(live) == [dt.date(2026, 11, 23), dt.date(2026, 11, 25)]
    assert "编辑护理计划" in client.get(f"/registry/elders/{elder_id}").get_data(as_text=True)


def test_generation_idempotent_through_the_page(client, login_as, setup, make, db) -> None:
    make.care_plan(elder=setup["elder"], service_type=setup["service"])
    db.session.commit()
    login_as(Role.DISPATCHER)
    data = {"start": "2026-11-23", "end": "2026-11-29"}
    first = client.post("/dispatch/requests/generate", data=data).get_data(as_text=True)
    assert '<li data-count="created"><strong>5</strong>' in first
    second = client.post("/dispatch/requests/generate", data=data).get_data(as_text=True)
    assert '<li data-count="created"><strong>0</strong>' in second
    assert '<li data-count="existing"><strong>5</strong>' in second
    assert _count(db) == 5


def test_generation_range_checked(client, login_as, setup, db) -> None:
    login_as(Role.DISPATCHER)
    long = client.post(
        "/dispatch/requests/generate", data={"start": "2026-11-01", "end": "2026-12-31"}
    )
    assert long.status_code == 422
    backwards = client.post(
        "/dispatch/requests/generate", data={"start": "2026-11-10", "end": "2026-11-01"}
    )
    assert backwards.status_code == 422
    assert _count(db) == 0


def test_list_bad_date_is_400(client, login_as, setup) -> None:
    login_as(Role.DISPATCHER)
    assert client.get("/dispatch/requests/?day=nope").status_code == 400
