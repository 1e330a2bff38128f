"""Who is proposed for an emergency: skill, shift, travel from where they are, disruption."""

from __future__ import annotations

import datetime as dt

import pytest

from carehub.core.enums import RequestStatus, VisitStatus
from carehub.emergency import positions, services
from tests.integration.emergency_support import ELDER_AT, NOW, emergency, medic, near


@pytest.fixture(autouse=True)
def clock(app) -> None:
    app.config["CLOCK"] = lambda: NOW


def _codes(make, request) -> list[str]:
    return [p.caregiver.code for p in services.propose(make.session, request, NOW)]


def test_the_emergency_is_a_priority_one_request_for_today(make) -> None:
    request = emergency(make)
    assert request.service_type.code == "emergency"
    assert request.service_type.skill.code == "first_aid"
    assert request.priority == 1 and request.status == RequestStatus.OPEN
    assert request.service_date == dt.date(2026, 11, 23)
    assert (request.window_start, request.window_end) == (dt.time(10, 0), dt.time(10, 15))
    assert request.created_at == NOW


def test_only_skilled_active_caregivers_on_shift_now_are_proposed(make) -> None:
    good = medic(make, 2000)
    make.caregiver(skills=("meal",), **near(100))  # no first aid
    medic(make, 100, active=False)
    medic(make, 100, shift_start=dt.time(12, 0), shift_end=dt.time(18, 0))  # not yet
    medic(make, 100, weekdays_mask=0b1100000)  # weekends only
    assert _codes(make, emergency(make)) == [good.code]


def test_nearest_first_with_two_alternatives_and_their_etas(make) -> None:
    far, near_, mid, farthest = (medic(make, m) for m in (3000, 300, 1500, 5000))
    request = emergency(make)
    found = services.propose(make.session, request, NOW)
    assert [p.caregiver.code for p in found] == [near_.code, mid.code, far.code]
    etas = [p.eta_minutes(NOW) for p in found]
    assert etas == sorted(etas) and etas[0] <= 2 and etas[2] >= 10
    assert all(p.source == positions.HOME and p.visits_moved == 0 for p in found)
    assert farthest.code not in [p.caregiver.code for p in found]


def _published(make, caregiver, hour: int, minute: int = 0, **kw):
    start = dt.datetime(2026, 11, 23, hour - 8, minute, tzinfo=dt.UTC)
    return make.visit(
        caregiver=caregiver,
        status=kw.pop("status", VisitStatus.PUBLISHED),
        planned_start=start,
        planned_end=start + dt.timedelta(minutes=30),
        request=make.request(
            elder=make.elder(lat=ELDER_AT[0] + 0.01, lon=ELDER_AT[1]),
            service_date=dt.date(2026, 11, 23),
        ),
        **kw,
    )


def test_least_disruption_breaks_a_near_tie(make) -> None:
    busy, free = medic(make, 500), medic(make, 700)
    for hour in (10, 11, 12):
        _published(make, busy, hour, 20)
    request = emergency(make)
    best, other = services.propose(make.session, request, NOW)[:2]
    assert best.caregiver.code == free.code and best.visits_moved == 0
    assert other.caregiver.code == busy.code
    assert other.visits_moved >= 1 and other.minutes_moved > 0


def test_travel_counts_from_the_visit_under_way(make) -> None:
    # Home next door, but checked in 1.1 km away with twenty minutes of service to go.
    at_work = medic(make, 10)
    _published(
        make,
        at_work,
        9,
        50,
        status=VisitStatus.CHECKED_IN,
        check_in_at=NOW - dt.timedelta(minutes=10),
    )
    other = medic(make, 1500)
    found = services.propose(make.session, emergency(make), NOW)
    assert [p.caregiver.code for p in found] == [other.code, at_work.code]
    assert found[1].source == positions.AT_VISIT and found[1].wait_minutes == 20


def test_caregivers_already_asked_are_not_proposed_again(make) -> None:
    first, second = medic(make, 100), medic(make, 900)
    request = emergency(make)
    services.assign(make.session, request, first.code, NOW)
    assert _codes(make, request) == [second.code]
