"""The bureau's dashboard against a small district computed by hand (the planted October
of subsidy_support), reconciling to the fen with the locked month."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from carehub.bureau.figures import Period, PeriodError, compute
from carehub.core.enums import RequestOrigin, RequestStatus, Role, VisitStatus
from carehub.subsidy.models import LedgerLine
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation import locking
from tests.integration.subsidy_support import NOW, SHANGHAI, october

OCT = Month(2026, 10)
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fixed_clock(app: Flask, client: FlaskClient) -> None:
    app.config["CLOCK"] = lambda: NOW
    client.get("/lang/en")


@pytest.fixture
def locked_october(make, db):  # type: ignore[no-untyped-def]
    month = october(make, db)
    locking.lock_month(db.session, OCT, None)
    db.session.commit()
    return month


def test_periods() -> None:
    assert [str(m) for m in Period.parse("2026-Q4").months] == ["2026-10", "2026-11", "2026-12"]
    assert len(Period.parse("2026").months) == 12
    assert Period.parse("2026-10").last == dt.date(2026, 10, 31)
    for bad in ("2026-13", "2026-Q5", "Oct"):
        with pytest.raises(PeriodError):
            Period.parse(bad)


def test_figures_of_a_small_district_by_hand(locked_october, make, db) -> None:  # type: ignore[no-untyped-def]
    e = locked_october.elders
    # One emergency call in October, reached 12 minutes after the call; one never reached.
    called = dt.datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)
    for elder, minutes in ((e[0], 12), (e[1], None)):
        request = make.request(
            elder=elder,
            service_type=make.service_type("emergency"),
            service_date=called.date(),
            origin=RequestOrigin.EMERGENCY,
            status=RequestStatus.DONE,
            created_at=called,
        )
        if minutes is not None:
            make.visit(
                request=request,
                status=VisitStatus.CHECKED_IN,
                check_in_at=called + dt.timedelta(minutes=minutes),
            )
    db.session.commit()
    f = compute(db.session, Period.parse("2026-10"), TODAY, cached=False)
    # Six elders, each with three clean meals; eight planted visits on top.
    assert f.elders_served == 6
    assert f.person_times == {"meal_delivery": 26}
    assert f.months_locked == ["2026-10"]
    # The locked ledger, to the fen.
    entitled, payable, verified = db.session.execute(
        select(
            func.sum(LedgerLine.entitlement_fen),
            func.sum(LedgerLine.payable_fen),
            func.sum(LedgerLine.verified_visits),
        ).where(LedgerLine.month == "2026-10")
    ).one()
    assert (f.entitled_fen, f.payable_fen, f.visits_verified) == (entitled, payable, verified)
    assert sum(m.payable_fen for m in f.by_tier.values()) == payable
    assert sum(m.entitled_fen for m in f.by_policy.values()) == entitled
    assert sum(s.payable_fen for s in f.stations) == payable
    assert [(s.code, s.elders_served) for s in f.stations] == [("STN", 4), ("STS", 2)]
    # Every elder has a meal; the deceased one is off the register.
    assert (f.active_elders, f.meal_helped) == (5, 5)
    assert (f.emergencies, f.emergencies_reached, f.within_promise) == (2, 1, 1)
    assert f.median_response_min == 12
    assert (f.meals_subsidised, f.meal_elder_fen) == (0, 0)  # no per-meal policy


def test_dashboard_page_report_and_print(locked_october, client, login_as, db) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.BUREAU)
    assert client.get("/").headers["Location"].endswith("/bureau/")
    page = client.get("/bureau/?period=2026-10").get_data(as_text=True)
    payable = db.session.scalar(
        select(func.sum(LedgerLine.payable_fen)).where(LedgerLine.month == "2026-10")
    )
    assert f"¥{payable / 100:,.2f}" in page and "All months locked" in page
    assert "<svg" in page
    printed = client.get("/bureau/print?period=2026-10").get_data(as_text=True)
    assert 'name="period"' not in printed and f"{payable / 100:,.2f}" in printed
    response = client.get("/bureau/report.xlsx?period=2026-10")
    book = load_workbook(io.BytesIO(response.data))
    summary = {row[0]: row[1] for row in book["summary"].iter_rows(values_only=True)}
    assert summary["payable_fen"] == payable
    stations = list(book["stations"].iter_rows(values_only=True))
    assert stations[-1][0] == "TOTAL" and stations[-1][6] == payable


def test_a_bad_period_is_a_clear_400(client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.BUREAU)
    response = client.get("/bureau/?period=2026-13")
    assert response.status_code == 400
    assert "quarter (2026-Q4)" in response.get_data(as_text=True)


def test_the_bureau_reads_but_does_not_change(client, login_as, make, db) -> None:  # type: ignore[no-untyped-def]
    elder = make.elder()
    db.session.commit()
    login_as(Role.BUREAU)
    assert client.get("/subsidy/policies/new").status_code == 403
    assert (
        client.post(f"/assessments/elders/{elder.id}/flag", data={"note": "x"}).status_code == 403
    )
