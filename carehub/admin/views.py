"""Administration pages: accounts, the audit log, and service-circle coverage."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from carehub.admin import accounts, audit_view
from carehub.admin.forms import PasswordForm, UserForm
from carehub.auth import services as auth_services
from carehub.auth.models import User
from carehub.core.audit import AuditLog
from carehub.core.audit import chain as audit_chain
from carehub.core.enums import Role
from carehub.core.permissions import roles_required
from carehub.core.scope import station_scope
from carehub.extensions import db
from carehub.registry import coverage as geo_coverage
from carehub.registry.models import Elder
from carehub.registry.views import page_of

bp = Blueprint("admin", __name__)

# Audit entity types that have a page of their own.
DETAIL_PAGES = {
    "Station": ("registry.station", "station_id"),
    "Elder": ("registry.elder", "elder_id"),
    "Caregiver": ("registry.caregiver", "caregiver_id"),
    "ServiceType": ("registry.service_type", "service_type_id"),
}


@bp.app_context_processor
def _endpoint_check() -> dict[str, object]:
    # Lets shared templates link to pages other blueprints may or may not provide.
    def has_endpoint(name: str) -> bool:
        return name in current_app.view_functions

    return {"has_endpoint": has_endpoint}


def _user(user_id: int) -> User:
    found = db.session.get(User, user_id)
    if found is None:
        abort(404)
    return found


@bp.route("/users")
@roles_required(Role.ADMIN)
def users() -> ResponseReturnValue:
    page = page_of(select(User).order_by(User.active.desc(), User.username))
    return render_template("admin/users.html", page=page)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_new() -> ResponseReturnValue:
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = auth_services.create_user(
                db.session,
                username=form.username.data,
                role=Role(form.role.data),
                password=form.password.data,
                caregiver_code=form.caregiver_code.data or None,
                station_code=form.station_code.data or None,
                display_name=(form.display_name.data or "").strip(),
            )
        except auth_services.AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Account %(name)s created.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    status = 422 if any(field.errors for field in form) else 200
    return render_template("admin/user_form.html", form=form), status


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@roles_required(Role.ADMIN)
def user_deactivate(user_id: int) -> ResponseReturnValue:
    user = _user(user_id)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(url_for("admin.users"))
    auth_services.deactivate(db.session, user)
    db.session.commit()
    flash(_("Account %(name)s deactivated; its logins have ended.", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@roles_required(Role.ADMIN)
def user_reactivate(user_id: int) -> ResponseReturnValue:
    user = _user(user_id)
    accounts.reactivate(db.session, user)
    db.session.commit()
    flash(_("Account %(name)s reactivated.", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_password(user_id: int) -> ResponseReturnValue:
    user = _user(user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        accounts.reset_password(
            db.session, user, form.password.data, end_sessions=user.id != current_user.id
        )
        db.session.commit()
        flash(_("The password of %(name)s was reset.", name=user.username), "success")
        return redirect(url_for("admin.users"))
    status = 422 if any(field.errors for field in form) else 200
    return render_template("admin/password.html", form=form, user=user), status


@bp.route("/audit")
@roles_required(Role.ADMIN)
def audit() -> ResponseReturnValue:
    entity_type = request.args.get("entity_type", "").strip()
    entity_id = request.args.get("entity_id", type=int)
    actor = request.args.get("actor", "").strip()
    stmt = select(AuditLog).order_by(AuditLog.id.desc())
    if entity_type:
        stmt = stmt.where(AuditLog.entity_type == entity_type)
    if entity_id is not None:
        stmt = stmt.where(AuditLog.entity_id == entity_id)
    if actor:
        stmt = stmt.where(AuditLog.actor.contains(actor, autoescape=True))
    types = db.session.scalars(
        select(AuditLog.entity_type).distinct().order_by(AuditLog.entity_type)
    ).all()
    page = page_of(stmt)
    return render_template(
        "admin/audit.html",
        chain=audit_chain.verify(db.session),
        page=page,
        named=audit_view.names(db.session, page.items),
        field_label=audit_view.field,
        show_value=audit_view.value,
        types=types,
        entity_type=entity_type,
        entity_id=entity_id,
        actor=actor,
        detail_pages=DETAIL_PAGES,
        action_labels=audit_view.ACTION_LABELS,
        entity_labels=audit_view.ENTITY_LABELS,
    )


@bp.route("/coverage")
@roles_required(Role.ADMIN, Role.DISPATCHER)
def coverage() -> ResponseReturnValue:
    report = geo_coverage.compute(db.session)
    scope = station_scope(current_user)
    stations = report.stations
    uncovered = report.uncovered
    if scope is not None:
        mine = set(db.session.scalars(select(Elder.id).where(Elder.station_id == scope)))
        stations = [row for row in stations if row.station.id == scope]
        uncovered = [row for row in uncovered if row.elder_id in mine]
    return render_template(
        "admin/coverage.html",
        report=report,
        stations=stations,
        uncovered=uncovered,
        scoped=scope is not None,
    )
