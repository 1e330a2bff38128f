"""Reading spreadsheets: encodings, XLSX, blank lines and what counts as an unreadable file."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import select

from carehub.registry.models import Station
from tests.integration.test_import_support import assert_rejected, csv_file, run, stored

HEADER = "code,name,address,lat,lon"
ROW = "ST1,和平区南营门街道养老服务站,天津市和平区南京路219号,39.1175,117.195"


def test_gbk_csv_is_read(db) -> None:
    result = run(db, "stations", csv_file(HEADER, ROW, encoding="gbk"))
    assert result.ok and result.created == 1
    db.session.commit()
    assert db.session.scalar(select(Station.name)) == "和平区南营门街道养老服务站"


def test_utf8_csv_with_bom_is_read(db) -> None:
    result = run(db, "stations", csv_file(HEADER, ROW, encoding="utf-8-sig"))
    assert result.ok and result.created == 1, result.errors


def test_xlsx_is_read_with_numbers_and_times_as_cells(db) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name", "address", "lat", "lon", "circle_minutes"])
    sheet.append(["ST1", "和平站", "南京路219号", 39.1175, 117.195, 20.0])
    data = io.BytesIO()
    book.save(data)
    result = run(db, "stations", data.getvalue(), filename="stations.xlsx")
    assert result.ok and result.created == 1, result.errors
    db.session.commit()
    station = db.session.scalar(select(Station))
    assert (station.lat, station.lon, station.circle_minutes) == (39.1175, 117.195, 20)


def test_blank_lines_are_skipped_but_counted_and_cells_trimmed(db) -> None:
    data = csv_file(
        HEADER, "", " ST1 , 和平站 ,南京路, 39.1 ,117.2", ",,,,", "ST2,河西站,友谊路,39.09,oops"
    )
    result = run(db, "stations", data)
    assert [(e.line, e.column) for e in result.errors] == [(5, "lon")]
    assert "oops" in result.errors[0].reason


def test_undecodable_bytes_are_refused_with_their_line(db) -> None:
    data = csv_file(HEADER, ROW) + b"ST2,\xff\xfe\xff,x,39.1,117.2\n"
    before = stored(db)
    result = run(db, "stations", data)
    assert [(e.line, e.column) for e in result.errors] == [(3, "")]
    assert "neither UTF-8 nor GBK" in result.errors[0].reason
    assert stored(db) == before


def test_empty_file_is_refused(db) -> None:
    for data in (b"", b"\n\n", b"\xef\xbb\xbf", b" , ,\n"):
        result = run(db, "stations", data)
        assert [(e.line, e.column) for e in result.errors] == [(1, "")]
        assert "empty" in result.errors[0].reason


def test_broken_xlsx_is_refused(db) -> None:
    result = run(db, "stations", b"PK\x03\x04 not really a zip", filename="x.xlsx")
    assert [(e.line, e.column) for e in result.errors] == [(1, "")]


def test_header_only_file_imports_nothing(db) -> None:
    result = run(db, "stations", csv_file(HEADER))
    assert result.ok and result.counts() == {"created": 0, "updated": 0, "unchanged": 0}


def test_missing_column_is_reported_once_on_line_1(db) -> None:
    lines = ("code,name,address,lat", "ST1,a,b,39.1", "ST2,a,b,39.2")
    assert_rejected(db, "stations", lines, 1, "lon", "missing column")
    result = run(db, "stations", csv_file(*lines))
    assert len(result.errors) == 1


def test_unknown_and_repeated_columns_are_reported(db) -> None:
    lines = (HEADER + ",circle_minute,name", ROW + ",15,x")
    result = run(db, "stations", csv_file(*lines))
    assert {(e.line, e.column) for e in result.errors} == {(1, "circle_minute"), (1, "name")}


def test_a_cell_too_large_for_csv_is_refused(db) -> None:
    result = run(db, "stations", csv_file(HEADER, ROW, "ST2," + "x" * 200_000 + ",a,39.1,117.2"))
    assert [(e.line, e.column) for e in result.errors] == [(3, "")]
