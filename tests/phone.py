"""A caregiver's phone in tests: a bearer token and an API client whose every answer is
checked against the OpenAPI document, so each API test is also a contract test."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator, FormatChecker
from werkzeug.test import TestResponse

from carehub.auth import tokens
from carehub.auth.models import User
from carehub.core.enums import Role, VisitStatus
from carehub.dispatch.models import Visit
from carehub.extensions import db
from carehub.mobile import openapi
from tests.builders import CENTRE, Builders

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
_keys = itertools.count(1)


def new_key() -> str:
    return f"key-{next(_keys):06d}"


def phone_time(hour: int, minute: int = 0, day: int = 23) -> str:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).isoformat()


def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}]+\}", r"[^/]+", template) + "$")


def operation_for(path: str, method: str) -> tuple[str, dict[str, Any]]:
    """The documented operation answering this request; fails when there is none."""
    doc = openapi.document()
    for template, item in doc["paths"].items():
        if _template_regex(template).match(path) and method.lower() in item:
            return template, item[method.lower()]
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


def check_against_schema(schema: dict[str, Any], value: Any) -> None:
    root = {"components": openapi.document()["components"], **schema}
    Draft202012Validator(root, format_checker=FormatChecker()).validate(value)


def check_response(method: str, path: str, response: TestResponse) -> None:
    template, operation = operation_for(path, method)
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, (
        f"{method} {template} answered {response.status_code}, which is not documented"
    )
    content = documented.get("content")
    if content is None:
        assert not response.get_data(), f"{method} {template} {response.status_code} has a body"
        return
    assert response.mimetype == "application/json"
    check_against_schema(content["application/json"]["schema"], response.get_json())


@dataclass
class Phone:
    client: FlaskClient
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def call(self, method: str, path: str, **kw: Any) -> TestResponse:
        headers = {**self.headers, **kw.pop("headers", {})}
        response = self.client.open(path, method=method, headers=headers, **kw)
        check_response(method, path.split("?")[0], response)
        return response

    def get(self, path: str, **kw: Any) -> TestResponse:
        return self.call("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> TestResponse:
        return self.call("POST", path, **kw)

    def event(self, visit: Visit | int, type: str = "check_in", **body: Any) -> TestResponse:
        visit_id = visit if isinstance(visit, int) else visit.id
        payload: dict[str, Any] = {
            "type": type,
            "idempotency_key": new_key(),
            "recorded_at": phone_time(11, 5),
        }
        if type in ("check_in", "check_out"):
            payload.update(lat=CENTRE[0] + 0.002, lon=CENTRE[1] + 0.002, accuracy_m=12.0)
        payload.update(body)
        return self.post(f"/api/v1/visits/{visit_id}/events", json=payload)


def make_phone(app: Flask, make: Builders, **user_fields: Any) -> Phone:
    user = make.user(Role.CAREGIVER, **user_fields)
    token, _row = tokens.issue(db.session, user)
    db.session.commit()
    return Phone(app.test_client(), user, token)


def published_visit(make: Builders, phone: Phone, **kw: Any) -> Visit:
    start = dt.datetime(2026, 11, 23, 11, 0, tzinfo=SHANGHAI)
    fields: dict[str, Any] = dict(
        caregiver=phone.user.caregiver,
        status=VisitStatus.PUBLISHED,
        planned_start=start,
        planned_end=start + dt.timedelta(minutes=15),
        route_seq=1,
    )
    fields.update(kw)
    visit = make.visit(**fields)
    db.session.commit()
    return visit
