"""Late and missed visits raise one alert each, dispatchers see their station's and acknowledge."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from carehub.alerts.models import Alert
from carehub.core.enums import AlertKind, Role, RunOutcome, VisitStatus
from carehub.jobs import runner
from carehub.jobs.models import JobRun

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2026, 11, 23)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, 23, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def clock(app):
    state = {"now": at(8)}
    app.config.update(CLOCK=lambda: state["now"], LATE_GRACE_MIN=15, MISSED_GRACE_MIN=60)
    return state


def _visit(make, station=None, **kw):
    request = make.request(
        elder=make.elder(station=station) if station else make.elder(),
        service_date=DAY,
        window_start=dt.time(11, 0),
        window_end=dt.time(12, 0),
    )
    return make.visit(request=request, status=kw.pop("status", VisitStatus.PUBLISHED), **kw)


def _watch(app, clock, hour: int, minute: int = 0) -> str:
    clock["now"] = at(hour, minute)
    scheduled = clock["now"].astimezone(dt.UTC)
    run_id = runner.execute(app, "watch-visits", scheduled)
    with app.app_context():
        from carehub.extensions import db

        run = db.session.get(JobRun, run_id)
        assert run.outcome == RunOutcome.SUCCEEDED, run.error
        return run.summary


def _alerts(db) -> list[tuple[AlertKind, int]]:
    db.session.expire_all()
    return [(a.kind, a.visit_id) for a in db.session.scalars(select(Alert).order_by(Alert.id))]


def test_late_then_missed_each_raised_once(app, db, make, clock) -> None:
    visit = _visit(make)
    db.session.commit()

    assert _watch(app, clock, 11, 14) == "late 0, missed 0"
    assert _watch(app, clock, 11, 15) == "late 1, missed 0"
    assert _watch(app, clock, 11, 16) == "late 0, missed 0"
    assert _alerts(db) == [(AlertKind.LATE_VISIT, visit.id)]
    assert _watch(app, clock, 13, 0) == "late 0, missed 1"
    assert _watch(app, clock, 13, 1) == "late 0, missed 0"
    assert _alerts(db) == [(AlertKind.LATE_VISIT, visit.id), (AlertKind.MISSED_VISIT, visit.id)]


def test_checked_in_and_cancelled_visits_raise_nothing(app, db, make, clock) -> None:
    _visit(make, status=VisitStatus.CHECKED_IN, check_in_at=at(11, 5))
    _visit(make, status=VisitStatus.CANCELLED)
    _visit(make, status=VisitStatus.COMPLETED, check_in_at=at(11), check_out_at=at(11, 40))
    db.session.commit()
    _watch(app, clock, 14)
    assert _alerts(db) == []


def test_a_late_evening_visit_is_reported_missed_after_midnight(app, db, make, clock) -> None:
    request = make.request(
        service_date=DAY, window_start=dt.time(22, 0), window_end=dt.time(23, 30)
    )
    visit = make.visit(request=request, status=VisitStatus.PUBLISHED)
    db.session.commit()
    clock["now"] = dt.datetime(2026, 11, 24, 0, 45, tzinfo=SHANGHAI)
    runner.execute(app, "watch-visits", clock["now"])
    assert _alerts(db) == [(AlertKind.MISSED_VISIT, visit.id)]


def test_dispatchers_see_their_stations_alerts_and_acknowledge_them(
    app, db, make, clock, client, login_as
) -> None:
    mine, other = make.station(), make.station()
    my_visit = _visit(make, station=mine)
    _visit(make, station=other)
    db.session.commit()
    _watch(app, clock, 11, 30)
    [alert] = [a for a in db.session.scalars(select(Alert)) if a.visit_id == my_visit.id]
    others = [a for a in db.session.scalars(select(Alert)) if a.visit_id != my_visit.id]

    client.get("/lang/en")
    login_as(Role.DISPATCHER, station=mine)
    page = client.get("/alerts").get_data(as_text=True)
    assert my_visit.request.elder.name in page and "Late visit" in page
    assert others[0].elder.name not in page
    assert "1</strong> Open alerts" in client.get("/").get_data(as_text=True)

    assert client.post(f"/alerts/{others[0].id}/acknowledge").status_code == 404
    response = client.post(f"/alerts/{alert.id}/acknowledge")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Alert, alert.id).acknowledged
    assert not db.session.get(Alert, others[0].id).acknowledged
    assert my_visit.request.elder.name not in client.get("/alerts").get_data(as_text=True)
    assert my_visit.request.elder.name in client.get("/alerts?show=all").get_data(as_text=True)
