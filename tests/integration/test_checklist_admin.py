"""Administrators edit each service type's checklist under /admin/checklists: the phone
offers and accepts what they keep, every change is audited, bad input names its field."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from carehub.core.audit import AuditLog
from carehub.core.enums import Role
from carehub.fieldwork import checklists
from carehub.fieldwork.models import ChecklistItem
from carehub.registry.models import ServiceType
from tests.phone import Phone, make_phone, published_visit

NOW = dt.datetime(2026, 11, 23, 3, 30, tzinfo=dt.UTC)


@pytest.fixture
def meal(db) -> ServiceType:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(ServiceType).where(ServiceType.code == "meal_delivery"))


@pytest.fixture
def admin(login_as):  # type: ignore[no-untyped-def]
    return login_as(Role.ADMIN)


def _codes(db, meal) -> list[str]:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return [i.code for i in checklists.items_for(db.session, meal.id)]


def _item(db, code: str) -> ChecklistItem:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(ChecklistItem).where(ChecklistItem.code == code))


def _items_count(db) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(ChecklistItem))


def test_an_added_item_reaches_the_phone(app, make, db, client, admin, meal) -> None:  # type: ignore[no-untyped-def]
    app.config["CLOCK"] = lambda: NOW
    phone: Phone = make_phone(app, make)
    visit = published_visit(make, phone)
    phone.event(visit, "check_in")
    # Not on the checklist yet: the phone's tick is refused.
    refused = phone.event(visit, "outcome", outcome="done", checklist=["tableware"])
    assert refused.status_code == 409

    answer = client.post(
        f"/admin/checklists/{meal.id}/items",
        data={"code": "tableware", "label_zh": "餐具已回收", "label_en": "Tableware collected"},
    )
    assert answer.status_code == 302
    assert _codes(db, meal)[-1] == "tableware"
    route = phone.get("/api/v1/me/visits?date=2026-11-23").get_json()
    [shown] = [v for v in route["visits"] if v["id"] == visit.id]
    assert "tableware" in [c["code"] for c in shown["checklist"]]
    accepted = phone.event(visit, "outcome", outcome="done", checklist=["tableware"])
    assert accepted.status_code == 201


@pytest.mark.parametrize(
    "data,field",
    [
        ({"code": "Bad Code", "label_zh": "甲", "label_en": "A"}, "code"),
        ({"code": "meal_warm", "label_zh": "甲", "label_en": "A"}, "code"),
        ({"code": "fresh", "label_zh": "  ", "label_en": "A"}, "label_zh"),
        ({"code": "fresh", "label_zh": "甲", "label_en": "x" * 121}, "label_en"),
    ],
)
def test_bad_input_names_the_field_and_adds_nothing(
    db, client, admin, meal, data: dict[str, str], field: str
) -> None:  # type: ignore[no-untyped-def]
    before = _items_count(db)
    answer = client.post(f"/admin/checklists/{meal.id}/items", data=data)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert f'id="new-{field}"' in page.split('class="form-row has-error"')[1].split("</div>")[0]
    assert _items_count(db) == before


def test_relabelling_is_audited_with_before_and_after(db, client, admin, meal) -> None:  # type: ignore[no-untyped-def]
    item = _item(db, "meal_warm")
    answer = client.post(
        f"/admin/checklists/items/{item.id}",
        data={"label_zh": "餐食保温良好", "label_en": "Meal kept warm"},
    )
    assert answer.status_code == 302
    entry = db.session.scalar(
        select(AuditLog).where(AuditLog.entity_type == "ChecklistItem", AuditLog.action == "update")
    )
    assert entry.entity_id == item.id and entry.user_id == admin.id
    assert entry.before["label_zh"] == "餐食温度合适" and entry.after["label_zh"] == "餐食保温良好"


def test_a_blank_label_is_refused_and_the_old_one_kept(db, client, admin, meal) -> None:  # type: ignore[no-untyped-def]
    item = _item(db, "meal_warm")
    answer = client.post(
        f"/admin/checklists/items/{item.id}", data={"label_zh": "", "label_en": "x"}
    )
    assert answer.status_code == 400
    assert 'data-field="label_zh"' in answer.get_data(as_text=True)
    db.session.expire_all()
    assert _item(db, "meal_warm").label_zh == "餐食温度合适"


def test_items_move_up_and_down(db, client, admin, meal) -> None:  # type: ignore[no-untyped-def]
    assert _codes(db, meal) == ["meal_handed", "meal_warm", "diet_checked"]
    client.post(
        f"/admin/checklists/items/{_item(db, 'diet_checked').id}/move", data={"direction": "up"}
    )
    assert _codes(db, meal) == ["meal_handed", "diet_checked", "meal_warm"]
    client.post(
        f"/admin/checklists/items/{_item(db, 'meal_handed').id}/move", data={"direction": "down"}
    )
    assert _codes(db, meal) == ["diet_checked", "meal_handed", "meal_warm"]
    # The first cannot go further up.
    client.post(
        f"/admin/checklists/items/{_item(db, 'diet_checked').id}/move", data={"direction": "up"}
    )
    assert _codes(db, meal) == ["diet_checked", "meal_handed", "meal_warm"]
    bad = client.post(
        f"/admin/checklists/items/{_item(db, 'meal_warm').id}/move", data={"direction": "x"}
    )
    assert bad.status_code == 400


def test_a_removed_item_is_no_longer_accepted_from_the_phone(
    app, make, db, client, admin, meal
) -> None:  # type: ignore[no-untyped-def]
    app.config["CLOCK"] = lambda: NOW
    phone = make_phone(app, make)
    visit = published_visit(make, phone)
    phone.event(visit, "check_in")
    assert (
        client.post(f"/admin/checklists/items/{_item(db, 'meal_warm').id}/delete").status_code
        == 302
    )
    assert _codes(db, meal) == ["meal_handed", "diet_checked"]
    assert phone.event(visit, "outcome", outcome="done", checklist=["meal_warm"]).status_code == 409


def test_the_last_item_cannot_be_removed(db, client, admin, meal) -> None:  # type: ignore[no-untyped-def]
    for code in ("meal_warm", "diet_checked"):
        client.post(f"/admin/checklists/items/{_item(db, code).id}/delete")
    answer = client.post(f"/admin/checklists/items/{_item(db, 'meal_handed').id}/delete")
    assert answer.status_code == 409
    assert _codes(db, meal) == ["meal_handed"]


def test_only_administrators_edit_checklists(db, client, login_as, meal) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.DISPATCHER)
    assert client.get("/admin/checklists/").status_code == 403
    answer = client.post(
        f"/admin/checklists/{meal.id}/items", data={"code": "x1", "label_zh": "甲", "label_en": "A"}
    )
    assert answer.status_code == 403
    assert "x1" not in _codes(db, meal)


def test_the_pages_list_every_service_type_and_its_items(db, client, admin, meal) -> None:  # type: ignore[no-untyped-def]
    index = client.get("/admin/checklists/").get_data(as_text=True)
    assert f"/admin/checklists/{meal.id}" in index
    page = client.get(f"/admin/checklists/{meal.id}").get_data(as_text=True)
    assert 'data-item="meal_handed"' in page and "餐食已交到老人手中" in page
    assert client.get("/admin/checklists/999999").status_code == 404
