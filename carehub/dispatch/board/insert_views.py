"""A request's page: where an unassigned request of today would go into the published
routes, and the dispatcher's confirm."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from carehub.core.enums import Role
from carehub.core.errors import ConflictError, FieldError
from carehub.core.permissions import roles_required
from carehub.core.time import now
from carehub.dispatch.board import insert as insert_request
from carehub.dispatch.intake.views import scoped_elder
from carehub.dispatch.models import ServiceRequest
from carehub.extensions import db

bp = Blueprint("insert", __name__)


def _page(
    found: ServiceRequest, plan: object, error: str = "", done: bool = False, status: int = 200
) -> ResponseReturnValue:
    return (
        render_template(
            "intake/insert.html",
            request_row=found,
            preview=plan,
            error=error,
            done=done,
        ),
        status,
    )


@bp.route("/<int:request_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.DISPATCHER)
def page(request_id: int) -> ResponseReturnValue:
    found = db.session.get(ServiceRequest, request_id)
    if found is None or scoped_elder(found.elder_id) is None:
        abort(404)
    if not insert_request.insertable(found, now()):
        return _page(found, None)
    try:
        if request.method == "GET":
            return _page(found, insert_request.preview(db.session, found, now()))
        plan = insert_request.apply(db.session, found, now(), request.form.get("token", ""))
        db.session.commit()
        return _page(found, plan, done=True)
    except ConflictError as exc:
        db.session.rollback()
        fresh = insert_request.preview(db.session, found, now())
        return _page(found, fresh, str(exc), status=409)
    except FieldError as exc:
        db.session.rollback()
        return _page(found, None, str(exc), status=400)
