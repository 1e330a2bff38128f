"""Fifty phones' worth of retries of one event, all at once, leave exactly one record.

Each thread sends through its own client, so each request gets its own app context,
database session and connection, as under a threaded server; this runs on SQLite and, with
CAREHUB_TEST_DATABASE_URL set, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from carehub.core.audit import AuditLog
from carehub.core.enums import VisitStatus
from carehub.fieldwork.models import VisitEvent
from tests.builders import CENTRE
from tests.phone import make_phone, phone_time, published_visit

POSTS = 50


def test_fifty_concurrent_posts_of_one_event_leave_one_record(app, make, db) -> None:
    phone = make_phone(app, make)
    visit = published_visit(make, phone)
    body = {
        "type": "check_in",
        "idempotency_key": "one-key-for-all",
        "recorded_at": phone_time(11, 3),
        "lat": CENTRE[0] + 0.002,
        "lon": CENTRE[1] + 0.002,
        "accuracy_m": 15.5,
    }
    url = f"/api/v1/visits/{visit.id}/events"
    start = threading.Barrier(POSTS)

    def post(_n: int) -> tuple[int, object]:
        client = app.test_client()
        start.wait()
        response = client.post(url, json=body, headers=phone.headers)
        return response.status_code, response.get_json()

    with ThreadPoolExecutor(max_workers=POSTS) as pool:
        answers = list(pool.map(post, range(POSTS)))

    assert {status for status, _body in answers} == {201}
    first = answers[0][1]
    assert all(body_ == first for _status, body_ in answers)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(VisitEvent)) == 1
    assert visit.status == VisitStatus.CHECKED_IN
    assert visit.version == 2  # updated once
    visit_changes = db.session.scalar(
        select(func.count())
        .select_from(AuditLog)
        .where(AuditLog.entity_type == "Visit", AuditLog.action == "update")
    )
    assert visit_changes == 1
    assert visit.check_in_at == dt.datetime(2026, 11, 23, 3, 3, tzinfo=dt.UTC)
