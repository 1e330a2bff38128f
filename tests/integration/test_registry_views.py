"""Registry pages: search, paging, details, admin editing and the dispatcher's station scope."""

from __future__ import annotations

import datetime as dt

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from carehub.core.audit import AuditLog
from carehub.core.enums import CareLevel, ElderStatus, Hardship, Role
from carehub.registry.models import Caregiver, Elder, ServiceType, Station
from carehub.registry.naming import name_initials
from tests.builders import CENTRE


@pytest.fixture(autouse=True)
def english(client: FlaskClient) -> None:
    """Assertions read English text, which holds whether or not the Chinese catalogue is built."""
    client.get("/lang/en")


def _count(db, model) -> int:
    return int(db.session.scalar(select(func.count(model.id))))


def _elder(make, name: str, **kw):
    return make.elder(name=name, name_initials=name_initials(name), **kw)


# --- lists -------------------------------------------------------------------------------


def test_elder_search_matches_code_name_phone_and_pinyin_initials(
    client: FlaskClient, login_as, make, db
) -> None:
    login_as(Role.DISPATCHER)
    zhang = _elder(make, "张秀英", code="E90001", phone="13811112222")
    li = _elder(make, "李大明", code="F90002", phone="13933334444")
    db.session.commit()

    def found(query: str) -> set[str]:
        page = client.get("/registry/elders", query_string={"q": query}).get_data(as_text=True)
        return {code for code in (zhang.code, li.code) if code in page}

    assert found("zxy") == {zhang.code}
    assert found("ZX") == {zhang.code}
    assert found("xy") == set()  # initials match from the start only
    assert found("秀") == {zhang.code}
    assert found("3333") == {li.code}
    assert found("f900") == {li.code}
    assert found("") == {zhang.code, li.code}


def test_elder_filters_by_station_care_level_hardship_and_status(
    client: FlaskClient, login_as, make, db
) -> None:
    login_as(Role.AUDITOR)
    north, south = make.station(), make.station()
    a = make.elder(station=north, care_level=CareLevel.SEVERE, hardship=Hardship.TEKUN)
    b = make.elder(station=south, care_level=CareLevel.MILD, hardship=Hardship.DIBAO)
    c = make.elder(station=south, status=ElderStatus.HOSPITALISED)
    db.session.commit()

    def found(**args: object) -> set[str]:
        page = client.get("/registry/elders", query_string=args).get_data(as_text=True)
        return {e.code for e in (a, b, c) if e.code in page}

    assert found(station=north.id) == {a.code}
    assert found(care_level="severe") == {a.code}
    assert found(hardship="dibao", station=south.id) == {b.code, c.code}
    assert found(status="hospitalised") == {c.code}


def test_lists_page_with_previous_next_and_total(
    client: FlaskClient, login_as, make, db, app
) -> None:
    app.config["PAGE_SIZE"] = 2
    login_as(Role.ADMIN)
    station = make.station()
    codes = [make.elder(code=f"P{i:03d}", station=station).code for i in range(5)]
    db.session.commit()

    first = client.get("/registry/elders?q=P").get_data(as_text=True)
    assert codes[0] in first and codes[1] in first and codes[2] not in first
    assert "5 in total" in first and 'rel="next"' in first and 'rel="prev"' not in first
    # The next link keeps the search.
    assert "q=P" in first.split('rel="next" href="')[1].split('"')[0]

    last = client.get("/registry/elders?q=P&page=3").get_data(as_text=True)
    assert codes[4] in last and codes[3] not in last
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_caregiver_and_station_and_service_type_lists_search(
    client: FlaskClient, login_as, make, db
) -> None:
    login_as(Role.ADMIN)
    station = make.station(name="和平站")
    other = make.station(name="河西站")
    bather = make.caregiver(skills=("bathing",), station=station, name="王芳")
    cook = make.caregiver(skills=("meal",), station=other, name="赵丽")
    db.session.commit()
    bathing_id = next(s.id for s in bather.skills)

    page = client.get("/registry/caregivers", query_string={"skill": bathing_id}).get_data(
        as_text=True
    )
    assert bather.code in page and cook.code not in page
    page = client.get("/registry/caregivers", query_string={"q": "赵"}).get_data(as_text=True)
    assert cook.code in page and bather.code not in page
    page = client.get("/registry/stations", query_string={"q": "河西"}).get_data(as_text=True)
    assert other.code in page and station.code not in page
    page = client.get("/registry/service-types", query_string={"q": "bath"}).get_data(as_text=True)
    assert "Bathing help" in page and "meal_delivery" not in page


