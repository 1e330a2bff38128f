"""The dispatcher's visit page: details and history, moving a visit (preview, then save),
pinning; and a day's timeline per caregiver whose visits can be dragged to another row."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from carehub.core.audit import AuditLog
from carehub.core.enums import Role, label
from carehub.core.errors import DomainError, FieldError
from carehub.core.permissions import roles_required
from carehub.core.scope import station_scope
from carehub.core.time import format_local, local_today
from carehub.dispatch.models import Visit
from carehub.dispatch.moves import services as moves
from carehub.extensions import db
from carehub.registry.models import Caregiver

bp = Blueprint("moves", __name__)
dispatchers = roles_required(Role.DISPATCHER, Role.ADMIN)
HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
FIELD_LABELS = {
    "caregiver_id": _l("Caregiver"),
    "planned_start": _l("Planned start"),
    "planned_end": _l("Planned end"),
    "route_seq": _l("Stop"),
    "status": _l("Status"),
    "pinned": _l("Pinned"),
}
ACTION_LABELS = {
    "create": _l("Added"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "move": _l("Moved by a dispatcher"),
}


def _scope() -> int | None:
    return station_scope(current_user)


@dataclass
class MoveInput:
    caregiver_id: int
    start: dt.time | None
    version: int


def _parse(values: Any) -> MoveInput:
    """The move form's fields, or a ``FieldError`` naming the first bad one."""
    try:
        caregiver_id = int(values.get("caregiver_id", ""))
    except ValueError:
        raise FieldError("caregiver_id", _("Choose a caregiver.")) from None
    text = values.get("start", "").strip()
    start = None
    if text:
        found = HHMM.match(text)
        if found is None:
            raise FieldError("start", _("Enter the start as HH:MM, for example 09:30."))
        start = dt.time(int(found.group(1)), int(found.group(2)))
    try:
        version = int(values.get("version", ""))
    except ValueError:
        raise FieldError("version", _("The form is incomplete. Reload the page.")) from None
    return MoveInput(caregiver_id, start, version)


def _form(values: Any, visit: Visit) -> dict[str, str]:
    """What the dispatcher asked for, to fill the form in again."""
    return {
        "caregiver_id": values.get("caregiver_id", str(visit.caregiver_id or "")),
        "start": values.get("start", ""),
        "version": values.get("version", str(visit.version)),
        "reason": values.get("reason", ""),
        "confirmed": values.get("confirmed", ""),
    }


def _history(visit: Visit) -> list[dict[str, Any]]:
    entries = db.session.scalars(
        select(AuditLog)
        .where(AuditLog.entity_type == "Visit", AuditLog.entity_id == visit.id)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
    ).all()
    names: dict[Any, str] = {}

    def shown(key: str, value: Any) -> str:
        if value is None or value == "":
            return "–"
        if key == "caregiver_id":
            if value not in names:
                found = db.session.get(Caregiver, value)
                names[value] = found.name if found else str(value)
            return names[value]
        if key.startswith("planned_") and isinstance(value, str):
            return format_local(dt.datetime.fromisoformat(value))
        if key == "status":
            return label(value)
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        return str(value)

    rows = []
    for e in entries:
        after = e.after or {}
        before = e.before or {}
        changes = [
            (str(name), shown(key, before.get(key)), shown(key, after.get(key)))
            for key, name in FIELD_LABELS.items()
            # A move that kept the caregiver changed only the time: say only that.
            if key in after and (key not in before or before[key] != after[key])
        ]
        action = str(ACTION_LABELS.get(e.action, e.action))
        rows.append({"entry": e, "action": action, "changes": changes})
    return rows


def _page(
    visit: Visit,
    form: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    error: str = "",
    conflict: bool = False,
    status: int = 200,
) -> ResponseReturnValue:
    return render_template(
        "moves/visit.html",
        visit=visit,
        form=form,
        errors=errors or {},
        error=error,
        conflict=conflict,
        choices=moves.caregiver_choices(db.session, visit, _scope()),
        movable=visit.status in moves.MOVABLE,
        history=_history(visit),
    ), status


def _preview_page(
    preview: moves.Preview, form: dict[str, str], message: str = "", status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "moves/preview.html", preview=preview, visit=preview.visit, form=form, message=message
    ), status


