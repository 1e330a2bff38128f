"""The database refuses two published visits of one caregiver that overlap, whatever writes them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from carehub.core.enums import Role, VisitStatus
from carehub.core.errors import is_overlap
from carehub.core.time import local_to_utc
from carehub.dispatch.models import Visit

DAY = dt.date(2026, 11, 23)


def _at(hour: int, minute: int = 0) -> dt.datetime:
    return local_to_utc(DAY, dt.time(hour, minute))


@pytest.fixture
def two(make: Any, db: Any) -> dict[str, Any]:
    cg = make.caregiver()
    first = make.visit(
        caregiver=cg,
        planned_start=_at(9),
        planned_end=_at(10),
        status=VisitStatus.PUBLISHED,
        request=make.request(service_date=DAY),
    )
    db.session.commit()
    return {"cg": cg, "first": first, "make": make}


def _second(two: dict[str, Any], start: dt.datetime, end: dt.datetime, status: str) -> Visit:
    make = two["make"]
    return make.visit(
        caregiver=two["cg"],
        planned_start=start,
        planned_end=end,
        status=status,
        request=make.request(service_date=DAY),
    )


def test_an_overlapping_published_insert_is_refused(two: dict[str, Any], db: Any) -> None:
    # SQLite refuses the row as it is written, PostgreSQL at commit (the check is deferred).
    with pytest.raises(IntegrityError) as caught:
        _second(two, _at(9, 30), _at(10, 30), VisitStatus.PUBLISHED)
        db.session.commit()
    assert is_overlap(caught.value)
    db.session.rollback()


def test_back_to_back_or_unpublished_visits_are_allowed(two: dict[str, Any], db: Any) -> None:
    _second(two, _at(10), _at(11), VisitStatus.PUBLISHED)
    _second(two, _at(9, 30), _at(10, 30), VisitStatus.PLANNED)
    _second(two, _at(9, 30), _at(10, 30), VisitStatus.CANCELLED)
    db.session.commit()
    assert db.session.query(Visit).count() == 4


def test_an_update_into_an_overlap_is_refused(two: dict[str, Any], db: Any) -> None:
    later = _second(two, _at(11), _at(12), VisitStatus.PUBLISHED)
    db.session.commit()
    later.planned_start, later.planned_end = _at(9, 45), _at(10, 45)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    planned = _second(two, _at(9), _at(10), VisitStatus.PLANNED)
    db.session.commit()
    planned.status = VisitStatus.PUBLISHED  # publishing into an overlap is refused too
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_guard_is_a_409_page_not_a_500(
    two: dict[str, Any], db: Any, app: Any, client: Any, login_as: Any
) -> None:
    later = _second(two, _at(11), _at(12), VisitStatus.PUBLISHED)
    db.session.commit()

    # Any path that writes visits: a plain view that commits an overlapping time.
    @app.route("/_test/overlap")
    def overlap():
        row = db.session.get(Visit, later.id)
        row.planned_start, row.planned_end = _at(9), _at(10)
        db.session.commit()
        return "written"

    login_as(Role.DISPATCHER)
    response = client.get("/_test/overlap")
    assert response.status_code == 409
    assert db.session.get(Visit, later.id).planned_start == _at(11)
