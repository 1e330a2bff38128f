"""The Chinese pages never show a raw code: service codes, enum values, audit record types,
fields and actions, UTC timestamps, English job results or alert words.

Values come from data, so a missing label shows only once such data is there: the test
plants one of each and reads every page's visible text (not its markup or form values).
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from carehub.alerts.models import Alert
from carehub.core import audit
from carehub.core.enums import AlertKind, RequestStatus, Role, RunOutcome, VisitStatus
from carehub.core.time import local_to_utc
from carehub.jobs.models import JobRun

DAY = dt.date(2026, 11, 23)
NOW = local_to_utc(DAY, dt.time(10))


class _Text(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("script", "style", "code"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


# Whole words that are codes, never Chinese text.
RAW = [
    "bath_help",
    "meal_delivery",
    "expire",
    "expired",
    "adjust",
    "lock",
    "update",
    "create",
    "Adjustment",
    "EmergencyOffer",
    "MonthLock",
    "SubsidyMonth",
    "Visit",
    "planned_start",
    "caregiver_id",
    "amount_fen",
    "status",
    "published",
    "late",
    "missed",
    "bathing",
]
RAW_PATTERNS = [re.compile(rf"(?<![A-Za-z_]){re.escape(w)}(?![A-Za-z_])") for w in RAW]
UTC_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d|\+00:00")


@pytest.fixture
def planted(app, make, db):
    app.config["CLOCK"] = lambda: NOW
    station = make.station()
    bath = make.service_type("bath_help", name_zh="助浴服务", name_en="bathing")
    caregiver = make.caregiver(station=station)
    elder = make.elder(station=station)
    make.request(
        elder=elder, service_type=bath, service_date=DAY, status=RequestStatus.OPEN
    )  # unassigned on the board
    visit = make.visit(
        request=make.request(elder=elder, service_date=DAY, status=RequestStatus.SCHEDULED),
        caregiver=caregiver,
        planned_start=local_to_utc(DAY, dt.time(11)),
        planned_end=local_to_utc(DAY, dt.time(11, 30)),
        status=VisitStatus.PLANNED,
    )
    db.session.commit()
    visit.status = VisitStatus.PUBLISHED
    visit.planned_start = local_to_utc(DAY, dt.time(11, 15))
    visit.planned_end = local_to_utc(DAY, dt.time(11, 45))
    audit.record(db.session, "expire", "EmergencyOffer", 1, after={"status": "expired"})
    audit.record(
        db.session,
        "adjust",
        "SubsidyMonth",
        after={"month": "2026-11", "source_month": "2026-10", "amount_fen": 800},
    )
    audit.record(db.session, "lock", "MonthLock", 1, after={"month": "2026-10"})
    audit.record(db.session, "adjust", "Adjustment", 1, after={"amount_fen": -800})
    db.session.add(
        Alert(
            kind=AlertKind.EMERGENCY_ESCALATED,
            elder_id=elder.id,
            station_id=station.id,
            message=f"#1 {elder.name} ({elder.code}): {caregiver.name} expired → -",
            created_at=NOW,
            last_seen_at=NOW,
        )
    )
    db.session.add(
        JobRun(
            job_id="watch-visits",
            scheduled_for=NOW,
            started_at=NOW,
            lease_expires_at=NOW,
            finished_at=NOW,
            outcome=RunOutcome.SUCCEEDED,
            summary="late 206, missed 26, resolved 3",
        )
    )
    db.session.commit()
    return {"station": station, "elder": elder}


def test_no_raw_code_shows_on_the_chinese_pages(planted, client, login_as) -> None:
    login_as(Role.ADMIN)
    pages = [
        f"/dispatch/board?day={DAY}&station_id={planted['station'].id}",
        "/admin/audit",
        "/alerts",
        "/admin/jobs",
        f"/dispatch/requests/new?elder_id={planted['elder'].id}",
    ]
    found = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible(response.get_data(as_text=True))
        # The audit log may quote a service's code and English name as the data they are.
        patterns = RAW_PATTERNS[2:-1] if url == "/admin/audit" else RAW_PATTERNS
        found += [f"{url}: {p.pattern}" for p in patterns if p.search(text)]
        found += [f"{url}: {m}" for m in UTC_STAMP.findall(text)]
    assert not found, found


def test_the_check_sees_a_raw_code(planted, client, login_as) -> None:
    """The reader of the text is not blind: English pages show the same words."""
    login_as(Role.ADMIN)
    client.get("/lang/en")
    text = visible(client.get("/admin/jobs").get_data(as_text=True))
    assert any(p.search(text) for p in RAW_PATTERNS)
