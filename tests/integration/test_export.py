"""Export writes the import's columns, so every exported file re-imports with zero changes."""

from __future__ import annotations

import datetime as dt

import pytest

from carehub.core.enums import ElderStatus, Gender, Hardship, TravelMode
from carehub.registry.exports import export_bytes
from carehub.registry.imports import ENTITIES
from tests.integration.test_import_support import run, stored


@pytest.fixture
def registry(make, db) -> None:
    """A registry using every column, including the awkward values (commas, quotes, newlines)."""
    st1 = make.station(code="ST1", phone="022-2330 1234", provider="和平区民政局")
    st2 = make.station(code="ST2", lat=39.1012345678, lon=117.2098765432, circle_minutes=20)
    make.elder(
        code="E1",
        station=st1,
        birth_date=dt.date(1938, 5, 12),
        status=ElderStatus.HOSPITALISED,
        preferred_caregiver_gender=Gender.FEMALE,
        emergency_contact_name="张伟",
        emergency_contact_phone="13900000000",
        notes='独居，"耳背"\n下午三点后在家, 敲门需用力',
    )
    make.elder(
        code="E2", station=st2, hardship=Hardship.NONE, phone="", care_level_assessed_on=None
    )
    make.caregiver(code="C1", station=st1, skills=("meal", "bathing"))
    make.caregiver(
        code="C2",
        station=st2,
        skills=(),
        weekdays_mask=0b1010101,
        shift_start=dt.time(7, 30),
        shift_end=dt.time(19, 45),
        travel_mode=TravelMode.WALK,
        home_lat=39.11,
        home_lon=117.2,
        max_work_minutes=480,
        lunch_start=dt.time(11, 30),
        lunch_end=dt.time(13, 30),
        lunch_minutes=30,
    )
    make.service_type("escort", name_en="Escort, hospital", duration_min=120, caregivers_needed=2)
    make.care_plan(elder=make.elder(code="E3", station=st1))
    make.care_plan(
        elder=make.elder(code="E4", station=st2),
        weekdays_mask=0b1000001,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
    )
    db.session.commit()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("entity", list(ENTITIES))
def test_export_then_import_changes_nothing(registry, db, entity, fmt) -> None:
    data = export_bytes(db.session, entity, fmt)
    before = stored(db)
    result = run(db, entity, data, filename=f"{entity}.{fmt}")
    assert result.ok, result.errors
    assert result.created == result.updated == 0
    assert result.unchanged > 0
    db.session.commit()
    assert stored(db) == before


def test_csv_has_a_bom_and_the_import_header(registry, db) -> None:
    data = export_bytes(db.session, "caregivers", "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "code,name,gender,phone,station_code,skills,weekdays,shift_start,shift_end,"
        "travel_mode,home_lat,home_lon,max_work_minutes,lunch_start,lunch_end,lunch_minutes"
    )
    assert ",ST1,bathing;meal,1-5,08:00,17:00,ebike,,,,,," in lines[1]
    assert ",ST2,,1;3;5;7,07:30,19:45,walk,39.11,117.2,480,11:30,13:30,30" in lines[2]


def test_an_export_loads_into_an_empty_registry(registry, db) -> None:
    files = {name: export_bytes(db.session, name, "xlsx") for name in ENTITIES}
    from carehub.registry.models import Caregiver, CarePlan, Elder, Station

    for model in (CarePlan, Caregiver, Elder, Station):
        db.session.query(model).delete()
    db.session.commit()
    for name in ("stations", "service-types", "elders", "caregivers", "care-plans"):
        result = run(db, name, files[name], filename=f"{name}.xlsx")
        assert result.ok, (name, result.errors)
        db.session.commit()
    assert stored(db)["CarePlan"] == 2 and stored(db)["Elder"] == 4
