"""Caregivers import: skills, weekdays, shifts and each rule."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from carehub.core.enums import TravelMode
from carehub.registry.models import Caregiver
from tests.integration.test_import_support import (
    assert_rejected,
    check_rule,
    imported,
)

HEADER = "code,name,gender,phone,station_code,skills,weekdays,shift_start,shift_end,travel_mode"
GOOD = "C1,赵丽,女,13900001111,ST1,meal;bathing,1-5,08:00,17:00,ebike"


@pytest.fixture(autouse=True)
def station(make, db) -> None:
    make.station(code="ST1")
    db.session.commit()


def test_caregiver_is_created_with_skills_weekdays_and_shift(db) -> None:
    header = HEADER + ",home_lat,home_lon,max_work_minutes"
    imported(
        db,
        "caregivers",
        header,
        "C2,钱伟,男,,ST1,助浴培训；meal,1;3;5,7:30,16:30,步行,39.12,117.19,420",
    )
    carer = db.session.scalar(select(Caregiver).where(Caregiver.code == "C2"))
    assert carer.skill_codes == ["bathing", "meal"]
    assert carer.weekdays_text == "1;3;5"
    assert (carer.shift_start, carer.shift_end) == (dt.time(7, 30), dt.time(16, 30))
    assert carer.travel_mode == TravelMode.WALK and carer.max_work_minutes == 420
    assert (carer.home_lat, carer.home_lon) == (39.12, 117.19)


def test_changing_skills_updates_and_same_skills_do_not(db) -> None:
    imported(db, "caregivers", HEADER, GOOD)
    assert (
        imported(db, "caregivers", HEADER, GOOD.replace("meal;bathing", "bathing;meal")).unchanged
        == 1
    )
    assert imported(db, "caregivers", HEADER, GOOD.replace("meal;bathing", "meal")).updated == 1
    carer = db.session.scalar(select(Caregiver).where(Caregiver.code == "C1"))
    assert carer.skill_codes == ["meal"]


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("C9,甲,女,,ST1,,1-5,08:00,17:00,ebike", None, None),
        ("C9,甲,女,,ST9,meal,1-5,08:00,17:00,ebike", "station_code", "unknown station"),
        ("C9,甲,女,,,meal,1-5,08:00,17:00,ebike", "station_code", "required value missing"),
        ("C9,甲,女,,ST1,meal;swimming,1-5,08:00,17:00,ebike", "skills", "unknown skill"),
        ("C9,甲,女,,ST1,meal,1-8,08:00,17:00,ebike", "weekdays", "not weekdays"),
        ("C9,甲,女,,ST1,meal,5-1,08:00,17:00,ebike", "weekdays", "not weekdays"),
        ("C9,甲,女,,ST1,meal,周一,08:00,17:00,ebike", "weekdays", "not weekdays"),
        ("C9,甲,女,,ST1,meal,1-5,25:00,17:00,ebike", "shift_start", "not a time"),
        ("C9,甲,女,,ST1,meal,1-5,8am,17:00,ebike", "shift_start", "not a time"),
        ("C9,甲,女,,ST1,meal,1-5,08:00,07:00,ebike", "shift_end", "later than"),
        ("C9,甲,女,,ST1,meal,1-5,08:00,17:00,car", "travel_mode", "unknown value"),
        ("C1,甲,女,,ST1,meal,1-5,08:00,17:00,ebike", "code", "duplicate"),
    ],
)
def test_caregiver_rules(db, row, column, reason) -> None:
    check_rule(db, "caregivers", (HEADER, GOOD, row), column, reason)


def test_home_coordinates_must_be_in_china_and_paired(db) -> None:
    header = HEADER + ",home_lat,home_lon,max_work_minutes"
    base = "C9,甲,女,,ST1,meal,1-5,08:00,17:00,ebike"
    assert_rejected(
        db, "caregivers", (header, base + ",10.0,100.0,"), 2, "home_lat", "outside China"
    )
    assert_rejected(db, "caregivers", (header, base + ",,117.2,"), 2, "home_lat", "together")
    assert_rejected(db, "caregivers", (header, base + ",,,-5"), 2, "max_work_minutes", "at least")


LUNCH_HEADER = HEADER + ",lunch_start,lunch_end,lunch_minutes"
BASE = "C9,甲,女,,ST1,meal,1-5,08:00,17:00,ebike"


def test_lunch_break_is_imported_and_re_import_changes_nothing(db) -> None:
    imported(db, "caregivers", LUNCH_HEADER, BASE + ",11:30,13:30,30")
    carer = db.session.scalar(select(Caregiver).where(Caregiver.code == "C9"))
    assert (carer.lunch_start, carer.lunch_end, carer.lunch_minutes) == (
        dt.time(11, 30),
        dt.time(13, 30),
        30,
    )
    assert carer.has_lunch
    assert imported(db, "caregivers", LUNCH_HEADER, BASE + ",11:30,13:30,30").unchanged == 1
    assert imported(db, "caregivers", LUNCH_HEADER, BASE + ",,,").updated == 1
    carer = db.session.scalar(select(Caregiver).where(Caregiver.code == "C9"))
    assert not carer.has_lunch and carer.lunch_start is None


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ("11:30,,30", "lunch_end", "together"),
        (",13:30,30", "lunch_start", "together"),
        ("11:30,13:30,", "lunch_minutes", "together"),
        ("11:30,noon,30", "lunch_end", "not a time"),
        ("13:30,11:30,30", "lunch_end", "later than"),
        ("11:30,12:00,45", "lunch_minutes", "does not fit"),
        ("11:30,13:30,0", "lunch_minutes", "at least"),
        ("07:00,09:00,30", "lunch_start", "inside the shift"),
        ("16:30,18:00,30", "lunch_end", "inside the shift"),
    ],
)
def test_bad_lunch_breaks_are_named_by_line_and_column(db, cells, column, reason) -> None:
    assert_rejected(
        db, "caregivers", (LUNCH_HEADER, GOOD + ",,,", f"{BASE},{cells}"), 3, column, reason
    )