# --- details -----------------------------------------------------------------------------


def test_elder_detail_shows_fields_status_history_plans_and_circle(
    client: FlaskClient, login_as, make, db
) -> None:
    login_as(Role.DISPATCHER)
    station = make.station(circle_minutes=15)
    near = make.elder(station=station, emergency_contact_name="张强", notes="行动不便")
    far = make.elder(station=station, lat=CENTRE[0] + 0.2, lon=CENTRE[1])
    make.care_plan(elder=near, service_type=make.service_type("bathing"))
    near.status_periods.append(
        _period(ElderStatus.HOSPITALISED, dt.date(2026, 3, 1), dt.date(2026, 3, 20))
    )
    db.session.commit()

    page = client.get(f"/registry/elders/{near.id}").get_data(as_text=True)
    for text in (near.code, near.name, near.phone, "张强", "行动不便", station.code, "2026-03-20"):
        assert text in page
    assert "Inside the 15-minute circle" in page
    assert "Bathing help" in page
    page = client.get(f"/registry/elders/{far.id}").get_data(as_text=True)
    assert "Outside the 15-minute circle" in page


def _period(status: ElderStatus, start: dt.date, end: dt.date | None):
    from carehub.registry.models import ElderStatusPeriod

    return ElderStatusPeriod(status=status, start_date=start, end_date=end)


def test_caregiver_station_and_service_type_details(
    client: FlaskClient, login_as, make, db
) -> None:
    login_as(Role.ADMIN)
    station = make.station(circle_minutes=20)
    caregiver = make.caregiver(
        skills=("nursing", "bathing"),
        station=station,
        weekdays_mask=0b0100111,
        shift_start=dt.time(7, 30),
        shift_end=dt.time(15, 0),
    )
    account = make.user(Role.CAREGIVER, caregiver=caregiver)
    make.elder(station=station)
    db.session.commit()

    page = client.get(f"/registry/caregivers/{caregiver.id}").get_data(as_text=True)
    for text in (
        "1-3;6",
        "07:30",
        "15:00",
        station.name,
        account.username,
        "Nursing qualification",
    ):
        assert text in page
    page = client.get(f"/registry/stations/{station.id}").get_data(as_text=True)
    assert caregiver.code in page and "20 minutes by e-bike" in page
    bathing = db.session.scalar(select(ServiceType).where(ServiceType.code == "bathing"))
    page = client.get(f"/registry/service-types/{bathing.id}").get_data(as_text=True)
    assert "80.00" in page and "09:00" in page and "16:00" in page and "60" in page


def test_caregiver_page_shows_no_account_or_a_deactivated_one(
    client: FlaskClient, login_as, make, db
) -> None:
    login_as(Role.ADMIN)
    without = make.caregiver()
    deactivated = make.user(Role.CAREGIVER, active=False)
    db.session.commit()

    page = client.get(f"/registry/caregivers/{without.id}").get_data(as_text=True)
    assert "No account" in page and "Deactivated" not in page
    page = client.get(f"/registry/caregivers/{deactivated.caregiver_id}").get_data(as_text=True)
    assert deactivated.username in page and "Deactivated" in page and "No account" not in page


