"""A dispatcher scoped to one station cannot name another station's rows: every route that
takes such an id, read from the URL map, answers 403 or 404, in the web and in the API."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from carehub.core.enums import RequestOrigin, Role
from carehub.dispatch.models import ServiceRequest
from carehub.emergency import services
from carehub.extensions import db
from carehub.fieldwork.models import EmergencyOffer
from tests.integration.test_roles import Rows, _bearer, _is_api, _routes, _url
from tests.integration.test_roles import rows as rows  # noqa: F401  (the fixture)

# URL parameters that name something belonging to one station.
SCOPED_NAMES = {
    "station_id",
    "elder_id",
    "caregiver_id",
    "care_plan_id",
    "plan_id",
    "request_id",
    "emergency_id",
    "visit_id",
    "run_id",
    "proposal_id",
    "station_code",
    "elder_code",
    "caregiver_code",
}
SCOPED_WORDS = ("caregiver", "elder", "station", "plan", "request", "visit")


def _names_a_station_row(rule: Rule) -> bool:
    for name in rule.arguments:
        if name in SCOPED_NAMES:
            return True
        if name in ("id", "code") and any(
            word in rule.endpoint for word in SCOPED_WORDS if "service_type" not in rule.endpoint
        ):
            return True
    return False


def _probed(app: Flask) -> list[tuple[Rule, str]]:
    found = []
    for rule in _routes(app):
        if not _names_a_station_row(rule):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule, method))
    return found


def test_the_probe_covers_the_emergency_routes(app: Flask) -> None:
    probed = {(rule.endpoint, method) for rule, method in _probed(app)}
    assert ("emergency.show", "GET") in probed
    assert ("emergency.assign", "POST") in probed
    assert ("emergency_api.assign", "POST") in probed
    assert ("outcomes.confirm", "POST") in probed
    assert ("outcomes.dismiss", "POST") in probed


def test_a_scoped_dispatcher_gets_403_or_404_for_every_other_station_id(
    app: Flask, client: FlaskClient, login_as, make, rows: Rows
) -> None:
    # The rows belong to rows["station"]; the dispatcher is scoped to a station of their own.
    user = login_as(Role.DISPATCHER, station=make.station())
    headers = _bearer(user)
    wrong: list[str] = []
    for rule, method in _probed(app):
        url = _url(app, rule, rows)
        api = _is_api(rule)
        kwargs: dict[str, Any] = {"headers": headers, "json": {}} if api else {"data": {}}
        response = client.open(url, method=method, **kwargs)
        if response.status_code not in (403, 404):
            wrong.append(f"{method} {url} ({rule.endpoint}): {response.status_code}")
        db.session.rollback()
    assert not wrong, "answered other than 403/404:\n" + "\n".join(wrong)


def test_an_unscoped_dispatcher_still_opens_any_stations_emergency(
    client: FlaskClient, login_as, rows: Rows
) -> None:
    login_as(Role.DISPATCHER)
    assert client.get(f"/dispatch/emergency/{rows['emergency'].id}").status_code == 200


def test_a_scoped_dispatcher_opens_their_own_stations_emergency(
    client: FlaskClient, login_as, rows: Rows
) -> None:
    login_as(Role.DISPATCHER, station=rows["station"])
    assert client.get(f"/dispatch/emergency/{rows['emergency'].id}").status_code == 200


def test_web_assign_to_another_stations_emergency_offers_nothing(
    client: FlaskClient, login_as, make, rows: Rows
) -> None:
    login_as(Role.DISPATCHER, station=make.station())
    emergency = rows["emergency"]
    response = client.post(
        f"/dispatch/emergency/{emergency.id}/assign",
        data={"caregiver_code": rows["caregiver"].code},
    )
    assert response.status_code == 404
    assert db.session.query(EmergencyOffer).count() == 0


def _raise(client: FlaskClient, headers: dict[str, str], elder_code: str) -> Any:
    return client.post("/api/v1/emergencies", json={"elder_code": elder_code}, headers=headers)


def test_api_refuses_an_emergency_for_another_stations_elder(
    client: FlaskClient, make, rows: Rows
) -> None:
    user = make.user(Role.DISPATCHER, station=make.station())
    before = db.session.query(ServiceRequest).count()
    response = _raise(client, _bearer(user), rows["elder"].code)
    assert response.status_code == 403
    assert "其他服务站" in response.get_json()["error"]
    assert db.session.query(ServiceRequest).count() == before


def test_api_accepts_an_emergency_for_the_dispatchers_own_elder(
    client: FlaskClient, make, rows: Rows
) -> None:
    user = make.user(Role.DISPATCHER, station=rows["station"])
    response = _raise(client, _bearer(user), rows["elder"].code)
    assert response.status_code == 201, response.get_json()
    created = db.session.get(ServiceRequest, response.get_json()["id"])
    assert created is not None and created.origin == RequestOrigin.EMERGENCY


def test_service_get_hides_other_stations_emergencies(rows: Rows, make) -> None:
    emergency = rows["emergency"]
    assert services.get(db.session, emergency.id, make.station().id) is None
    assert services.get(db.session, emergency.id, rows["station"].id) is emergency
    assert services.get(db.session, emergency.id, None) is emergency


@pytest.mark.parametrize("scoped", [True, False])
def test_find_elder_applies_the_scope(rows: Rows, make, scoped: bool) -> None:
    scope = make.station().id if scoped else None
    if scoped:
        with pytest.raises(services.OutOfScope):
            services.find_elder(db.session, rows["elder"].code, scope)
    else:
        assert services.find_elder(db.session, rows["elder"].code, scope) is rows["elder"]
