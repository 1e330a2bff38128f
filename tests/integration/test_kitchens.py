"""Kitchens and what meal rounds read from the registry: the kitchen a station names, its
ready time, elders' dietary notes and a service's own too_short threshold; by form and by
spreadsheet."""

from __future__ import annotations

import datetime as dt

from flask.testing import FlaskClient
from sqlalchemy import func, select

from carehub.core.enums import Role
from carehub.registry.exports import rows
from carehub.registry.models import DEFAULT_MEALS_READY, Elder, Kitchen, ServiceType, Station
from tests.integration.test_import_support import assert_rejected, imported
from tests.integration.test_registry_views import _elder_form


def _kitchen_form(**kw: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "K01",
        "name": "和平中心厨房",
        "address": "天津市和平区厨房路1号",
        "lat": "39.1190",
        "lon": "117.1990",
        "ready_at": "10:30",
    }
    data.update(kw)
    return data


def _kitchens(db) -> int:
    return int(db.session.scalar(select(func.count(Kitchen.id))))


def test_admin_creates_a_kitchen_and_a_station_names_it(
    client: FlaskClient, login_as, make, db
) -> None:
    station = make.station(code="HPK")
    db.session.commit()
    login_as(Role.ADMIN)
    assert client.post("/registry/kitchens/new", data=_kitchen_form()).status_code == 302
    kitchen = db.session.scalar(select(Kitchen).where(Kitchen.code == "K01"))
    assert kitchen.ready_at == dt.time(10, 30)
    assert station.meal_source().key == "station:HPK"  # its own canteen until it names one
    form = {
        "code": "HPK",
        "name": station.name,
        "address": station.address,
        "lat": str(station.lat),
        "lon": str(station.lon),
        "circle_minutes": "15",
        "kitchen_id": str(kitchen.id),
        "meals_ready": "",
        "active": "y",
    }
    assert client.post(f"/registry/stations/{station.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert station.kitchen_id == kitchen.id
    source = station.meal_source()
    assert (source.key, source.ready_at, source.kitchen_id) == (
        "kitchen:K01",
        dt.time(10, 30),
        kitchen.id,
    )
    page = client.get("/registry/kitchens").get_data(as_text=True)
    assert "和平中心厨房" in page and "HPK" in page
    assert "和平中心厨房" in client.get(f"/registry/stations/{station.id}").get_data(as_text=True)

    # Back to the canteen, ready at a time of its own.
    form.update(kitchen_id="", meals_ready="11:05")
    assert client.post(f"/registry/stations/{station.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert station.kitchen_id is None and station.meal_source().ready_at == dt.time(11, 5)


def test_kitchen_form_errors_name_the_field_and_write_nothing(
    client: FlaskClient, login_as, db
) -> None:
    login_as(Role.ADMIN)
    client.post("/registry/kitchens/new", data=_kitchen_form())
    before = _kitchens(db)
    taken = client.post("/registry/kitchens/new", data=_kitchen_form(name="另一个"))
    assert taken.status_code == 422 and 'class="field-error"' in taken.get_data(as_text=True)
    bad = client.post("/registry/kitchens/new", data=_kitchen_form(code="K02", ready_at="25:00"))
    assert bad.status_code == 422 and 'class="field-error"' in bad.get_data(as_text=True)
    swapped = client.post(
        "/registry/kitchens/new", data=_kitchen_form(code="K03", lat="117.1", lon="39.1")
    )
    assert swapped.status_code == 422 and 'class="field-error"' in swapped.get_data(as_text=True)
    assert _kitchens(db) == before


def test_only_administrators_edit_kitchens(client: FlaskClient, login_as, db) -> None:
    login_as(Role.DISPATCHER)
    assert client.get("/registry/kitchens").status_code == 200
    assert client.post("/registry/kitchens/new", data=_kitchen_form()).status_code == 403
    assert _kitchens(db) == 0


def test_a_station_without_a_ready_time_uses_the_default() -> None:
    station = Station(code="S", name="站", address="", lat=39.1, lon=117.2)
    assert station.meal_source().ready_at == DEFAULT_MEALS_READY == dt.time(10, 45)


def test_elder_diet_notes_by_form(client: FlaskClient, login_as, make, db) -> None:
    station = make.station()
    db.session.commit()
    login_as(Role.ADMIN)
    form = _elder_form(station.id, diet_notes="低盐, 软食")
    assert client.post("/registry/elders/new", data=form).status_code == 302
    elder = db.session.scalar(select(Elder).where(Elder.code == form["code"]))
    assert elder.diet_notes == "低盐, 软食"
    assert "低盐, 软食" in client.get(f"/registry/elders/{elder.id}").get_data(as_text=True)
    too_long = client.post(
        f"/registry/elders/{elder.id}/edit", data={**form, "diet_notes": "盐" * 121}
    )
    assert too_long.status_code == 422
    db.session.expire_all()
    assert elder.diet_notes == "低盐, 软食"


STATIONS = "code,name,address,lat,lon,kitchen_code,meals_ready"


def test_stations_import_names_kitchens_and_ready_times(db) -> None:
    db.session.add(Kitchen(code="K01", name="中心厨房", address="", lat=39.12, lon=117.2))
    db.session.commit()
    imported(
        db,
        "stations",
        STATIONS,
        "ST1,南营门站,南京路219号,39.1175,117.195,K01,",
        "ST2,小白楼站,解放北路1号,39.1201,117.2105,,11:00",
    )
    one, two = db.session.scalars(select(Station).order_by(Station.code)).all()
    assert one.kitchen is not None and one.kitchen.code == "K01" and one.meals_ready is None
    assert two.kitchen_id is None and two.meals_ready == dt.time(11, 0)
    exported = list(rows(db.session, "stations"))
    header = exported[0]
    assert header[-3:] == ["kitchen_code", "meals_ready", "district"]
    assert exported[1][-3:-1] == ["K01", ""] and exported[2][-3:-1] == ["", "11:00"]


def test_stations_import_refuses_an_unknown_kitchen(db) -> None:
    lines = (STATIONS, "ST1,南营门站,南京路219号,39.1175,117.195,NOPE,")
    assert_rejected(db, "stations", lines, 2, "kitchen_code", "Unknown kitchen")
    lines = (STATIONS, "ST1,南营门站,南京路219号,39.1175,117.195,,10点")
    assert_rejected(db, "stations", lines, 2, "meals_ready", "Not a time")


def test_elders_import_and_export_diet_notes(db, make) -> None:
    station = make.station(code="HP1")
    db.session.commit()
    header = "code,name,gender,phone,address,lat,lon,station_code,care_level,hardship,diet_notes"
    imported(db, "elders", header, "E1,张奶奶,女,138,南京路1号,39.1175,117.195,HP1,中度,低保,清真")
    elder = db.session.scalar(select(Elder).where(Elder.code == "E1"))
    assert elder.diet_notes == "清真" and elder.station_id == station.id
    exported = list(rows(db.session, "elders"))
    assert exported[1][exported[0].index("diet_notes")] == "清真"


def test_service_types_import_their_too_short_threshold(db) -> None:
    header = "code,name_zh,name_en,duration_min,price_fen,skill,caregivers,min_visit_percent"
    imported(db, "service-types", header, "drop2,送餐,Drop,3,800,meal,1,30")
    found = db.session.scalar(select(ServiceType).where(ServiceType.code == "drop2"))
    assert found.min_visit_percent == 30
    lines = (header, "drop3,送餐,Drop,3,800,meal,1,130")
    assert_rejected(db, "service-types", lines, 2, "min_visit_percent", "")


def test_default_catalogue_delivers_a_meal_in_three_minutes(db) -> None:
    meal = db.session.scalar(select(ServiceType).where(ServiceType.code == "meal_delivery"))
    cleaning = db.session.scalar(select(ServiceType).where(ServiceType.code == "cleaning"))
    assert (meal.duration_min, meal.min_visit_percent) == (3, 30)
    assert cleaning.min_visit_percent is None