def test_unknown_rows_are_404(client: FlaskClient, login_as) -> None:
    login_as(Role.ADMIN)
    for path in ("elders", "caregivers", "stations", "service-types"):
        assert client.get(f"/registry/{path}/999999").status_code == 404


# --- station scope -----------------------------------------------------------------------


def test_station_scoped_dispatcher_sees_only_their_station(
    client: FlaskClient, login_as, make, db
) -> None:
    mine, other = make.station(), make.station()
    my_elder, their_elder = make.elder(station=mine), make.elder(station=other)
    my_cg, their_cg = make.caregiver(station=mine), make.caregiver(station=other)
    login_as(Role.DISPATCHER, station=mine)

    page = client.get("/registry/elders").get_data(as_text=True)
    assert my_elder.code in page and their_elder.code not in page
    page = client.get("/registry/caregivers").get_data(as_text=True)
    assert my_cg.code in page and their_cg.code not in page
    # Asking for the other station through the filter gives nothing either.
    page = client.get("/registry/elders", query_string={"station": other.id}).get_data(as_text=True)
    assert their_elder.code not in page
    assert client.get(f"/registry/elders/{my_elder.id}").status_code == 200
    assert client.get(f"/registry/elders/{their_elder.id}").status_code == 404
    assert client.get(f"/registry/caregivers/{their_cg.id}").status_code == 404
    assert client.get(f"/registry/stations/{other.id}").status_code == 404


def test_readers_cannot_edit(client: FlaskClient, login_as, make, db) -> None:
    station = make.station()
    login_as(Role.DISPATCHER)
    assert client.get("/registry/stations/new").status_code == 403
    response = client.post(f"/registry/stations/{station.id}/edit", data={"name": "x"})
    assert response.status_code == 403


# --- stations ----------------------------------------------------------------------------


def _station_form(**kw: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "HP01",
        "name": "和平区养老驿站",
        "address": "天津市和平区南京路1号",
        "lat": "39.1175",
        "lon": "117.1950",
        "circle_minutes": "15",
        "phone": "022-12345678",
        "provider": "",
        "active": "y",
    }
    data.update(kw)
    return data