@bp.route("/visits/<int:visit_id>")
@dispatchers
def visit(visit_id: int) -> ResponseReturnValue:
    found = moves.get_visit(db.session, visit_id, _scope())
    return _page(found, _form(request.args, found))


def _conflict(exc: moves.MoveConflict, visit_id: int, values: Any) -> ResponseReturnValue:
    db.session.rollback()
    current = db.session.get(Visit, visit_id)
    if current is None:
        abort(404)
    form = _form(values, current)
    # The intended change stays filled in, checked next against the current version.
    form["version"] = str(current.version)
    return _page(current, form, error=str(exc), conflict=True, status=409)


def _failed(exc: DomainError, visit_id: int, values: Any) -> ResponseReturnValue:
    db.session.rollback()
    found = moves.get_visit(db.session, visit_id, _scope())
    form = _form(values, found)
    if isinstance(exc, FieldError):
        return _page(found, form, errors={exc.field: str(exc)}, status=400)
    return _page(found, form, error=str(exc), status=400)


@bp.route("/visits/<int:visit_id>/move")
@dispatchers
def preview(visit_id: int) -> ResponseReturnValue:
    args = request.args
    found = moves.get_visit(db.session, visit_id, _scope())
    if "caregiver_id" not in args:
        return _page(found, _form({}, found))
    try:
        wanted = _parse(args)
        result = moves.preview_move(
            db.session, visit_id, wanted.caregiver_id, wanted.start, wanted.version, scope=_scope()
        )
    except moves.MoveConflict as exc:
        return _conflict(exc, visit_id, args)
    except moves.VisitNotFound:
        abort(404)
    except DomainError as exc:
        return _failed(exc, visit_id, args)
    return _preview_page(result, _form(args, found))


@bp.route("/visits/<int:visit_id>/move", methods=["POST"])
@dispatchers
def save(visit_id: int) -> ResponseReturnValue:
    values = request.form
    moves.get_visit(db.session, visit_id, _scope())
    try:
        wanted = _parse(values)
        moves.apply_move(
            db.session,
            visit_id,
            wanted.caregiver_id,
            wanted.start,
            wanted.version,
            confirmed=values.get("confirmed") == "1",
            override_reason=values.get("reason", ""),
            fingerprint=values.get("fingerprint") or None,
            scope=_scope(),
        )
    except moves.MoveConflict as exc:
        return _conflict(exc, visit_id, values)
    except moves.NeedsConfirmation as exc:
        form = _form(values, exc.preview.visit)
        db.session.rollback()
        return _preview_page(exc.preview, form, str(exc), 422)
    except moves.VisitNotFound:
        abort(404)
    except DomainError as exc:
        return _failed(exc, visit_id, values)
    db.session.commit()
    flash(_("The visit was moved and pinned."), "success")
    return redirect(url_for("moves.visit", visit_id=visit_id))


@bp.route("/visits/<int:visit_id>/pin", methods=["POST"])
@dispatchers
def pin(visit_id: int) -> ResponseReturnValue:
    values = request.form
    try:
        version = int(values.get("version", ""))
    except ValueError:
        found = moves.get_visit(db.session, visit_id, _scope())
        return _page(
            found, _form({}, found), error=_("The form is incomplete. Reload the page."), status=400
        )
    pinned = values.get("pinned") == "1"
    try:
        moves.set_pinned(db.session, visit_id, pinned, version, scope=_scope())
    except moves.MoveConflict as exc:
        return _conflict(exc, visit_id, {})
    except moves.VisitNotFound:
        abort(404)
    except DomainError as exc:
        return _failed(exc, visit_id, {})
    db.session.commit()
    flash(
        _("Pinned: re-planning keeps this visit.")
        if pinned
        else _("Released: re-planning may change this visit."),
        "success",
    )
    return redirect(url_for("moves.visit", visit_id=visit_id))


@bp.route("/day")
@dispatchers
def day() -> ResponseReturnValue:
    from carehub.dispatch.moves.timeline import build

    text = request.args.get("date", "").strip()
    try:
        service_day = dt.date.fromisoformat(text) if text else local_today()
    except ValueError:
        return render_template(
            "errors/error.html", code=400, message=_("Enter the date as YYYY-MM-DD.")
        ), 400
    found = build(db.session, service_day, request.args.get("station", ""), _scope())
    if found is None:
        return render_template("errors/error.html", code=400, message=_("Unknown station.")), 400
    return render_template("moves/day.html", day=found)
