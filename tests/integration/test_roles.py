"""Who may open what, read from the URL map so routes added later are covered too;
and each role's home page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from carehub.assessment import services as assessments
from carehub.core.enums import CareLevel, ElderStatus, Hardship, RequestOrigin, Role
from carehub.dispatch.planning.models import PlanningRun
from carehub.fieldwork.models import ChecklistItem
from carehub.outcomes.models import StatusProposal
from carehub.registry.models import Kitchen
from carehub.subsidy.models import SubsidyPolicy
from tests.builders import CENTRE

Rows = dict[str, Any]


def _own_task(rows: Rows) -> str:
    """A finished task with a file, started by the user logged in last (tasks are shown to
    whoever started them)."""
    from sqlalchemy import func

    from carehub.auth.models import User
    from carehub.core.time import now
    from carehub.extensions import db
    from carehub.worker.models import BackgroundTask

    user_id = db.session.scalar(func.max(User.id).select())
    task = BackgroundTask(
        id=f"task-{user_id}",
        kind="subsidy_export",
        subject="a.csv",
        user_id=user_id,
        status="done",
        created_at=now(),
        file_name="a.csv",
        file_type="text/csv",
        file_data=b"a",
    )
    db.session.merge(task)
    db.session.commit()
    return task.id


# How to fill a URL parameter, by its name. A route with a parameter not listed here fails
# the test with a message naming it: add the parameter here.
BY_NAME: dict[str, Callable[[Rows], object]] = {
    "task_id": _own_task,
    "station_id": lambda rows: rows["station"].id,
    "elder_id": lambda rows: rows["elder"].id,
    "caregiver_id": lambda rows: rows["caregiver"].id,
    "service_type_id": lambda rows: rows["service_type"].id,
    "skill_id": lambda rows: rows["skill"].id,
    "user_id": lambda rows: rows["user"].id,
    "care_plan_id": lambda rows: rows["care_plan"].id,
    "plan_id": lambda rows: rows["care_plan"].id,
    "request_id": lambda rows: rows["request"].id,
    "emergency_id": lambda rows: rows["emergency"].id,
    "visit_id": lambda rows: rows["visit"].id,
    "policy_id": lambda rows: rows["policy"].id,
    "run_id": lambda rows: rows["planning_run"].id,
    "kitchen_id": lambda rows: rows["kitchen"].id,
    "assessment_id": lambda rows: rows["assessment"].id,
    "proposal_id": lambda rows: rows["proposal"].id,
    "item_id": lambda rows: rows["checklist_item"].id,
    "station_code": lambda rows: rows["station"].code,
    "elder_code": lambda rows: rows["elder"].code,
    "caregiver_code": lambda rows: rows["caregiver"].code,
    "service_type_code": lambda rows: rows["service_type"].code,
    "day": lambda rows: "2026-11-23",
    "date": lambda rows: "2026-11-23",
    "entity": lambda rows: "elders",
    "fmt": lambda rows: "csv",
    "month": lambda rows: "2026-11",
    "scope": lambda rows: "elders",
}

# Bare ``id`` or ``code``: the entity is the first of these words found in the endpoint name.
ENTITY_WORDS = [
    ("service_type", "service_type"),
    ("caregiver", "caregiver"),
    ("elder", "elder"),
    ("station", "station"),
    ("skill", "skill"),
    ("user", "user"),
    ("plan", "care_plan"),
    ("request", "request"),
    ("visit", "visit"),
    ("policy", "policy"),
]

# Endpoints whose parameters mean something else than a row.
BY_ENDPOINT: dict[str, dict[str, object]] = {
    "home.set_language": {"code": "en"},
}


@pytest.fixture
def rows(make, db) -> Rows:
    station = make.station()
    elder = make.elder(station=station)
    caregiver = make.caregiver(station=station)
    service_type = make.service_type()
    care_plan = make.care_plan(elder=elder, service_type=service_type)
    request = make.request(elder=elder, service_type=service_type, care_plan=care_plan)
    visit = make.visit(request=request, caregiver=caregiver)
    found: Rows = {
        "station": station,
        "elder": elder,
        "caregiver": caregiver,
        "service_type": service_type,
        "skill": make.skill("meal"),
        "user": make.user(Role.DISPATCHER),
        "care_plan": care_plan,
        "request": request,
        "visit": visit,
        "policy": db.session.query(SubsidyPolicy).first(),
        "emergency": make.request(
            elder=elder, origin=RequestOrigin.EMERGENCY, service_type=make.service_type("emergency")
        ),
        "planning_run": PlanningRun(
            service_date=request.service_date, stations=[station.code], status="done"
        ),
        "kitchen": Kitchen(code="K1", name="中心厨房", lat=CENTRE[0], lon=CENTRE[1]),
    }
    db.session.add(found["kitchen"])
    db.session.add(found["planning_run"])
    found["assessment"] = assessments.override(
        db.session,
        elder,
        CareLevel.SEVERE,
        request.service_date,
        "paper record",
        assessments.Signature(found["user"].id, "admin"),
        request.service_date,
    )
    found["proposal"] = StatusProposal(
        elder_id=elder.id,
        visit_id=visit.id,
        status=ElderStatus.HOSPITALISED,
        effective_from=request.service_date,
        proposed_at=dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC),
    )
    found["checklist_item"] = ChecklistItem(
        service_type_id=service_type.id, code="probe", label_zh="探针", label_en="Probe"
    )
    db.session.add_all([found["proposal"], found["checklist_item"]])
    db.session.commit()
    return found


def _routes(app: Flask) -> list[Rule]:
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if rule.endpoint != "static" and not rule.endpoint.endswith(".static")
        ),
        key=lambda rule: rule.rule,
    )


def _value(rule: Rule, name: str, rows: Rows) -> object:
    override = BY_ENDPOINT.get(rule.endpoint, {})
    if name in override:
        return override[name]
    if name in BY_NAME:
        return BY_NAME[name](rows)
    if name in ("id", "code"):
        for word, key in ENTITY_WORDS:
            if word in rule.endpoint:
                return getattr(rows[key], name)
    pytest.fail(
        f"Cannot fill <{name}> in {rule.rule} ({rule.endpoint}); "
        f"add it to BY_NAME or BY_ENDPOINT in {__name__}"
    )


def _url(app: Flask, rule: Rule, rows: Rows) -> str:
    values = {name: _value(rule, name, rows) for name in rule.arguments}
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _get_routes(app: Flask) -> list[Rule]:
    return [rule for rule in _routes(app) if "GET" in (rule.methods or ())]


def _is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def _is_api(rule: Rule) -> bool:
    return rule.rule.startswith("/api/")


def _bearer(user: Any) -> dict[str, str]:
    """The JSON API ignores the session cookie; it is called with a token for the same user."""
    from carehub.auth import tokens
    from carehub.extensions import db

    token, _row = tokens.issue(db.session, user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_every_endpoint_states_who_may_use_it(app: Flask) -> None:
    unmarked = [
        rule.endpoint
        for rule in _routes(app)
        if not hasattr(app.view_functions[rule.endpoint], "allowed_roles")
    ]
    assert not unmarked, f"views without roles_required/any_role/public: {unmarked}"


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_the_pages_its_marks_allow(
    app: Flask, client: FlaskClient, login_as, rows: Rows, role: Role
) -> None:
    headers = _bearer(login_as(role))
    wrong: list[str] = []
    for rule in _get_routes(app):
        url = _url(app, rule, rows)
        allowed = app.view_functions[rule.endpoint].allowed_roles
        response = client.get(url, headers=headers if _is_api(rule) else {})
        code = response.status_code
        if allowed is None or role in allowed:
            fine = code == 200 or (300 <= code < 400 and not _is_login_redirect(response))
            expected = "200 or a redirect"
        else:
            fine = code == 403
            expected = "403"
        if not fine:
            wrong.append(f"{rule.endpoint} {url}: got {code}, expected {expected}")
    assert not wrong, f"as {role.value}:\n" + "\n".join(wrong)


def test_anonymous_users_are_sent_to_login_everywhere_but_public_pages(
    app: Flask, client: FlaskClient, rows: Rows
) -> None:
    wrong: list[str] = []
    for rule in _get_routes(app):
        url = _url(app, rule, rows)
        response = client.get(url)
        public = app.view_functions[rule.endpoint].allowed_roles is None
        if public and (response.status_code >= 400 or _is_login_redirect(response)):
            wrong.append(f"{url} is public but answered {response.status_code}")
        if not public and _is_api(rule) and response.status_code != 401:
            wrong.append(f"{url} answered {response.status_code} instead of 401")
        if not public and not _is_api(rule) and not _is_login_redirect(response):
            wrong.append(f"{url} answered {response.status_code} instead of the login page")
    assert not wrong, "\n".join(wrong)


def test_an_unknown_url_parameter_is_reported_by_name(app: Flask, rows: Rows) -> None:
    rule = Rule("/things/<int:gizmo_id>", endpoint="things.show")
    with pytest.raises(pytest.fail.Exception, match="gizmo_id"):
        _value(rule, "gizmo_id", rows)


# --- home pages --------------------------------------------------------------------------

# 10:00 in Shanghai on Monday 23 November 2026.
NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def fixed_clock(app: Flask) -> None:
    app.config["CLOCK"] = lambda: NOW


@pytest.fixture(autouse=True)
def english(client: FlaskClient) -> None:
    client.get("/lang/en")


def test_admin_home_counts_and_links(client: FlaskClient, login_as, make, db) -> None:
    login_as(Role.ADMIN)
    make.elder()
    make.elder()
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "<strong>2</strong> Elders" in page
    for path in ("/admin/users", "/admin/audit", "/admin/coverage", "/registry/elders"):
        assert f'href="{path}"' in page


def test_admin_home_links_to_the_data_page_only_when_it_exists(
    app: Flask, client: FlaskClient, login_as
) -> None:
    login_as(Role.ADMIN)
    page = client.get("/").get_data(as_text=True)
    assert ("Import and export" in page) == ("transfer.index" in app.view_functions)


def test_dispatcher_home_shows_their_station_and_today(
    client: FlaskClient, login_as, make, db, fixed_clock
) -> None:
    mine, other = make.station(), make.station()
    placed = make.elder(station=mine)
    make.elder(station=mine, lat=None, lon=None)
    far = make.elder(station=mine, lat=CENTRE[0] + 0.3, lon=CENTRE[1])
    make.elder(station=other)
    make.caregiver(station=mine)
    make.request(elder=placed, service_date=dt.date(2026, 11, 23), note="today")
    make.request(elder=placed, service_date=dt.date(2026, 11, 24))
    make.request(elder=make.elder(station=other), service_date=dt.date(2026, 11, 23))
    login_as(Role.DISPATCHER, station=mine)

    page = client.get("/").get_data(as_text=True)
    assert mine.name in page
    assert "<strong>3</strong> Elders" in page
    assert "<strong>1</strong> Active caregivers" in page
    assert "<strong>1</strong> Elders without coordinates" in page
    assert "<strong>1</strong> Elders outside every circle" in page and far.code in page
    assert "<strong>1</strong> Service requests today" in page


def test_caregiver_home_lists_only_todays_visits(
    client: FlaskClient, login_as, make, db, fixed_clock
) -> None:
    user = login_as(Role.CAREGIVER)
    caregiver = user.caregiver

    def visit(local_day: int, hour: int, name: str) -> None:
        start = dt.datetime(2026, 11, local_day, hour, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        make.visit(
            caregiver=caregiver,
            planned_start=start,
            planned_end=start + dt.timedelta(minutes=30),
            request=make.request(elder=make.elder(name=name)),
        )

    visit(23, 7, "早班老人")  # 23:00 UTC the day before, still today in Shanghai
    visit(23, 23, "晚班老人")
    visit(22, 9, "昨天老人")
    visit(24, 9, "明天老人")
    db.session.commit()

    page = client.get("/").get_data(as_text=True)
    assert caregiver.station.name in page and "08:00" in page and "17:00" in page
    assert "早班老人" in page and "晚班老人" in page
    assert "昨天老人" not in page and "明天老人" not in page
    assert page.index("早班老人") < page.index("晚班老人")
    assert "07:00" in page  # shown in local time


def test_auditor_home_totals_the_month_by_care_level(
    client: FlaskClient, login_as, make, db, fixed_clock
) -> None:
    make.elder(care_level=CareLevel.MILD, hardship=Hardship.DIBAO)
    make.elder(care_level=CareLevel.SEVERE, hardship=Hardship.TEKUN)
    make.elder(care_level=CareLevel.SEVERE, hardship=Hardship.LOW_INCOME)
    make.elder(care_level=CareLevel.SEVERE, hardship=Hardship.NONE)  # not eligible
    make.elder(care_level=CareLevel.NONE, hardship=Hardship.DIBAO)  # no care need
    login_as(Role.AUDITOR)

    page = client.get("/").get_data(as_text=True)
    # Default policy: 200 yuan mild, 600 yuan severe.
    assert "<strong>3</strong> Eligible elders" in page
    assert "¥1,400.00" in page
    assert "1,200.00" in page and "200.00" in page
