"""The bureau's figures per district and station against two small districts worked out
by hand, and their reconciliation with the locked ledger to the fen."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from carehub.bureau.figures import Period, Scope, ScopeError, check_scope, compute
from carehub.core.enums import CareLevel, RequestOrigin, RequestStatus, Role, VisitStatus
from carehub.registry.models import Station
from carehub.subsidy.models import LedgerLine
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation import locking
from tests.builders import CENTRE
from tests.integration.subsidy_support import NOW, SHANGHAI, completed, home_of

OCT = Month(2026, 10)
TODAY = dt.date(2026, 11, 23)
JIA, YI = "甲区", "乙区"


@pytest.fixture(autouse=True)
def fixed_clock(app: Flask, client: FlaskClient) -> None:
    app.config["CLOCK"] = lambda: NOW
    client.get("/lang/en")


@pytest.fixture
def two_districts(make, db):  # type: ignore[no-untyped-def]
    """甲区: stations A1 and A2; 乙区: station B1. Meals at 15 yuan, cleaning at 60 yuan;
    the default policy pays dibao elders 200 / 400 / 600 yuan a month."""
    meal = make.service_type("meal_hand", price_fen=1500, duration_min=30)
    clean = make.service_type("clean_home", price_fen=6000, duration_min=60)
    a1 = make.station(code="A1", district=JIA)
    a2 = make.station(code="A2", district=JIA)
    b1 = make.station(code="B1", district=YI)
    born = dt.date
    elders = {
        "a1": make.elder(
            code="EA1", station=a1, care_level=CareLevel.MODERATE, birth_date=born(1940, 5, 1)
        ),
        "a2": make.elder(
            code="EA2", station=a1, care_level=CareLevel.MILD, birth_date=born(1950, 1, 1)
        ),
        "a3": make.elder(
            code="EA3", station=a2, care_level=CareLevel.SEVERE, birth_date=born(1944, 3, 3)
        ),
        "b1": make.elder(
            code="EB1", station=b1, care_level=CareLevel.MODERATE, birth_date=born(1930, 1, 1)
        ),
        # Outside every circle: some 22 km north of the stations.
        "b2": make.elder(
            code="EB2",
            station=b1,
            care_level=CareLevel.NONE,
            birth_date=born(1960, 6, 1),
            lat=CENTRE[0] + 0.2,
            lon=CENTRE[1],
        ),
    }
    for n, key in enumerate(("a1", "a2", "a3", "b1"), start=1):
        elders[key].lat, elders[key].lon = home_of(n)
    carer_a = make.caregiver(station=a1)
    carer_b = make.caregiver(station=b1)
    day = dt.date(2026, 10, 12)
    completed(make, elders["a1"], carer_a, day, 9, 30, service=meal)
    completed(make, elders["a1"], carer_a, day + dt.timedelta(days=1), 9, 30, service=meal)
    completed(make, elders["a2"], carer_a, day, 11, 60, service=clean)
    for n in range(7):  # 7 x 60 = 420 yuan of cleaning against 400 a month
        completed(make, elders["b1"], carer_b, day + dt.timedelta(days=n), 9, 60, service=clean)
    completed(make, elders["b1"], carer_b, day, 14, 30, service=meal)
    completed(make, elders["b2"], carer_b, day, 16, 30, service=meal)
    called = dt.datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)
    request = make.request(
        elder=elders["b1"],
        service_type=make.service_type("emergency"),
        service_date=called.date(),
        origin=RequestOrigin.EMERGENCY,
        status=RequestStatus.DONE,
        created_at=called,
    )
    make.visit(
        request=request,
        caregiver=carer_b,
        status=VisitStatus.CHECKED_IN,
        check_in_at=called + dt.timedelta(minutes=10),
    )
    db.session.commit()
    locking.lock_month(db.session, OCT, None)
    db.session.commit()
    return elders


def _row(group):  # type: ignore[no-untyped-def]
    return (
        group.stations,
        group.elders_served,
        group.person_times,
        group.verified,
        group.entitled_fen,
        group.payable_fen,
        group.active_elders,
        group.over_80,
        group.over_80_visited,
        group.meal_helped,
        group.circle_total,
        group.inside_circle,
        group.emergencies,
        group.within_promise,
    )


def test_two_districts_by_hand(two_districts, db) -> None:  # type: ignore[no-untyped-def]
    f = compute(db.session, Period.parse("2026-10"), TODAY, cached=False)
    by_district = {d.code: _row(d) for d in f.districts}
    # 甲区: a1 two meals (30 yuan of 400), a2 one cleaning (60 of 200), a3 nothing (0 of 600).
    # a1 and a3 are over 80, a1 visited; a1 had meals; all three inside a circle.
    assert by_district[JIA] == (2, 2, 3, 3, 120_000, 9_000, 3, 2, 1, 1, 3, 3, 0, 0)
    # 乙区: b1 seven cleanings and a meal (435 yuan, capped at 400); b2 one meal, no care
    # need so nothing to pay. b1 is 96 and visited; both had meals; b2 outside every
    # circle; one emergency call reached after 10 minutes.
    assert by_district[YI] == (1, 2, 9, 9, 40_000, 40_000, 2, 1, 1, 2, 2, 1, 1, 1)
    assert list(by_district) == [YI, JIA]  # by name, as the stations' districts sort
    by_station = {s.code: (s.district, s.elders_served, s.payable_fen) for s in f.stations}
    assert by_station == {"A1": (JIA, 2, 9_000), "A2": (JIA, 0, 0), "B1": (YI, 2, 40_000)}
    assert (f.elders_served, sum(f.person_times.values())) == (4, 12)
    assert (f.entitled_fen, f.payable_fen) == (160_000, 49_000)
    assert (f.circle_total, f.inside_circle, f.meal_helped) == (5, 4, 3)


def test_districts_reconcile_with_the_locked_ledger_to_the_fen(two_districts, db) -> None:  # type: ignore[no-untyped-def]
    f = compute(db.session, Period.parse("2026-10"), TODAY)
    assert f.months_locked == ["2026-10"]
    ledger = dict(
        db.session.execute(
            select(Station.district, func.sum(LedgerLine.payable_fen))
            .join(Station, Station.id == LedgerLine.station_id)
            .where(LedgerLine.month == "2026-10")
            .group_by(Station.district)
        ).all()
    )
    assert {d.code: d.payable_fen for d in f.districts} == ledger
    entitled = dict(
        db.session.execute(
            select(Station.district, func.sum(LedgerLine.entitlement_fen))
            .join(Station, Station.id == LedgerLine.station_id)
            .where(LedgerLine.month == "2026-10")
            .group_by(Station.district)
        ).all()
    )
    assert {d.code: d.entitled_fen for d in f.districts} == entitled
    # A district on its own gives the same figures as its row in the whole.
    alone = compute(db.session, Period.parse("2026-10"), TODAY, scope=Scope(district=YI))
    assert (alone.payable_fen, alone.entitled_fen, alone.elders_served) == (40_000, 40_000, 2)
    assert [s.code for s in alone.stations] == ["B1"]
    assert alone.person_times == {"clean_home": 7, "meal_hand": 2}
    assert (alone.emergencies, alone.within_promise) == (1, 1)
    station = compute(db.session, Period.parse("2026-10"), TODAY, scope=Scope(JIA, "A2"))
    assert (station.entitled_fen, station.payable_fen, station.elders_served) == (60_000, 0, 0)


def test_a_scope_that_names_nothing_is_refused(two_districts, db) -> None:  # type: ignore[no-untyped-def]
    for bad in (Scope(district="丙区"), Scope(station_code="Z9"), Scope(JIA, "B1")):
        with pytest.raises(ScopeError):
            check_scope(db.session, bad)
    check_scope(db.session, Scope(YI, "B1"))


def test_dashboard_by_district_print_and_xlsx(two_districts, client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.BUREAU)
    page = client.get("/bureau/?period=2026-10").get_data(as_text=True)
    assert 'id="bureau-districts"' in page and JIA in page and YI in page
    assert "Payable by district" in page and page.count("<svg") >= 5
    scoped = client.get(f"/bureau/?period=2026-10&district={YI}").get_data(as_text=True)
    assert "¥400.00" in scoped and "A1 " not in scoped.split('id="bureau-stations"')[1]
    printed = client.get(f"/bureau/print?period=2026-10&district={YI}").get_data(as_text=True)
    assert 'name="period"' not in printed and "400.00" in printed
    bad = client.get("/bureau/?period=2026-10&district=%E7%94%B2%E5%8C%BA&station=B1")
    assert bad.status_code == 400 and "is not in district" in bad.get_data(as_text=True)
    assert client.get("/bureau/?period=2026-10&station=Z9").status_code == 400

    book = load_workbook(io.BytesIO(client.get("/bureau/report.xlsx?period=2026-10").data))
    assert book.sheetnames == ["summary", "districts", "stations", "months"]
    rows = list(book["districts"].iter_rows(values_only=True))
    head = rows[0]
    table = {r[0]: dict(zip(head, r, strict=True)) for r in rows[1:]}
    assert table[JIA]["payable_fen"] == 9_000 and table[YI]["payable_fen"] == 40_000
    assert table["TOTAL"]["payable_fen"] == 49_000 and table["TOTAL"]["stations"] == 3
    assert table[YI]["inside_circle"] == 1 and table[YI]["circle_elders"] == 2
    stations = list(book["stations"].iter_rows(values_only=True))
    assert stations[0][:3] == ("station_code", "station_name", "district")
    assert [r[2] for r in stations[1:-1]] == [YI, JIA, JIA]
    months = list(book["months"].iter_rows(values_only=True))
    assert months[1][0] == "2026-10" and months[1][1] is True and months[1][-1] == 49_000
