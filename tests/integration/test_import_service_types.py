"""Service types import: the catalogue loaded at init re-imports unchanged; each rule."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from carehub.registry.models import ServiceType
from tests.integration.test_import_support import (
    check_rule,
    imported,
)

HEADER = (
    "code,name_zh,name_en,duration_min,price_fen,skill,caregivers,window_start,window_end,priority"
)
GOOD = "foot_care,足部护理,Foot care,40,4500,nursing,1,09:00,16:00,3"


def test_service_type_is_created(db) -> None:
    imported(db, "service-types", HEADER, GOOD, "escort,陪同就医,Hospital escort,120,9000,,2,,,")
    foot = db.session.scalar(select(ServiceType).where(ServiceType.code == "foot_care"))
    assert foot.skill.code == "nursing" and foot.price_fen == 4500
    assert (foot.window_start, foot.window_end) == (dt.time(9), dt.time(16))
    escort = db.session.scalar(select(ServiceType).where(ServiceType.code == "escort"))
    assert escort.skill is None and escort.caregivers_needed == 2 and escort.priority == 3


def test_default_catalogue_row_matches_by_code(db) -> None:
    row = "meal_delivery,助餐送餐,Meal delivery,3,800,meal,1,11:00,12:30,3"
    assert imported(db, "service-types", HEADER, row).unchanged == 1
    assert imported(db, "service-types", HEADER, row.replace(",800,", ",900,")).updated == 1


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("x1,甲,A,30,100,,1,,,", None, None),
        ("x1,甲,A,30,100,massage,1,,,", "skill", "unknown skill"),
        ("x1,甲,A,30,12.50,,1,,,", "price_fen", "whole number"),
        ("x1,甲,A,30,-1,,1,,,", "price_fen", "at least"),
        ("x1,甲,A,0,100,,1,,,", "duration_min", "at least"),
        ("x1,甲,A,30,100,,0,,,", "caregivers", "at least"),
        ("x1,甲,A,30,100,,1,10:00,09:00,", "window_end", "later than"),
        ("x1,甲,A,30,100,,1,10:00,10:00,", "window_end", "later than"),
        ("x1,甲,A,30,100,,1,10:00,,", "window_end", "together"),
        ("x1,甲,A,30,100,,1,10:00,10:61,", "window_end", "not a time"),
        ("x1,,A,30,100,,1,,,", "name_zh", "required value missing"),
        ("foot_care,甲,A,30,100,,1,,,", "code", "duplicate"),
    ],
)
def test_service_type_rules(db, row, column, reason) -> None:
    check_rule(db, "service-types", (HEADER, GOOD, row), column, reason)
