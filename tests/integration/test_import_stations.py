"""Stations import: matching by code, idempotency, dry run, all-or-nothing and each rule."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from carehub.core.audit import AuditLog
from carehub.registry.models import Station
from tests.integration.test_import_support import (
    assert_rejected,
    check_rule,
    csv_file,
    imported,
    run,
    stored,
)

HEADER = "code,name,address,lat,lon,circle_minutes,phone,provider"
GOOD = (
    "ST1,南营门站,南京路219号,39.1175,117.195,15,022-23301234,和平区民政局",
    "ST2,小白楼站,解放北路1号,39.1201,117.2105,,,",
)


def test_stations_are_created_with_an_import_audit_entry(db) -> None:
    result = imported(db, "stations", HEADER, *GOOD, filename="stations.csv")
    assert result.counts() == {"created": 2, "updated": 0, "unchanged": 0}
    second = db.session.scalar(select(Station).where(Station.code == "ST2"))
    assert (second.circle_minutes, second.phone, second.provider) == (15, None, None)
    summary = db.session.scalar(select(AuditLog).where(AuditLog.action == "import"))
    assert summary.entity_type == "Station" and summary.actor == "test:import"
    assert summary.after == {"file": "stations.csv", "created": 2, "updated": 0, "unchanged": 0}


def test_importing_the_same_file_twice_changes_nothing(db) -> None:
    imported(db, "stations", HEADER, *GOOD)
    before = stored(db)
    again = imported(db, "stations", HEADER, *GOOD)
    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 2}
    assert stored(db) == before  # no new audit rows either


def test_a_changed_row_updates_only_that_station(db) -> None:
    imported(db, "stations", HEADER, *GOOD)
    changed = GOOD[1].replace("小白楼站", "小白楼街道站")
    result = imported(db, "stations", HEADER, GOOD[0], changed)
    assert result.counts() == {"created": 0, "updated": 1, "unchanged": 1}
    update = db.session.scalar(
        select(AuditLog).where(AuditLog.action == "update", AuditLog.entity_type == "Station")
    )
    assert update.before == {"name": "小白楼站"} and update.after == {"name": "小白楼街道站"}


def test_optional_columns_left_out_keep_their_values(db) -> None:
    imported(db, "stations", HEADER, *GOOD)
    result = imported(
        db, "stations", "code,name,address,lat,lon", "ST1,南营门站,南京路219号,39.1175,117.195"
    )
    assert result.unchanged == 1
    assert db.session.scalar(select(Station.phone).where(Station.code == "ST1")) == "022-23301234"


def test_dry_run_reports_and_writes_nothing(db) -> None:
    imported(db, "stations", HEADER, GOOD[0])
    before = stored(db)
    changed = GOOD[0].replace("南营门站", "新名")
    result = run(db, "stations", csv_file(HEADER, changed, GOOD[1]), dry_run=True)
    assert result.ok and result.dry_run
    assert result.counts() == {"created": 1, "updated": 1, "unchanged": 0}
    db.session.rollback()
    assert stored(db) == before
    assert db.session.scalar(select(Station.name).where(Station.code == "ST1")) == "南营门站"


def test_one_bad_row_among_good_ones_writes_nothing(db) -> None:
    lines = (HEADER, *GOOD, "ST3,坏站,某路,39.1,abc,,,", "ST4,好站,某路,39.11,117.2,,,")
    assert_rejected(db, "stations", lines, 4, "lon", "not a number")
    assert db.session.scalar(select(Station.id)) is None


def test_every_bad_row_is_reported(db) -> None:
    lines = (
        HEADER,
        "ST1,,a,39.1,117.2,,,",
        GOOD[1],
        "ST3,c,a,39.1,117.2,0,,",
        "ST1,d,a,39.1,117.2,,,",
    )
    result = run(db, "stations", csv_file(*lines))
    assert [(e.line, e.column) for e in result.errors] == [
        (2, "name"),
        (4, "circle_minutes"),
        (5, "code"),
    ]


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("ST9,站,路,39.1,117.2,15,,", None, None),  # the control: this row is good
        (",站,路,39.1,117.2,15,,", "code", "required value missing"),
        ("ST9,站,路,117.2,39.1,15,,", "lat", "outside China"),
        ("ST9,站,路,-33.9,151.2,15,,", "lat", "outside China"),
        ("ST9,站,路,39.1,,15,,", "lon", "required value missing"),
        ("ST9,站,路,39.1,117.2,1.5,,", "circle_minutes", "whole number"),
        ("ST9,站,路,39.1,117.2,abc,,", "circle_minutes", "whole number"),
        ("ST9,站,路,north,117.2,15,,", "lat", "not a number"),
        ("ST1,站,路,39.1,117.2,15,,", "code", "duplicate of line 2"),
        ("ST9,站,路,39.1,117.2,15," + "9" * 41 + ",", "phone", "too long"),
    ],
)
def test_station_rules(db, row, column, reason) -> None:
    check_rule(db, "stations", (HEADER, GOOD[0], row), column, reason)


def test_a_district_column_names_each_stations_district(db) -> None:  # type: ignore[no-untyped-def]
    imported(db, "stations", HEADER, *GOOD)
    result = imported(
        db,
        "stations",
        "code,name,address,lat,lon,district",
        "ST1,南营门站,南京路219号,39.1175,117.195,和平区",
        "ST2,小白楼站,解放北路1号,39.1201,117.2105,",
    )
    assert result.counts() == {"created": 0, "updated": 1, "unchanged": 1}
    districts = dict(db.session.execute(select(Station.code, Station.district)).all())
    assert districts == {"ST1": "和平区", "ST2": ""}
    too_long = run(
        db,
        "stations",
        csv_file(
            "code,name,address,lat,lon,district",
            "ST1,南营门站,南京路219号,39.1175,117.195," + "区" * 61,
        ),
    )
    assert [(e.line, e.column) for e in too_long.errors] == [(2, "district")]
