"""Each default service type gets its checklist once; later edits survive a reload."""

from __future__ import annotations

from sqlalchemy import select

from carehub.fieldwork import checklists
from carehub.fieldwork.models import ChecklistItem
from carehub.registry.models import ServiceType
from carehub.seeding.defaults import SERVICE_TYPES, load_defaults


def test_the_six_default_services_have_checklists(db) -> None:
    codes = {row[0] for row in SERVICE_TYPES}
    assert set(checklists.DEFAULTS) == codes
    for service in db.session.scalars(select(ServiceType).where(ServiceType.code.in_(codes))):
        items = checklists.items_for(db.session, service.id)
        assert [i.code for i in items] == [c for c, _zh, _en in checklists.DEFAULTS[service.code]]


def test_reloading_defaults_keeps_an_edited_checklist(db) -> None:
    cleaning = db.session.scalar(select(ServiceType).where(ServiceType.code == "cleaning"))
    for item in checklists.items_for(db.session, cleaning.id)[1:]:
        db.session.delete(item)
    db.session.flush()
    assert load_defaults(db.session)["checklist_items"] == 0
    assert [i.code for i in checklists.items_for(db.session, cleaning.id)] == ["floors"]


def test_a_service_type_without_items_gets_its_defaults_back(db) -> None:
    bathing = db.session.scalar(select(ServiceType).where(ServiceType.code == "bathing"))
    for item in checklists.items_for(db.session, bathing.id):
        db.session.delete(item)
    db.session.flush()
    assert load_defaults(db.session)["checklist_items"] == len(checklists.DEFAULTS["bathing"])
    assert (
        db.session.scalar(select(ChecklistItem.label_zh).where(ChecklistItem.code == "water_temp"))
        == "水温试过"
    )
