"""Administrators' edits of a service type's checklist: add, relabel, reorder, remove.

An item's code is fixed once made: visit events keep the codes the phone ticked, so a
renamed code would orphan them. Every change is audited by the session hook (ChecklistItem
is audited). Services flush; the request commits.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select

from carehub.core.errors import ConflictError, FieldError
from carehub.db import AnySession
from carehub.fieldwork import checklists
from carehub.fieldwork.models import ChecklistItem
from carehub.registry.models import ServiceType

CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
LABEL_MAX = 120


def clean_label(field: str, value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise FieldError(field, _("Enter the label."))
    if len(text) > LABEL_MAX:
        raise FieldError(field, _("At most %(count)d characters.", count=LABEL_MAX))
    return text


def add_item(
    session: AnySession, service_type: ServiceType, code: object, label_zh: object, label_en: object
) -> ChecklistItem:
    text = code.strip() if isinstance(code, str) else ""
    if not CODE.match(text):
        raise FieldError(
            "code",
            _("The code is lower-case letters, digits and _, starting with a letter (at most 40)."),
        )
    items = checklists.items_for(session, service_type.id)
    if any(item.code == text for item in items):
        raise FieldError("code", _("This checklist already has an item with this code."))
    item = ChecklistItem(
        service_type_id=service_type.id,
        position=max((i.position for i in items), default=-1) + 1,
        code=text,
        label_zh=clean_label("label_zh", label_zh),
        label_en=clean_label("label_en", label_en),
    )
    session.add(item)
    session.flush()
    return item


def update_item(
    session: AnySession, item: ChecklistItem, label_zh: object, label_en: object
) -> None:
    zh = clean_label("label_zh", label_zh)
    en = clean_label("label_en", label_en)
    item.label_zh, item.label_en = zh, en
    session.flush()


def remove_item(session: AnySession, item: ChecklistItem) -> None:
    """A checklist keeps at least one item: an empty one would get its defaults back at the
    next ``carehub init`` (see ``checklists.load_defaults``)."""
    items = checklists.items_for(session, item.service_type_id)
    if len(items) <= 1:
        raise ConflictError(_("A checklist keeps at least one item; change its label instead."))
    session.delete(item)
    session.flush()
    _renumber(session, [i for i in items if i.id != item.id])


def move_item(session: AnySession, item: ChecklistItem, direction: str) -> None:
    if direction not in ("up", "down"):
        raise FieldError("direction", _("Move up or down."))
    items = checklists.items_for(session, item.service_type_id)
    at = next(n for n, i in enumerate(items) if i.id == item.id)
    to = at - 1 if direction == "up" else at + 1
    if 0 <= to < len(items):
        items[at], items[to] = items[to], items[at]
    _renumber(session, items)


def _renumber(session: AnySession, items: list[ChecklistItem]) -> None:
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
    session.flush()


def counts(session: AnySession) -> list[tuple[ServiceType, int]]:
    types = session.scalars(select(ServiceType).order_by(ServiceType.code)).all()
    return [(t, len(checklists.items_for(session, t.id))) for t in types]
