"""The visit page: move form, preview, save, conflicts, bad input, pins, the day timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from flask.testing import FlaskClient

from carehub.core.enums import Role
from carehub.dispatch.models import Visit
from tests.integration.moves_support import DAY, at, district

NOW = dt.datetime(2026, 11, 22, 0, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def english(app, client: FlaskClient) -> None:
    app.config["CLOCK"] = lambda: NOW
    client.get("/lang/en")


def _move_url(d, visit, caregiver, start="11:00", version=None) -> str:
    version = visit.version if version is None else version
    return f"/dispatch/visits/{visit.id}/move?caregiver_id={caregiver.id}&start={start}&version={version}"


def test_visit_page_shows_details_form_and_history(client, login_as, make, db) -> None:
    d = district(make)
    login_as(Role.DISPATCHER, station=d.home)
    page = client.get(f"/dispatch/visits/{d.v1.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert d.v1.request.elder.name in text and "09:00–09:15" in text
    assert 'name="version" value="1"' in text and d.b.name in text
    assert d.far.name not in text  # another station's caregiver is not offered
    assert 'id="history"' in text and "Added" in text


def test_preview_then_save_moves_the_visit(client, login_as, make, db) -> None:
    d = district(make)
    login_as(Role.DISPATCHER, station=d.home)
    page = client.get(_move_url(d, d.v2, d.b))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="no-findings"' in text and "11:00" in text
    # Still unchanged after the preview.
    assert db.session.get(Visit, d.v2.id).caregiver_id == d.a.id
    fingerprint = text.split('name="fingerprint" value="')[1].split('"')[0]
    saved = client.post(
        f"/dispatch/visits/{d.v2.id}/move",
        data={"caregiver_id": d.b.id, "start": "11:00", "version": 1, "fingerprint": fingerprint},
    )
    assert saved.status_code == 302
    db.session.expire_all()
    v2 = db.session.get(Visit, d.v2.id)
    assert (v2.caregiver_id, v2.planned_start, v2.pinned, v2.version) == (d.b.id, at(11), True, 2)
    history = client.get(f"/dispatch/visits/{d.v2.id}").get_data(as_text=True)
    assert "Moved by a dispatcher" in history and d.b.name in history


def test_preview_lists_violations_and_save_needs_an_override(client, login_as, make, db) -> None:
    d = district(make)
    login_as(Role.ADMIN)
    page = client.get(_move_url(d, d.v2, d.c, "14:00"))
    text = page.get_data(as_text=True)
    assert 'data-kind="window"' in text and 'data-kind="skill"' in text
    assert 'name="reason"' in text
    refused = client.post(
        f"/dispatch/visits/{d.v2.id}/move",
        data={"caregiver_id": d.c.id, "start": "14:00", "version": 1},
    )
    assert refused.status_code == 422
    db.session.expire_all()
    assert db.session.get(Visit, d.v2.id).caregiver_id == d.a.id
    forced = client.post(
        f"/dispatch/visits/{d.v2.id}/move",
        data={"caregiver_id": d.c.id, "start": "14:00", "version": 1, "reason": "临时顶班，已培训"},
    )
    assert forced.status_code == 302


def test_a_stale_form_gets_409_with_current_state_and_the_change_kept(
    client, login_as, make, db
) -> None:
    d = district(make)
    login_as(Role.DISPATCHER, station=d.home)
    # Another dispatcher moved it first.
    first = client.post(
        f"/dispatch/visits/{d.v1.id}/move",
        data={"caregiver_id": d.b.id, "start": "11:00", "version": 1},
    )
    assert first.status_code == 302
    late = client.post(
        f"/dispatch/visits/{d.v1.id}/move",
        data={"caregiver_id": d.c.id, "start": "12:05", "version": 1, "reason": "家属要求"},
    )
    text = late.get_data(as_text=True)
    assert late.status_code == 409 and 'id="conflict"' in text
    assert "11:00–11:15" in text and d.b.name in text  # the current state
    assert 'value="12:05"' in text and "家属要求</textarea>" in text  # the change, still there
    assert f'<option value="{d.c.id}" selected' in text
    assert 'name="version" value="2"' in text
    db.session.expire_all()
    v1 = db.session.get(Visit, d.v1.id)
    assert (v1.caregiver_id, v1.version) == (d.b.id, 2)


def test_a_stale_drag_preview_is_a_conflict_too(client, login_as, make, db) -> None:
    d = district(make)
    login_as(Role.ADMIN)
    page = client.get(_move_url(d, d.v1, d.b, version=7))
    assert page.status_code == 409


@pytest.mark.parametrize(
    "field, query",
    [
        ("start", "caregiver_id={b}&start=25:99&version=1"),
        ("start", "caregiver_id={b}&start=noon&version=1"),
        ("caregiver_id", "caregiver_id=999999&start=10:00&version=1"),
        ("caregiver_id", "caregiver_id=abc&start=10:00&version=1"),
        ("caregiver_id", "caregiver_id={far}&start=10:00&version=1"),
        ("version", "caregiver_id={b}&start=10:00&version="),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, login_as, make, db, field, query) -> None:
    d = district(make)
    login_as(Role.DISPATCHER, station=d.home)
    url = f"/dispatch/visits/{d.v1.id}/move?" + query.format(b=d.b.id, far=d.far.id)
    page = client.get(url)
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert 'class="error field-error"' in text
    assert f'form-row has-error">\n      <label for="{field}"' in text or field == "version"
    posted = client.post(
        f"/dispatch/visits/{d.v1.id}/move",
        data=dict(part.split("=", 1) for part in query.format(b=d.b.id, far=d.far.id).split("&")),
    )
    assert posted.status_code == 400
    db.session.expire_all()
    assert db.session.get(Visit, d.v1.id).version == 1


def test_another_stations_visit_is_not_found_for_a_scoped_dispatcher(
    client, login_as, make, db
) -> None:
    d = district(make)
    login_as(Role.DISPATCHER, station=d.other)
    assert client.get(f"/dispatch/visits/{d.v1.id}").status_code == 404
    assert client.get(_move_url(d, d.v1, d.far)).status_code == 404
    assert (
        client.post(
            f"/dispatch/visits/{d.v1.id}/pin", data={"version": 1, "pinned": "1"}
        ).status_code
        == 404
    )


def test_pin_and_unpin_buttons(client, login_as, make, db) -> None:
    d = district(make)
    login_as(Role.DISPATCHER, station=d.home)
    assert (
        client.post(
            f"/dispatch/visits/{d.v1.id}/pin", data={"version": 1, "pinned": "1"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Visit, d.v1.id).pinned
    stale = client.post(f"/dispatch/visits/{d.v1.id}/pin", data={"version": 1, "pinned": "0"})
    assert stale.status_code == 409
    assert (
        client.post(
            f"/dispatch/visits/{d.v1.id}/pin", data={"version": 2, "pinned": "0"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert not db.session.get(Visit, d.v1.id).pinned


def test_a_checked_in_visit_shows_no_move_form_and_refuses(client, login_as, make, db) -> None:
    from carehub.core.enums import VisitStatus

    d = district(make)
    d.v1.status = VisitStatus.CHECKED_IN
    db.session.commit()
    login_as(Role.ADMIN)
    assert 'id="move-form"' not in client.get(f"/dispatch/visits/{d.v1.id}").get_data(as_text=True)
    refused = client.post(
        f"/dispatch/visits/{d.v1.id}/move",
        data={"caregiver_id": d.b.id, "start": "11:00", "version": 2},
    )
    assert refused.status_code == 400 and "can no longer be changed" in refused.get_data(
        as_text=True
    )


def test_day_timeline_follows_the_markup_contract(client, login_as, make, db) -> None:
    d = district(make)
    login_as(Role.DISPATCHER, station=d.home)
    page = client.get(f"/dispatch/day?date={DAY.isoformat()}&station=HOME")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert (
        f'class="tl-row" data-caregiver-id="{d.a.id}" data-day-start-minutes="420" data-px-per-minute="1.5"'
        in text
    )
    assert f'draggable="true" data-visit-id="{d.v1.id}" data-version="1"' in text
    # 09:00 is 120 minutes after the 07:00 edge: 180 px.
    assert "left: 180.0px" in text
    assert "timeline_drag.js" in text and f'href="/dispatch/visits/{d.v1.id}"' in text
    assert client.get("/dispatch/day?date=2026-13-01").status_code == 400


def test_a_scoped_dispatcher_sees_only_their_stations_day(client, login_as, make, db) -> None:
    d = district(make)
    login_as(Role.DISPATCHER, station=d.home)
    text = client.get(f"/dispatch/day?date={DAY.isoformat()}&station=NEXT").get_data(as_text=True)
    assert f'data-caregiver-id="{d.a.id}"' in text
    assert f'data-caregiver-id="{d.far.id}"' not in text and d.other.name not in text


def _lent_out(make, d, hour: int = 14):
    """Caregiver A lent to an elder of the next station at ``hour``."""
    from carehub.core.enums import VisitStatus

    request = make.request(
        elder=make.elder(station=d.other),
        service_type=d.v1.request.service_type,
        service_date=DAY,
        window_start=dt.time(hour),
        window_end=dt.time(hour, 30),
    )
    return make.visit(
        request=request,
        caregiver=d.a,
        planned_start=at(hour),
        planned_end=at(hour, 15),
        status=VisitStatus.PUBLISHED,
        lent=True,
    )


def test_the_day_timeline_shows_a_caregivers_visit_lent_elsewhere(
    client, login_as, make, db
) -> None:
    d = district(make)
    away = _lent_out(make, d)
    db.session.commit()
    login_as(Role.DISPATCHER, station=d.home)
    text = client.get(f"/dispatch/day?date={DAY.isoformat()}&station=HOME").get_data(as_text=True)
    assert f'class="tl-visit tl-away" data-visit-id="{away.id}"' in text


def test_the_move_preview_sees_a_visit_the_caregiver_was_lent_for(make, db) -> None:
    from carehub.dispatch.moves import services as moves

    d = district(make)
    _lent_out(make, d)
    d.v3.request.window_start, d.v3.request.window_end = dt.time(8, 30), dt.time(15)
    db.session.commit()
    preview = moves.preview_move(db.session, d.v3.id, d.a.id, dt.time(14), d.v3.version)
    assert preview.hard, "moving onto A's lent 14:00 visit must be a finding"


def test_a_time_only_move_is_logged_as_a_time_change(client, login_as, make, db) -> None:
    from carehub.dispatch.moves import services as moves

    d = district(make)
    moves.apply_move(db.session, d.v1.id, d.a.id, dt.time(11, 30), d.v1.version, confirmed=True)
    db.session.commit()
    login_as(Role.DISPATCHER, station=d.home)
    text = client.get(f"/dispatch/visits/{d.v1.id}").get_data(as_text=True)
    assert f"{d.a.name} → {d.a.name}" not in text
    assert "→" in text  # the time change is listed


def test_a_drop_onto_a_published_visit_says_it_overlaps(client, login_as, make, db) -> None:
    from carehub.core.enums import VisitStatus

    d = district(make)
    d.v1.status = VisitStatus.PUBLISHED  # keeps its 09:00 whatever moves in
    db.session.commit()
    login_as(Role.DISPATCHER, station=d.home)
    text = client.get(_move_url(d, d.v3, d.a, start="09:05")).get_data(as_text=True)
    assert "would overlap" in text and d.v1.request.elder.name in text
    assert "cannot get to" not in text


def test_the_day_timeline_shows_a_meal_rounds_collection_at_its_kitchen(
    client, login_as, make, db
) -> None:
    from tests.integration.meals_support import published_round

    r = published_round(make, db.session, DAY, code="HPM", name="和平食堂站")
    login_as(Role.ADMIN)
    client.get("/lang/en")
    text = client.get(f"/dispatch/day?date={DAY.isoformat()}&station=HPM").get_data(as_text=True)
    found = r.requests[0].visits[0].meal_round
    assert found is not None
    assert f'class="tl-collect" data-round-id="{found.id}"' in text
    assert "Meals to collect at 和平食堂站: 2" in text


def test_the_day_timeline_draws_no_collection_without_meals(client, login_as, make, db) -> None:
    district(make)
    login_as(Role.ADMIN)
    text = client.get(f"/dispatch/day?date={DAY.isoformat()}&station=HOME").get_data(as_text=True)
    assert "tl-visit" in text and "tl-collect" not in text
