"""The dispatcher's and auditor's home pages answer "what needs me now": today's counts
with late or missed and unassigned requests first, paginated, and the next planning run;
each month's entitlement, payable amount, flags and lock."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from carehub.alerts.models import Alert
from carehub.core.enums import AlertKind, RequestStatus, Role, VisitStatus
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation import locking
from carehub.subsidy.reconciliation import reconcile as rc
from tests.integration.subsidy_support import NOW, october

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fixed_clock(app: Flask, client: FlaskClient) -> None:
    app.config["CLOCK"] = lambda: NOW
    client.get("/lang/en")


def _row_order(page: str, names: list[str]) -> list[str]:
    table = page[page.index('id="todays-requests"') :]
    return sorted(names, key=table.index)


def test_dispatcher_home_lists_troubles_first_and_counts_them(
    client: FlaskClient, login_as, make, db
) -> None:
    station = make.station()
    carer = make.caregiver(station=station)

    def request(name: str, hour: int, **kw):
        elder = make.elder(station=station, name=name)
        return make.request(
            elder=elder,
            service_date=TODAY,
            window_start=dt.time(hour, 0),
            window_end=dt.time(hour + 1, 0),
            **kw,
        )

    fine = request("准时老人", 8, status=RequestStatus.SCHEDULED)
    make.visit(request=fine, caregiver=carer, status=VisitStatus.PUBLISHED)
    request("无人老人", 10)  # open, nobody assigned
    late = request("迟到老人", 15, status=RequestStatus.SCHEDULED)
    late_visit = make.visit(request=late, caregiver=carer, status=VisitStatus.PUBLISHED)
    missed = request("漏访老人", 16, status=RequestStatus.SCHEDULED)
    make.visit(request=missed, caregiver=carer, status=VisitStatus.MISSED)
    db.session.add(
        Alert(
            kind=AlertKind.LATE_VISIT,
            visit_id=late_visit.id,
            station_id=station.id,
            created_at=NOW,
            last_seen_at=NOW,
        )
    )
    db.session.commit()
    login_as(Role.DISPATCHER, station=station)
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'id="late-missed">2<', page)
    assert re.search(r'id="unassigned">1<', page)
    order = _row_order(page, ["准时老人", "无人老人", "迟到老人", "漏访老人"])
    assert order[:2] == ["迟到老人", "漏访老人"]  # by time within the rank
    assert order[2:] == ["无人老人", "准时老人"]
    assert "Next planning run" in page


def test_an_acknowledged_late_alert_no_longer_puts_a_request_first(
    client: FlaskClient, login_as, make, db
) -> None:
    station = make.station()
    carer = make.caregiver(station=station)
    elder = make.elder(station=station, name="迟到老人")
    late = make.request(elder=elder, service_date=TODAY, status=RequestStatus.SCHEDULED)
    visit = make.visit(request=late, caregiver=carer, status=VisitStatus.PUBLISHED)
    db.session.add(
        Alert(
            kind=AlertKind.LATE_VISIT,
            visit_id=visit.id,
            station_id=station.id,
            created_at=NOW,
            last_seen_at=NOW,
            acknowledged_at=NOW,
        )
    )
    db.session.commit()
    login_as(Role.DISPATCHER, station=station)
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'id="late-missed">0<', page)


def test_dispatcher_home_is_paginated(app: Flask, client: FlaskClient, login_as, make, db) -> None:
    app.config["PAGE_SIZE"] = 5
    station = make.station()
    for n in range(12):
        make.request(elder=make.elder(station=station, name=f"老人甲{n:02d}"), service_date=TODAY)
    db.session.commit()
    login_as(Role.DISPATCHER, station=station)
    first = client.get("/").get_data(as_text=True)
    last = client.get("/?page=3").get_data(as_text=True)
    assert first.count("老人甲") == 5 and "Page 1 of 3 · 12 in total" in first
    assert last.count("老人甲") == 2 and "Page 3 of 3" in last


def test_auditor_home_shows_each_months_figures_and_lock(
    client: FlaskClient, login_as, make, db
) -> None:
    october(make, db)
    locking.lock_month(db.session, Month(2026, 10), None)
    db.session.commit()
    october_totals = rc.reconcile(db.session, Month(2026, 10)).totals()
    november = rc.reconcile(db.session, Month(2026, 11)).totals()
    login_as(Role.AUDITOR)
    page = client.get("/").get_data(as_text=True)
    table = page[page.index('id="audit-months"') :]
    rows = table.split("<tr>")
    nov = next(r for r in rows if "2026-11" in r)
    oct_ = next(r for r in rows if "2026-10" in r)
    assert "In progress" in nov and "Locked" in oct_
    assert f"{october_totals.entitlement_fen / 100:,.2f}" in oct_
    assert f"{october_totals.payable_fen / 100:,.2f}" in oct_
    assert october_totals.payable_fen > 0
    assert f'<td class="num">{october_totals.visits["flagged"]}' in oct_
    assert f"{november.entitlement_fen / 100:,.2f}" in nov


def test_a_month_that_ended_unlocked_says_so(client: FlaskClient, login_as, make, db) -> None:
    october(make, db)
    login_as(Role.AUDITOR)
    page = client.get("/").get_data(as_text=True)
    rows = page[page.index('id="audit-months"') :].split("<tr>")
    assert "Ended, not locked" in next(r for r in rows if "2026-10" in r)