def test_admin_creates_and_edits_a_station_and_it_is_audited(
    client: FlaskClient, login_as, db
) -> None:
    admin = login_as(Role.ADMIN)
    response = client.post("/registry/stations/new", data=_station_form())
    assert response.status_code == 302
    station = db.session.scalar(select(Station).where(Station.code == "HP01"))
    assert station is not None and station.provider is None and station.active
    assert response.headers["Location"].endswith(f"/registry/stations/{station.id}")

    response = client.post(
        f"/registry/stations/{station.id}/edit", data=_station_form(name="新名字", active="")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert station.name == "新名字" and not station.active
    actions = db.session.execute(
        select(AuditLog.action, AuditLog.actor).where(
            AuditLog.entity_type == "Station", AuditLog.entity_id == station.id
        )
    ).all()
    assert ("create", admin.username) in actions and ("update", admin.username) in actions


def test_a_station_names_its_district(client: FlaskClient, login_as, db) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.ADMIN)
    assert client.post("/registry/stations/new", data=_station_form()).status_code == 302
    station = db.session.scalar(select(Station).where(Station.code == "HP01"))
    assert station.district == ""
    response = client.post(
        f"/registry/stations/{station.id}/edit", data=_station_form(district=" 和平区 ")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert station.district == "和平区"
    assert "和平区" in client.get(f"/registry/stations/{station.id}").get_data(as_text=True)
    too_long = client.post(
        f"/registry/stations/{station.id}/edit", data=_station_form(district="区" * 61)
    )
    assert too_long.status_code == 422
    db.session.expire_all()
    assert station.district == "和平区"


def test_station_form_errors_are_shown_and_nothing_is_written(
    client: FlaskClient, login_as, make, db
) -> None:
    taken = make.station()
    login_as(Role.ADMIN)
    before = _count(db, Station)

    response = client.post("/registry/stations/new", data=_station_form(code=taken.code))
    assert response.status_code == 422
    assert f"The code &#39;{taken.code}&#39; is already in use." in response.get_data(as_text=True)

    # Latitude and longitude swapped: a point in the Indian Ocean.
    response = client.post("/registry/stations/new", data=_station_form(lat="117.195", lon="39.1"))
    assert response.status_code == 422
    assert "outside China" in response.get_data(as_text=True)

    response = client.post("/registry/stations/new", data=_station_form(name="", lon=""))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert body.count('class="field-error"') >= 2
    assert _count(db, Station) == before


def test_editing_keeps_a_code_free_of_clashes(client: FlaskClient, login_as, make, db) -> None:
    first, second = make.station(), make.station()
    login_as(Role.ADMIN)
    # Saving a station under its own code is fine; under another station's code it is not.
    ok = client.post(f"/registry/stations/{first.id}/edit", data=_station_form(code=first.code))
    assert ok.status_code == 302
    clash = client.post(f"/registry/stations/{first.id}/edit", data=_station_form(code=second.code))
    assert clash.status_code == 422
    db.session.expire_all()
    assert first.code != second.code


# --- elders ------------------------------------------------------------------------------


def _elder_form(station_id: int | str = "", **kw: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "E77001",
        "name": "张秀英",
        "gender": "female",
        "birth_date": "1941-05-02",
        "phone": "13800001111",
        "address": "南京路88号",
        "lat": "39.119",
        "lon": "117.197",
        "station_id": station_id,
        "care_level": "moderate",
        "care_level_assessed_on": "2026-01-10",
        "hardship": "dibao",
        "status": "active",
        "status_since": "",
        "preferred_caregiver_gender": "",
        "emergency_contact_name": "张强",
        "emergency_contact_phone": "13900002222",
        "notes": "",
    }
    data.update(kw)
    return data


def test_admin_creates_an_elder_with_pinyin_initials(
    client: FlaskClient, login_as, make, db
) -> None:
    station = make.station()
    login_as(Role.ADMIN)
    response = client.post("/registry/elders/new", data=_elder_form(station.id))
    assert response.status_code == 302
    elder = db.session.scalar(select(Elder).where(Elder.code == "E77001"))
    assert elder is not None
    assert elder.name_initials == "zxy"
    assert elder.station_id == station.id and elder.preferred_caregiver_gender is None
    assert elder.birth_date == dt.date(1941, 5, 2) and elder.notes is None
    assert elder.status == ElderStatus.ACTIVE and elder.status_periods == []


def test_elder_without_coordinates_or_station_is_accepted(
    client: FlaskClient, login_as, db
) -> None:
    login_as(Role.ADMIN)
    response = client.post("/registry/elders/new", data=_elder_form(lat="", lon=""))
    assert response.status_code == 302
    elder = db.session.scalar(select(Elder).where(Elder.code == "E77001"))
    assert elder is not None and elder.lat is None and elder.station_id is None


def test_elder_half_coordinates_are_refused(client: FlaskClient, login_as, db) -> None:
    login_as(Role.ADMIN)
    response = client.post("/registry/elders/new", data=_elder_form(lat="39.1", lon=""))
    assert response.status_code == 422
    assert "Enter both latitude and longitude." in response.get_data(as_text=True)
    assert _count(db, Elder) == 0


def test_elder_status_change_starts_a_period_from_its_date(
    client: FlaskClient, login_as, make, db
) -> None:
    elder = _elder(make, "李大明")
    db.session.commit()
    login_as(Role.ADMIN)
    form = _elder_form(elder.station_id, code=elder.code, name="李大明")

    # No date given: refused, and nothing changes.
    response = client.post(
        f"/registry/elders/{elder.id}/edit", data={**form, "status": "hospitalised"}
    )
    assert response.status_code == 422
    assert "Give the date the new status applies from." in response.get_data(as_text=True)
    db.session.expire_all()
    assert elder.status == ElderStatus.ACTIVE and elder.status_periods == []
    assert elder.address != "南京路88号"

    response = client.post(
        f"/registry/elders/{elder.id}/edit",
        data={**form, "status": "hospitalised", "status_since": "2026-11-02"},
    )
    assert response.status_code == 302
    response = client.post(
        f"/registry/elders/{elder.id}/edit",
        data={**form, "status": "active", "status_since": "2026-11-20"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    periods = [(p.status, p.start_date, p.end_date) for p in elder.status_periods]
    assert periods == [
        (ElderStatus.HOSPITALISED, dt.date(2026, 11, 2), dt.date(2026, 11, 19)),
        (ElderStatus.ACTIVE, dt.date(2026, 11, 20), None),
    ]
    assert elder.status == ElderStatus.ACTIVE
    assert elder.status_on(dt.date(2026, 11, 10)) == ElderStatus.HOSPITALISED

    # A date before the current status began is refused.
    response = client.post(
        f"/registry/elders/{elder.id}/edit",
        data={**form, "status": "moved", "status_since": "2026-11-05"},
    )
    assert response.status_code == 422
    assert "when the current status began" in response.get_data(as_text=True)


def test_edit_form_is_filled_with_the_current_values(
    client: FlaskClient, login_as, make, db
) -> None:
    elder = make.elder(phone="13812345678")
    caregiver = make.caregiver(weekdays_mask=0b1000101, shift_start=dt.time(9, 15))
    db.session.commit()
    login_as(Role.ADMIN)
    page = client.get(f"/registry/elders/{elder.id}/edit").get_data(as_text=True)
    assert 'value="13812345678"' in page
    page = client.get(f"/registry/caregivers/{caregiver.id}/edit").get_data(as_text=True)
    assert 'value="1;3;7"' in page and 'value="09:15"' in page


# --- caregivers --------------------------------------------------------------------------


def _caregiver_form(station_id: int, skill_ids: list[int], **kw: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "C7001",
        "name": "王芳",
        "gender": "female",
        "phone": "13900009999",
        "station_id": str(station_id),
        "weekdays_mask": "1-3;6",
        "shift_start": "08:00",
        "shift_end": "16:30",
        "max_work_minutes": "",
        "lunch_start": "",
        "lunch_end": "",
        "lunch_minutes": "",
        "travel_mode": "ebike",
        "home_lat": "",
        "home_lon": "",
        "skill_ids": [str(i) for i in skill_ids],
        "active": "y",
    }
    data.update(kw)
    return data


def test_admin_creates_and_edits_a_caregiver_with_skills_and_weekdays(
    client: FlaskClient, login_as, make, db
) -> None:
    station = make.station()
    nursing, bathing = make.skill("nursing"), make.skill("bathing")
    db.session.commit()
    login_as(Role.ADMIN)
    response = client.post(
        "/registry/caregivers/new", data=_caregiver_form(station.id, [nursing.id, bathing.id])
    )
    assert response.status_code == 302
    caregiver = db.session.scalar(select(Caregiver).where(Caregiver.code == "C7001"))
    assert caregiver is not None
    assert caregiver.skill_codes == ["bathing", "nursing"]
    assert caregiver.weekdays_text == "1-3;6"
    assert caregiver.shift_start == dt.time(8) and caregiver.shift_end == dt.time(16, 30)
    assert not caregiver.has_lunch

    lunch = {"lunch_start": "11:30", "lunch_end": "13:30", "lunch_minutes": "30"}
    response = client.post(
        f"/registry/caregivers/{caregiver.id}/edit", data=_caregiver_form(station.id, [], **lunch)
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (caregiver.lunch_start, caregiver.lunch_end, caregiver.lunch_minutes) == (
        dt.time(11, 30),
        dt.time(13, 30),
        30,
    )
    page = client.get(f"/registry/caregivers/{caregiver.id}").get_data(as_text=True)
    assert "30 min between 11:30 and 13:30" in page

    response = client.post(
        f"/registry/caregivers/{caregiver.id}/edit",
        data=_caregiver_form(station.id, [], weekdays_mask="1-5"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert caregiver.skills == [] and caregiver.weekdays_text == "1-5"
    assert not caregiver.has_lunch


def test_caregiver_form_checks_times_and_weekdays(client: FlaskClient, login_as, make, db) -> None:
    station = make.station()
    db.session.commit()
    login_as(Role.ADMIN)
    cases = {
        "The end must be after the start.": {"shift_start": "17:00", "shift_end": "08:00"},
        "Enter a time as HH:MM": {"shift_start": "8h"},
        "Enter weekdays as numbers 1-7": {"weekdays_mask": "1-9"},
        "outside China": {"home_lat": "0", "home_lon": "0"},
        "Give the lunch window and its minutes together.": {"lunch_start": "11:30"},
        "The lunch break does not fit its window.": {
            "lunch_start": "11:30",
            "lunch_end": "12:00",
            "lunch_minutes": "45",
        },
        "The lunch window must lie inside the shift.": {
            "lunch_start": "16:00",
            "lunch_end": "17:00",
            "lunch_minutes": "30",
        },
    }
    for message, change in cases.items():
        response = client.post(
            "/registry/caregivers/new", data=_caregiver_form(station.id, [], **change)
        )
        assert response.status_code == 422, message
        assert message in response.get_data(as_text=True), message
    assert _count(db, Caregiver) == 0


# --- service types -----------------------------------------------------------------------


def _service_form(**kw: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "foot_care",
        "name_zh": "足部护理",
        "name_en": "Foot care",
        "duration_min": "40",
        "price_fen": "0.29",
        "skill_id": "",
        "caregivers_needed": "1",
        "window_start": "09:00",
        "window_end": "11:30",
        "priority": "3",
        "active": "y",
    }
    data.update(kw)
    return data


def test_service_type_price_is_read_in_yuan_and_kept_in_fen(
    client: FlaskClient, login_as, db
) -> None:
    login_as(Role.ADMIN)
    # 0.29 * 100 is 28.999... in floating point; Decimal keeps it 29 fen.
    response = client.post("/registry/service-types/new", data=_service_form())
    assert response.status_code == 302
    found = db.session.scalar(select(ServiceType).where(ServiceType.code == "foot_care"))
    assert found is not None and found.price_fen == 29 and found.skill_id is None
    assert found.window_end == dt.time(11, 30)

    response = client.post(
        f"/registry/service-types/{found.id}/edit", data=_service_form(price_fen="1,234.5")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert found.price_fen == 123450
    page = client.get(f"/registry/service-types/{found.id}/edit").get_data(as_text=True)
    assert 'value="1234.50"' in page


def test_service_type_form_refuses_bad_prices_and_windows(
    client: FlaskClient, login_as, db
) -> None:
    login_as(Role.ADMIN)
    before = _count(db, ServiceType)
    cases = {
        "Use at most two decimal places.": {"price_fen": "12.345"},
        "Enter an amount in yuan": {"price_fen": "twelve"},
        "Enter both times.": {"window_end": ""},
        "The end must be after the start.": {"window_end": "08:00"},
    }
    for message, change in cases.items():
        response = client.post("/registry/service-types/new", data=_service_form(**change))
        assert response.status_code == 422, message
        assert message in response.get_data(as_text=True), message
    assert _count(db, ServiceType) == before
    # No window at all is fine: the service can be done any time.
    response = client.post(
        "/registry/service-types/new", data=_service_form(window_start="", window_end="")
    )
    assert response.status_code == 302
