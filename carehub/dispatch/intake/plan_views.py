"""The care-plan editor: an elder's plans, and creating, changing and ending one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from carehub.core import weekdays
from carehub.core.enums import Role
from carehub.core.errors import FieldError
from carehub.core.permissions import roles_required
from carehub.core.time import local_today
from carehub.dispatch.intake import services
from carehub.dispatch.intake.forms import CarePlanForm, EndPlanForm
from carehub.dispatch.intake.views import scoped_elder
from carehub.extensions import db
from carehub.registry.models import CarePlan, Elder

bp = Blueprint("care_plans", __name__)
dispatchers = roles_required(Role.DISPATCHER, Role.ADMIN)


def _elder(elder_id: int) -> Elder:
    found = scoped_elder(elder_id)
    if found is None:
        abort(404)
    return found


def _plan(plan_id: int) -> CarePlan:
    plan = db.session.get(CarePlan, plan_id)
    if plan is None or scoped_elder(plan.elder_id) is None:
        abort(404)
    return plan


@bp.route("/elders/<int:elder_id>/plans")
@dispatchers
def plans(elder_id: int) -> ResponseReturnValue:
    elder = _elder(elder_id)
    rows = db.session.scalars(
        select(CarePlan).where(CarePlan.elder_id == elder.id).order_by(CarePlan.start_date)
    ).all()
    return render_template("intake/plans.html", elder=elder, plans=rows, today=local_today())


def _save(
    form: CarePlanForm, elder: Elder, plan: CarePlan | None, title: str
) -> ResponseReturnValue:
    """Validate, save through the service, commit once; else the form with its messages."""
    if form.validate_on_submit():
        try:
            if plan is None:
                services.create_plan(db.session, elder, form.values())
            else:
                services.update_plan(db.session, plan, form.values())
        except FieldError as exc:
            db.session.rollback()
            form[exc.field].errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("care_plans.plans", elder_id=elder.id))
    status = 422 if any(field.errors for field in form) else 200
    cancel = url_for("care_plans.plans", elder_id=elder.id)
    return render_template("registry/form.html", form=form, title=title, cancel=cancel), status


@bp.route("/elders/<int:elder_id>/plans/new", methods=["GET", "POST"])
@dispatchers
def new_plan(elder_id: int) -> ResponseReturnValue:
    elder = _elder(elder_id)
    form = CarePlanForm()
    if not form.is_submitted():
        form.start_date.data = local_today()
    return _save(form, elder, None, _("New care plan for %(name)s", name=elder.name))


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@dispatchers
def edit_plan(plan_id: int) -> ResponseReturnValue:
    plan = _plan(plan_id)
    form = CarePlanForm(obj=plan)
    if not form.is_submitted():
        form.weekdays.data = weekdays.format_mask(plan.weekdays_mask)
    return _save(form, plan.elder, plan, _("Edit care plan for %(name)s", name=plan.elder.name))


@bp.route("/plans/<int:plan_id>/end", methods=["GET", "POST"])
@dispatchers
def end_plan(plan_id: int) -> ResponseReturnValue:
    plan = _plan(plan_id)
    form = EndPlanForm()
    if not form.is_submitted():
        form.end_date.data = max(local_today(), plan.start_date)
    if form.validate_on_submit():
        try:
            cancelled = services.end_plan(db.session, plan, form.end_date.data)
        except FieldError as exc:
            db.session.rollback()
            form.end_date.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Plan ended; %(count)d later requests cancelled.", count=cancelled), "success")
            return redirect(url_for("care_plans.plans", elder_id=plan.elder_id))
    status = 422 if form.end_date.errors else 200
    cancel = url_for("care_plans.plans", elder_id=plan.elder_id)
    title = _("End care plan for %(name)s", name=plan.elder.name)
    return render_template("registry/form.html", form=form, title=title, cancel=cancel), status
