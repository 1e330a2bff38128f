"""Alerts close themselves when their cause does; a visit published after its window raises none."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from carehub.alerts import services as alerts
from carehub.alerts.models import Alert
from carehub.core.enums import AlertKind, RequestStatus, VisitStatus
from tests.phone import make_phone, published_visit

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2026, 11, 23)
LATE, MISSED = dt.timedelta(minutes=15), dt.timedelta(minutes=60)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, 23, hour, minute, tzinfo=SHANGHAI).astimezone(dt.UTC)


def _visit(make, **kw):
    request = make.request(
        service_date=DAY,
        window_start=dt.time(9),
        window_end=dt.time(10),
        status=RequestStatus.SCHEDULED,
    )
    return make.visit(request=request, status=kw.pop("status", VisitStatus.PUBLISHED), **kw)


def _open(db) -> list[tuple[AlertKind, int | None]]:
    db.session.expire_all()
    return [
        (a.kind, a.visit_id)
        for a in db.session.scalars(select(Alert).where(Alert.acknowledged_at.is_(None)))
    ]


def test_a_late_alert_closes_at_the_check_in(app, db, make) -> None:
    app.config["CLOCK"] = lambda: at(11, 30)
    phone = make_phone(app, make)
    visit = published_visit(make, phone)
    visit.request.service_date = DAY
    visit.request.window_start, visit.request.window_end = dt.time(9), dt.time(11)
    db.session.commit()
    alerts.raise_visit_alerts(db.session, at(11, 30), LATE, MISSED)
    db.session.commit()
    assert _open(db) == [(AlertKind.LATE_VISIT, visit.id)]
    assert phone.event(visit).status_code == 201
    assert _open(db) == []
    closed = db.session.scalars(select(Alert)).all()
    assert all(a.acknowledged_at and a.acknowledged_by_id is None for a in closed)


def test_the_watch_closes_alerts_of_visits_done_or_cancelled_meanwhile(app, db, make) -> None:
    done, cancelled, waiting = _visit(make), _visit(make), _visit(make)
    db.session.commit()
    alerts.raise_visit_alerts(db.session, at(9, 20), LATE, MISSED)
    db.session.commit()
    assert len(_open(db)) == 3
    done.status, done.check_in_at = VisitStatus.CHECKED_IN, at(9, 25)
    cancelled.status = VisitStatus.CANCELLED
    db.session.commit()
    counts = alerts.raise_visit_alerts(db.session, at(9, 30), LATE, MISSED)
    db.session.commit()
    assert counts.resolved == 2 and _open(db) == [(AlertKind.LATE_VISIT, waiting.id)]


def test_a_visit_published_after_its_window_raises_no_alert(app, db, make) -> None:
    # Planned and published at noon (as the demo does): the morning was already over.
    _visit(make, published_at=at(12))
    in_time = _visit(make, published_at=at(8))
    db.session.commit()
    alerts.raise_visit_alerts(db.session, at(12, 5), LATE, MISSED)
    db.session.commit()
    assert _open(db) == [(AlertKind.MISSED_VISIT, in_time.id)]


def test_a_job_succeeding_again_closes_its_failure_alert(app, db) -> None:
    alerts.raise_job_failure(db.session, "watch-visits", "boom", at(9))
    db.session.commit()
    alerts.resolve_job_failures(db.session, "watch-visits", at(9, 1))
    db.session.commit()
    assert _open(db) == []


def test_an_escalated_emergency_alert_closes_when_someone_accepts(app, db, make) -> None:
    from carehub.fieldwork.models import EmergencyOffer
    from carehub.fieldwork.vocab import OfferStatus
    from carehub.mobile import emergencies

    app.config["CLOCK"] = lambda: at(10)
    request = make.request(service_date=DAY, status=RequestStatus.OPEN)
    other = make.request(service_date=DAY, status=RequestStatus.OPEN)
    caregiver = make.caregiver()
    for r in (request, other):
        db.session.add(
            Alert(
                kind=AlertKind.EMERGENCY_ESCALATED,
                message=f"#{r.id} 某老人: 某护理员 expired → -",
                created_at=at(9),
                last_seen_at=at(9),
            )
        )
    offer = EmergencyOffer(
        request=request, caregiver=caregiver, status=OfferStatus.OFFERED, offered_at=at(9)
    )
    db.session.add(offer)
    db.session.commit()
    emergencies.accept(db.session, offer)
    db.session.commit()
    assert _open(db) == [(AlertKind.EMERGENCY_ESCALATED, None)]  # only the other request's
