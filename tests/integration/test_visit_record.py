"""The office sees what the phone records: notes, checklist, outcome and every event with the
time the phone recorded it and the time the server received it, in Shanghai time."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from carehub.core.enums import Role
from carehub.fieldwork.models import ChecklistItem
from tests.phone import Phone, make_phone, phone_time, published_visit

# 11:30 in Shanghai on Monday 23 November 2026; the phone recorded at 11:05 and 11:20.
NOW = dt.datetime(2026, 11, 23, 3, 30, tzinfo=dt.UTC)


@pytest.fixture
def phone(app, make) -> Phone:  # type: ignore[no-untyped-def]
    app.config["CLOCK"] = lambda: NOW
    return make_phone(app, make, display_name="王芳")


def _recorded_visit(phone: Phone, make):  # type: ignore[no-untyped-def]
    visit = published_visit(make, phone)
    assert phone.event(visit, "check_in", recorded_at=phone_time(11, 5)).status_code == 201
    phone.event(visit, "note", text="老人说膝盖疼", recorded_at=phone_time(11, 10))
    phone.event(
        visit,
        "outcome",
        outcome="done",
        checklist=["meal_handed", "diet_checked"],
        recorded_at=phone_time(11, 20),
    )
    return visit


def _section(page: str) -> str:
    start = page.index('id="phone-record"')
    return page[start : page.index("</section>", start)]


def test_the_dispatchers_visit_page_shows_the_phone_record(
    phone: Phone, make, client, login_as
) -> None:  # type: ignore[no-untyped-def]
    visit = _recorded_visit(phone, make)
    login_as(Role.DISPATCHER)
    record = _section(client.get(f"/dispatch/visits/{visit.id}").get_data(as_text=True))
    assert "老人说膝盖疼" in record
    assert '<li class="ticked" data-code="meal_handed">' in record
    assert '<li class="ticked" data-code="diet_checked">' in record
    assert '<li class="unticked" data-code="meal_warm">' in record
    # Recorded by the phone at 11:20, received by the server at 11:30, both Shanghai time.
    assert "2026-11-23 11:20:00" in record and "2026-11-23 11:30:00" in record
    assert record.count('data-event="') == 3
    assert "王芳" in record


def test_the_auditors_visit_page_shows_the_phone_record(
    phone: Phone, make, client, login_as
) -> None:  # type: ignore[no-untyped-def]
    visit = _recorded_visit(phone, make)
    login_as(Role.AUDITOR)
    record = _section(client.get(f"/subsidy/visits/{visit.id}").get_data(as_text=True))
    assert "老人说膝盖疼" in record
    assert '<li class="ticked" data-code="meal_handed">' in record
    assert "2026-11-23 11:05:00" in record


def test_a_visit_the_phone_has_not_touched_shows_nothing_ticked(
    phone: Phone, make, client, login_as
) -> None:  # type: ignore[no-untyped-def]
    visit = published_visit(make, phone)
    login_as(Role.DISPATCHER)
    record = _section(client.get(f"/dispatch/visits/{visit.id}").get_data(as_text=True))
    assert 'class="ticked"' not in record
    assert record.count('class="unticked"') == 3
    assert 'data-event="' not in record


def test_an_item_removed_after_it_was_ticked_still_shows(
    phone: Phone, make, db, client, login_as
) -> None:  # type: ignore[no-untyped-def]
    visit = _recorded_visit(phone, make)
    db.session.delete(
        db.session.scalar(select(ChecklistItem).where(ChecklistItem.code == "diet_checked"))
    )
    db.session.commit()
    login_as(Role.DISPATCHER)
    record = _section(client.get(f"/dispatch/visits/{visit.id}").get_data(as_text=True))
    assert '<li class="ticked" data-code="diet_checked">' in record


def test_the_outcome_is_shown_in_words(phone: Phone, make, client, login_as) -> None:  # type: ignore[no-untyped-def]
    visit = published_visit(make, phone)
    phone.event(visit, "check_in", recorded_at=phone_time(11, 5))
    phone.event(visit, "outcome", outcome="not_home", recorded_at=phone_time(11, 6))
    login_as(Role.DISPATCHER)
    record = _section(client.get(f"/dispatch/visits/{visit.id}").get_data(as_text=True))
    outcome = record.split('id="record-outcome"')[1].split("</dd>")[0]
    assert "老人不在家" in outcome and "not_home" not in outcome


def test_the_board_links_each_visit_to_its_page(phone: Phone, make, client, login_as) -> None:  # type: ignore[no-untyped-def]
    visit = published_visit(make, phone)
    login_as(Role.DISPATCHER)
    station = visit.request.elder.station_id
    page = client.get(f"/dispatch/board?day=2026-11-23&station_id={station}").get_data(as_text=True)
    assert f'href="/dispatch/visits/{visit.id}"' in page
