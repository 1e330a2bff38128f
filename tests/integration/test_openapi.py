"""The OpenAPI document and the app agree: every /api/v1 route is documented and every
documented operation exists; the schemas are valid and the contract checker bites."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator, ValidationError
from werkzeug.test import TestResponse

from carehub.mobile import openapi
from tests.phone import check_against_schema, check_response, phone_time


def _routes(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((method.lower(), path))
    return found


def _documented() -> set[tuple[str, str]]:
    return {(method, path) for path, item in openapi.document()["paths"].items() for method in item}


def test_every_api_route_is_documented_and_every_documented_one_exists(app) -> None:
    routes = _routes(app)
    assert routes, "no /api/v1 routes found"
    assert routes - _documented() == set(), "routes missing from the OpenAPI document"
    assert _documented() - routes == set(), "documented operations with no route"


def test_the_document_is_served(client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == openapi.document()
    assert response.get_json()["openapi"].startswith("3.1")


def test_every_schema_is_valid_json_schema() -> None:
    for schema in openapi.document()["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_every_operation_documents_its_errors_and_path_parameters() -> None:
    for path, item in openapi.document()["paths"].items():
        names = set(re.findall(r"\{([^}]+)\}", path))
        for method, operation in item.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, f"{method} {path}"
            if operation.get("security") != []:
                assert "401" in operation["responses"], f"{method} {path}"


@pytest.mark.parametrize(
    "body",
    [
        {
            "type": "check_in",
            "idempotency_key": "k-000001",
            "recorded_at": phone_time(9),
            "lat": 39.1,
            "lon": 117.2,
            "accuracy_m": 5,
        },
        {
            "type": "outcome",
            "idempotency_key": "k-000002",
            "recorded_at": phone_time(9),
            "outcome": "refused",
            "checklist": [],
        },
        {
            "type": "note",
            "idempotency_key": "k-000003",
            "recorded_at": phone_time(9),
            "text": "门锁着",
        },
    ],
)
def test_the_request_schema_accepts_what_the_phone_sends(body) -> None:
    check_against_schema({"$ref": "#/components/schemas/EventRequest"}, body)


def test_the_request_schema_refuses_a_stray_field() -> None:
    with pytest.raises(ValidationError):
        check_against_schema(
            {"$ref": "#/components/schemas/EventRequest"},
            {"type": "note", "idempotency_key": "k-000004", "recorded_at": phone_time(9), "x": 1},
        )


def _json_response(status: int, body: object) -> TestResponse:
    import json

    return TestResponse(
        [json.dumps(body).encode()],
        f"{status} X",
        [("Content-Type", "application/json")],
        None,  # type: ignore[arg-type]
    )


def test_the_contract_check_catches_undocumented_statuses_and_wrong_shapes() -> None:
    with pytest.raises(AssertionError, match="not documented"):
        check_response("GET", "/api/v1/me", _json_response(418, {}))
    with pytest.raises(ValidationError):
        check_response(
            "GET", "/api/v1/me/emergencies", _json_response(200, {"offers": [{"id": "1"}]})
        )
    with pytest.raises(AssertionError, match="not in the OpenAPI document"):
        check_response("GET", "/api/v1/nowhere", _json_response(200, {}))
    check_response("GET", "/api/v1/me/emergencies", _json_response(200, {"offers": []}))
