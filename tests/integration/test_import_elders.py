"""Elders import: Chinese labels, geocoding blank coordinates, station assignment and each rule."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from carehub.core.enums import CareLevel, ElderStatus, Gender, Hardship
from carehub.geo.geocoding import FakeGeocoder
from carehub.registry.models import Elder
from tests.builders import CENTRE
from tests.integration.test_import_support import (
    assert_rejected,
    check_rule,
    csv_file,
    imported,
    run,
)

HEADER = "code,name,gender,phone,address,lat,lon,station_code,care_level,hardship"
NEAR = "天津市和平区南京路100号"  # inside ST1's circle
FAR = "北京市东城区王府井大街1号"  # inside China, outside every circle
GOOD = "E1,张秀英,女,13800001234,和平路1号,39.1195,117.197,ST1,中度,低保"


@pytest.fixture
def app_config() -> dict[str, object]:
    known = {NEAR: (39.1185, 117.1965), FAR: (39.9138, 116.4109)}
    return {"GEOCODER_INSTANCE": FakeGeocoder(known=known)}


@pytest.fixture(autouse=True)
def stations(make, db) -> None:
    make.station(code="ST1", lat=CENTRE[0], lon=CENTRE[1])
    make.station(code="ST2", lat=39.0800, lon=117.2300)
    db.session.commit()


def _elder(db, code: str) -> Elder:
    return db.session.scalar(select(Elder).where(Elder.code == code))


def test_elder_with_chinese_labels_is_created_with_initials(db) -> None:
    imported(db, "elders", HEADER, GOOD)
    elder = _elder(db, "E1")
    assert (elder.gender, elder.care_level, elder.hardship) == (
        Gender.FEMALE,
        CareLevel.MODERATE,
        Hardship.DIBAO,
    )
    assert elder.station.code == "ST1" and elder.name_initials == "zxy"


def test_codes_and_optional_columns_are_accepted(db) -> None:
    header = HEADER + ",birth_date,care_level_assessed_on,status,preferred_caregiver_gender,notes"
    row = "E2,李建国,M,,和平路2号,39.119,117.196,ST1,severe,tekun,1938/5/12,2026-01-10,住院,F,独居"
    imported(db, "elders", header, row)
    elder = _elder(db, "E2")
    assert elder.gender == Gender.MALE and elder.hardship == Hardship.TEKUN
    assert elder.birth_date == dt.date(1938, 5, 12)
    assert elder.care_level_assessed_on == dt.date(2026, 1, 10)
    assert elder.status == ElderStatus.HOSPITALISED
    assert elder.preferred_caregiver_gender == Gender.FEMALE and elder.notes == "独居"


def test_blank_coordinates_are_geocoded_and_blank_station_assigned(db) -> None:
    imported(db, "elders", HEADER, f"E3,王淑珍,女,,{NEAR},,,,轻度,无")
    elder = _elder(db, "E3")
    assert (elder.lat, elder.lon) == (39.1185, 117.1965)
    assert elder.station.code == "ST1"
    again = imported(db, "elders", HEADER, f"E3,王淑珍,女,,{NEAR},,,,轻度,无")
    assert again.unchanged == 1


def test_renaming_an_elder_refreshes_the_initials(db) -> None:
    imported(db, "elders", HEADER, GOOD)
    imported(db, "elders", HEADER, GOOD.replace("张秀英", "刘桂兰"))
    assert _elder(db, "E1").name_initials == "lgl"


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("E9,甲,男,,路,39.119,117.196,ST1,none,none", None, None),
        ("E9,甲,男,,路,39.119,117.196,ST7,none,none", "station_code", "unknown station"),
        ("E9,甲,男,,路,39.119,117.196,,none,none", None, None),
        (f"E9,甲,男,,{FAR},,,,none,none", "station_code", "no station"),
        ("E9,甲,男,,nowhere street,,,ST1,none,none", "address", "not found"),
        ("E9,甲,男,,,,,ST1,none,none", "address", "required value missing"),
        ("E9,甲,男,,路,39.119,,ST1,none,none", "lon", "together"),
        ("E9,甲,男,,路,51.5,-0.12,ST1,none,none", "lat", "outside China"),
        ("E9,甲,X,,路,39.119,117.196,ST1,none,none", "gender", "unknown value"),
        ("E9,甲,男,,路,39.119,117.196,ST1,极重度,none", "care_level", "unknown value"),
        ("E9,甲,男,,路,39.119,117.196,ST1,none,富裕", "hardship", "unknown value"),
        ("E9,甲,,,路,39.119,117.196,ST1,none,none", "gender", "required value missing"),
        ("E1,甲,男,,路,39.119,117.196,ST1,none,none", "code", "duplicate"),
    ],
)
def test_elder_rules(db, row, column, reason) -> None:
    check_rule(db, "elders", (HEADER, GOOD, row), column, reason)


def test_bad_dates_and_status_are_refused(db) -> None:
    header = HEADER + ",birth_date,status"
    for extra, column in (
        ("1938-02-30,active", "birth_date"),
        ("12.5.1938,active", "birth_date"),
        ("1938-02-03,gone", "status"),
    ):
        lines = (header, f"E9,甲,男,,路,39.119,117.196,ST1,none,none,{extra}")
        assert_rejected(
            db,
            "elders",
            lines,
            2,
            column,
            "not a date" if column == "birth_date" else "unknown value",
        )


def test_status_change_is_recorded_as_an_effective_dated_period(db) -> None:
    header = HEADER + ",status,status_since"
    imported(db, "elders", header, GOOD + ",在册,")
    imported(db, "elders", header, GOOD + ",住院,2026-11-02")
    elder = _elder(db, "E1")
    assert elder.status == ElderStatus.HOSPITALISED
    assert elder.status_on(dt.date(2026, 11, 1)) == ElderStatus.ACTIVE
    assert elder.status_on(dt.date(2026, 11, 2)) == ElderStatus.HOSPITALISED


def test_status_dated_before_the_current_one_is_a_row_error(db) -> None:
    header = HEADER + ",status,status_since"
    imported(db, "elders", header, GOOD + ",住院,2026-11-02")
    result = run(
        db, "elders", csv_file(header, GOOD.replace("张秀英", "张秀") + ",在册,2026-10-01")
    )
    assert [(e.line, e.column) for e in result.errors] == [(2, "status_since")]
    db.session.rollback()
    elder = _elder(db, "E1")
    assert elder.status == ElderStatus.HOSPITALISED and elder.name == "张秀英"


def test_an_import_cannot_change_an_elders_care_level(db) -> None:
    imported(db, "elders", HEADER, GOOD)
    result = run(db, "elders", csv_file(HEADER, GOOD.replace("中度", "重度")))
    assert [(e.line, e.column) for e in result.errors] == [(2, "care_level")]
    db.session.rollback()
    assert _elder(db, "E1").care_level == CareLevel.MODERATE


def test_an_import_keeping_the_care_level_updates_the_rest(db) -> None:
    imported(db, "elders", HEADER, GOOD)
    imported(db, "elders", HEADER, GOOD.replace("13800001234", "13800009999"))
    assert _elder(db, "E1").phone == "13800009999"
