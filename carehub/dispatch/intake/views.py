"""The dispatcher's intake pages: the day's requests, a new phone request with the elder
picker, cancelling, and generating requests from care plans."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from carehub.core.enums import RequestStatus, Role, choices
from carehub.core.errors import DomainError, FieldError
from carehub.core.permissions import roles_required
from carehub.core.scope import station_scope
from carehub.core.time import local_today
from carehub.dispatch.generation import generate_requests
from carehub.dispatch.intake import services
from carehub.dispatch.intake.forms import GenerateForm, RequestForm, default_range, note_text
from carehub.dispatch.models import ServiceRequest
from carehub.extensions import db
from carehub.registry.models import Elder, ServiceType, Station
from carehub.registry.services import ElderFilter, elder_query

bp = Blueprint("intake", __name__)
dispatchers = roles_required(Role.DISPATCHER, Role.ADMIN)
SEARCH_LIMIT = 10


def _scope() -> int | None:
    return station_scope(current_user)


def scoped_elder(elder_id: object) -> Elder | None:
    """The elder with this id if the user's station scope allows it."""
    try:
        wanted = int(str(elder_id))
    except ValueError:
        return None
    stmt = elder_query(ElderFilter(), _scope()).where(Elder.id == wanted)
    return db.session.scalar(stmt)


def _find_elders(text: str) -> list[Elder]:
    if not text.strip():
        return []
    stmt = elder_query(ElderFilter(text=text), _scope()).limit(SEARCH_LIMIT)
    return list(db.session.scalars(stmt))


def _date_arg(name: str, default: dt.date) -> dt.date:
    text = request.args.get(name, "").strip()
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        abort(400)


@bp.route("/")
@dispatchers
def requests() -> ResponseReturnValue:
    day = _date_arg("day", local_today())
    scope = _scope()
    station_id = scope or request.args.get("station_id", type=int)
    status = request.args.get("status", "")
    stmt = (
        select(ServiceRequest)
        .join(ServiceRequest.elder)
        .where(ServiceRequest.service_date == day)
        .options(selectinload(ServiceRequest.elder), selectinload(ServiceRequest.service_type))
        .order_by(ServiceRequest.window_start, Elder.code)
    )
    if station_id:
        stmt = stmt.where(Elder.station_id == station_id)
    if status in set(RequestStatus):
        stmt = stmt.where(ServiceRequest.status == status)
    stations = db.session.scalars(
        select(Station).where(Station.id == scope)
        if scope
        else select(Station).order_by(Station.code)
    ).all()
    return render_template(
        "intake/requests.html",
        rows=db.session.scalars(stmt).all(),
        day=day,
        station_id=station_id,
        stations=stations,
        status=status,
        statuses=choices(RequestStatus),
        cancellable=(RequestStatus.OPEN, RequestStatus.SCHEDULED),
    )


@bp.route("/elders.json")
@dispatchers
def elder_search() -> ResponseReturnValue:
    """Matches for the picker: code, name, phone or pinyin initials, within the user's scope."""
    found = _find_elders(request.args.get("q", ""))
    return jsonify(
        [
            {"id": e.id, "code": e.code, "name": e.name, "phone": e.phone, "address": e.address}
            for e in found
        ]
    )


def _draft(form: RequestForm) -> services.RequestDraft:
    service_type = db.session.get(ServiceType, form.service_type_id.data)
    if service_type is None:
        raise FieldError("service_type_id", _("Choose a service."))
    return services.RequestDraft(
        service_type=service_type,
        service_date=form.service_date.data,
        window_start=form.window_start.data,
        window_end=form.window_end.data,
        priority=form.priority.data,
        note=note_text(form.note.data),
    )


@bp.route("/new", methods=["GET", "POST"])
@dispatchers
def new_request() -> ResponseReturnValue:
    text = request.values.get("q", "").strip()
    chosen = scoped_elder(request.values.get("elder_id", ""))
    if request.values.get("elder_id") and chosen is None:
        abort(404)
    form = RequestForm()
    if request.method == "GET" and form.service_date.data is None:
        form.service_date.data = local_today()
    elder_error = ""
    if request.method == "POST":
        if chosen is None:
            elder_error = _("Choose the elder first.")
        elif form.validate_on_submit():
            try:
                saved = services.create_request(
                    db.session,
                    chosen,
                    _draft(form),
                    local_today(),
                    confirmed=bool(form.confirm.data),
                )
            except FieldError as exc:
                db.session.rollback()
                form[exc.field].errors.append(str(exc))
            else:
                db.session.commit()
                flash(_("Request created."), "success")
                return redirect(url_for("intake.requests", day=saved.service_date.isoformat()))
    failed = request.method == "POST" and (bool(elder_error) or any(field.errors for field in form))
    return render_template(
        "intake/new.html",
        form=form,
        q=text,
        found=_find_elders(text) if chosen is None else [],
        chosen=chosen,
        elder_error=elder_error,
        defaults=_catalogue_defaults(),
    ), (422 if failed else 200)


def _catalogue_defaults() -> dict[int, dict[str, Any]]:
    """Each service's usual window and priority, for the hints beside the form."""
    rows = db.session.scalars(select(ServiceType).where(ServiceType.active.is_(True)))
    return {
        row.id: {
            "window": (
                f"{row.window_start:%H:%M}–{row.window_end:%H:%M}"
                if row.window_start and row.window_end
                else ""
            ),
            "priority": row.priority,
        }
        for row in rows
    }


@bp.route("/<int:request_id>/cancel", methods=["POST"])
@dispatchers
def cancel(request_id: int) -> ResponseReturnValue:
    found = db.session.get(ServiceRequest, request_id)
    if found is None or scoped_elder(found.elder_id) is None:
        abort(404)
    try:
        services.cancel_request(db.session, found)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Request cancelled."), "success")
    return redirect(url_for("intake.requests", day=found.service_date.isoformat()))


@bp.route("/generate", methods=["GET", "POST"])
@dispatchers
def generate() -> ResponseReturnValue:
    form = GenerateForm()
    if request.method == "GET":
        form.start.data, form.end.data = default_range(local_today())
    counts = None
    if form.validate_on_submit():
        counts = generate_requests(
            db.session,
            form.start.data,
            form.end.data,
            station_id=_scope(),
        )
        db.session.commit()
    failed = request.method == "POST" and any(field.errors for field in form)
    return render_template("intake/generate.html", form=form, counts=counts), (
        422 if failed else 200
    )
