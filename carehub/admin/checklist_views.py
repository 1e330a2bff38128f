"""Administrators edit the checklist of each service type (the items caregivers tick off on
the phone)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from carehub.admin import checklists as services
from carehub.core.enums import Role
from carehub.core.errors import DomainError, FieldError
from carehub.core.permissions import roles_required
from carehub.extensions import db
from carehub.fieldwork import checklists
from carehub.fieldwork.models import ChecklistItem
from carehub.registry.models import ServiceType

bp = Blueprint("checklists", __name__)
admins = roles_required(Role.ADMIN)


def _service_type(service_type_id: int) -> ServiceType:
    found = db.session.get(ServiceType, service_type_id)
    if found is None:
        abort(404)
    return found


def _item(item_id: int) -> ChecklistItem:
    found = db.session.get(ChecklistItem, item_id)
    if found is None:
        abort(404)
    return found


@bp.route("/")
@admins
def index() -> ResponseReturnValue:
    return render_template("admin/checklists.html", counts=services.counts(db.session))


def _page(
    service_type: ServiceType, errors: dict[str, str] | None = None, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "admin/checklist.html",
        service_type=service_type,
        items=checklists.items_for(db.session, service_type.id),
        errors=errors or {},
        form=request.form if errors else {},
        failed_item=request.view_args.get("item_id") if errors and request.view_args else None,
    ), status


@bp.route("/<int:service_type_id>")
@admins
def show(service_type_id: int) -> ResponseReturnValue:
    return _page(_service_type(service_type_id))


@bp.route("/<int:service_type_id>/items", methods=["POST"])
@admins
def add(service_type_id: int) -> ResponseReturnValue:
    service_type = _service_type(service_type_id)
    form = request.form
    try:
        item = services.add_item(
            db.session, service_type, form.get("code"), form.get("label_zh"), form.get("label_en")
        )
    except FieldError as exc:
        db.session.rollback()
        return _page(service_type, {exc.field: str(exc)}, 400)
    db.session.commit()
    flash(_("Added %(label)s.", label=item.label_zh), "success")
    return redirect(url_for("checklists.show", service_type_id=service_type_id))


@bp.route("/items/<int:item_id>", methods=["POST"])
@admins
def update(item_id: int) -> ResponseReturnValue:
    item = _item(item_id)
    service_type = item.service_type
    try:
        services.update_item(
            db.session, item, request.form.get("label_zh"), request.form.get("label_en")
        )
    except FieldError as exc:
        db.session.rollback()
        return _page(service_type, {exc.field: str(exc)}, 400)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("checklists.show", service_type_id=service_type.id))


@bp.route("/items/<int:item_id>/move", methods=["POST"])
@admins
def move(item_id: int) -> ResponseReturnValue:
    item = _item(item_id)
    service_type_id = item.service_type_id
    try:
        services.move_item(db.session, item, request.form.get("direction", ""))
    except FieldError as exc:
        db.session.rollback()
        return _page(_service_type(service_type_id), {exc.field: str(exc)}, 400)
    db.session.commit()
    return redirect(url_for("checklists.show", service_type_id=service_type_id))


@bp.route("/items/<int:item_id>/delete", methods=["POST"])
@admins
def delete(item_id: int) -> ResponseReturnValue:
    item = _item(item_id)
    service_type_id = item.service_type_id
    try:
        services.remove_item(db.session, item)
    except DomainError as exc:
        db.session.rollback()
        return _page(_service_type(service_type_id), {"item": str(exc)}, exc.status_code)
    db.session.commit()
    flash(_("Removed."), "success")
    return redirect(url_for("checklists.show", service_type_id=service_type_id))
