"""Every /api/v1 operation fuzzed from its OpenAPI document, in-process through WSGI, as a
caregiver and as a dispatcher, with every schemathesis check: no 5xx, every status code,
header and body as documented. Then the stateful phase follows the document's links from
raising an emergency to assigning, accepting or declining it and recording a visit event.

Examples are bounded so the module runs in seconds; real rows are put where the fuzzer
would only ever guess ids and codes (``_aim``), so the later steps are reached too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, settings
from schemathesis import Case, GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth

from carehub.auth import tokens
from carehub.core.enums import Role, VisitStatus
from tests.builders import Builders
from tests.integration.emergency_support import ELDER_AT, NOW, medic

EXAMPLES = 8
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
DISPATCHER_OPERATIONS = {"raiseEmergency", "assignEmergency"}


class World:
    """Rows the fuzzer's requests may name, and a token for each role."""

    def __init__(self, app: Flask, make: Builders) -> None:
        from carehub.extensions import db

        self.elder = make.elder(lat=ELDER_AT[0], lon=ELDER_AT[1])
        self.medic = medic(make, 300)
        carer = make.user(Role.CAREGIVER, caregiver=self.medic)
        dispatcher = make.user(Role.DISPATCHER)
        start = dt.datetime(2026, 11, 23, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        self.visit = make.visit(
            caregiver=self.medic,
            status=VisitStatus.PUBLISHED,
            planned_start=start,
            planned_end=start + dt.timedelta(minutes=30),
        )
        db.session.flush()
        self.headers = {
            Role.CAREGIVER: {"Authorization": f"Bearer {tokens.issue(db.session, carer)[0]}"},
            Role.DISPATCHER: {"Authorization": f"Bearer {tokens.issue(db.session, dispatcher)[0]}"},
        }
        db.session.commit()

    def role_for(self, case: Case) -> Role:
        return (
            Role.DISPATCHER
            if case.operation.definition.raw.get("operationId") in DISPATCHER_OPERATIONS
            else Role.CAREGIVER
        )


@pytest.fixture
def world(app: Flask, make: Builders) -> World:
    app.config["CLOCK"] = lambda: NOW
    return World(app, make)


@pytest.fixture
def api_schema(app: Flask, world: World) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


def _aim(case: Case, world: World, seed: int, always: bool = False) -> None:
    """Every other example names real rows instead of random ids and codes, so the code
    behind the 404 and the 400 is fuzzed as well."""
    negative = case.meta is not None and case.meta.generation.mode == GenerationMode.NEGATIVE
    if not always and (seed % 2 or negative):
        return
    op = case.operation.definition.raw.get("operationId")
    body = case.body if isinstance(case.body, dict) else None
    if op == "raiseEmergency" and body is not None and "elder_code" in body:
        body["elder_code"] = world.elder.code
    if op == "assignEmergency" and body is not None and "caregiver_code" in body:
        body["caregiver_code"] = world.medic.code
    if op == "postVisitEvent" and case.path_parameters:
        case.path_parameters["visit_id"] = world.visit.id


def _fuzz(case: Case, world: World, role: Role, seed: int) -> None:
    _aim(case, world, seed)
    # Every check schemathesis has runs by default.
    case.call_and_validate(headers=world.headers[role])


@schema.parametrize()
@FUZZ
def test_fuzzed_api_as_a_caregiver(case: Case, world: World) -> None:
    _fuzz(case, world, Role.CAREGIVER, seed=len(repr(case.body)))


@schema.parametrize()
@FUZZ
def test_fuzzed_api_as_a_dispatcher(case: Case, world: World) -> None:
    _fuzz(case, world, Role.DISPATCHER, seed=len(repr(case.body)))


def test_the_document_links_the_emergency_flow(app: Flask, world: World) -> None:
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    links = {
        (operation["operationId"], name)
        for item in loaded.raw_schema["paths"].values()
        for operation in item.values()
        for answer in operation["responses"].values()
        for name in answer.get("links", {})
    }
    for op, name in [
        ("raiseEmergency", "Assign"),
        ("assignEmergency", "Accept"),
        ("assignEmergency", "Decline"),
        ("acceptEmergency", "PostEvent"),
    ]:
        assert (op, name) in links


def test_stateful_fuzzing_follows_the_links_without_failures(app: Flask, world: World) -> None:
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    reached: set[str] = set()

    class Machine(loaded.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: Case) -> None:
            # The token goes into the case itself, so the auth checks see what was sent.
            _aim(case, world, seed=0, always=True)
            case.headers = {**(case.headers or {}), **world.headers[world.role_for(case)]}

        def validate_response(self, response: Any, case: Case, **kwargs: Any) -> None:
            if response.status_code < 300:
                reached.add(case.operation.definition.raw["operationId"])
            # The phase swaps real tokens into generated cases, which the auth check would
            # read as a forged token accepted; the stateless tests above run that check.
            case.validate_response(
                response, excluded_checks=[ignored_auth], transport_kwargs=kwargs
            )

    Machine.run(
        settings=settings(
            max_examples=8,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
    # Raised, then assigned through the link: the flow's second step was reached.
    assert {"raiseEmergency", "assignEmergency"} <= reached, reached


def test_ids_beyond_the_database_integers_are_404_not_500(app: Flask, world: World) -> None:
    client = app.test_client()
    huge = 2**64 + 1
    for path, role in [
        (f"/api/v1/emergencies/{huge}/accept", Role.CAREGIVER),
        (f"/api/v1/emergencies/{huge}/decline", Role.CAREGIVER),
        (f"/api/v1/emergencies/{huge}/assign", Role.DISPATCHER),
        (f"/api/v1/visits/{2**31}/events", Role.CAREGIVER),
    ]:
        response = client.post(path, json={}, headers=world.headers[role])
        assert response.status_code == 404, path


@pytest.mark.parametrize(
    ("day", "status"), [("0001-01-01", 400), ("9999-12-31", 400), ("2026-11-23", 200)]
)
def test_visits_of_a_day_outside_the_service_years_are_refused(
    app: Flask, world: World, day: str, status: int
) -> None:
    response = app.test_client().get(
        f"/api/v1/me/visits?date={day}", headers=world.headers[Role.CAREGIVER]
    )
    assert response.status_code == status
    if status == 400:
        assert "date" in response.get_json()["fields"]


@pytest.mark.parametrize(
    ("extra", "valid"),
    [
        ({}, False),
        ({"text": "   "}, False),
        ({"text": "摔倒了"}, True),
        ({"outcome": "done"}, False),
    ],
)
def test_the_document_says_what_a_note_needs(extra: dict[str, str], valid: bool) -> None:
    from carehub.mobile import openapi
    from tests.phone import check_against_schema

    body = {
        "type": "note",
        "idempotency_key": "note-0001",
        "recorded_at": "2026-11-23T11:00:00+08:00",
    }
    schema_ = {"$ref": "#/components/schemas/EventRequest"}
    if valid:
        check_against_schema(schema_, {**body, **extra})
    else:
        with pytest.raises(Exception, match="valid"):
            check_against_schema(schema_, {**body, **extra})
    assert openapi.document()["components"]["schemas"]["EventRequest"]["oneOf"]


def test_trace_is_405_with_an_allow_header(app: Flask) -> None:
    response = app.test_client().open("/api/v1/me", method="TRACE")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
