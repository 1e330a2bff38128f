"""The dispatcher's pages: a caregiver's absences (entered, or requested from the phone and
decided here) and an elder's preferred and "do not send" caregivers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from carehub.availability import services
from carehub.availability.models import CaregiverAbsence
from carehub.core.enums import AbsenceKind, AbsenceStatus, Role
from carehub.core.errors import FieldError
from carehub.core.permissions import roles_required
from carehub.core.scope import station_scope
from carehub.core.time import local_to_utc, local_today
from carehub.extensions import db
from carehub.registry.models import Caregiver, Elder

bp = Blueprint("availability", __name__)

EDITORS = (Role.ADMIN, Role.DISPATCHER)


def _in_scope(station_id: int | None) -> None:
    scope = station_scope(current_user)
    if scope is not None and station_id != scope:
        abort(404)


def _get(model: type, ident: int) -> Any:
    found = db.session.get(model, ident)
    if found is None:
        abort(404)
    return found


def _date(name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        raise FieldError(name, _("Enter a date as YYYY-MM-DD.")) from None


def _time(name: str) -> dt.time | None:
    text = request.form.get(name, "").strip()
    if not text:
        return None
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise FieldError(name, _("Enter a time as HH:MM.")) from None


def absence_span(
    first: dt.date, last: dt.date, start: dt.time | None, end: dt.time | None
) -> tuple[dt.datetime, dt.datetime]:
    """Whole days from ``first`` to ``last``, or from a time on ``first`` to a time on ``last``."""
    if last < first:
        raise FieldError("last_day", _("The last day must not come before the first."))
    lo, hi = services.day_bounds(first, last)
    if start is not None:
        lo = local_to_utc(first, start)
    if end is not None:
        hi = local_to_utc(last, end)
    return lo, hi


def read_absence_form() -> tuple[str, dt.datetime, dt.datetime, str]:
    first = _date("first_day")
    last = _date("last_day") if request.form.get("last_day", "").strip() else first
    lo, hi = absence_span(first, last, _time("start_time"), _time("end_time"))
    return request.form.get("kind", ""), lo, hi, request.form.get("note", "").strip()[:500]


@bp.route("/caregivers/<int:caregiver_id>/absences", methods=["GET", "POST"])
@roles_required(*EDITORS)
def caregiver_absences(caregiver_id: int) -> ResponseReturnValue:
    caregiver: Caregiver = _get(Caregiver, caregiver_id)
    _in_scope(caregiver.station_id)
    status = 200
    if request.method == "POST":
        try:
            kind, lo, hi, note = read_absence_form()
            services.record(db.session, caregiver, kind, lo, hi, note=note, user_id=current_user.id)
            db.session.commit()
            flash(_("Absence recorded."), "success")
            return redirect(url_for(".caregiver_absences", caregiver_id=caregiver.id))
        except FieldError as err:
            db.session.rollback()
            flash(str(err), "error")
            status = 400
    return (
        render_template(
            "availability/absences.html",
            caregiver=caregiver,
            absences=services.for_caregiver(db.session, caregiver),
            kinds=list(AbsenceKind),
            today=local_today(),
        ),
        status,
    )


@bp.route("/absences/<int:absence_id>/decide", methods=["POST"])
@roles_required(*EDITORS)
def decide(absence_id: int) -> ResponseReturnValue:
    absence: CaregiverAbsence = _get(CaregiverAbsence, absence_id)
    _in_scope(absence.caregiver.station_id)
    try:
        services.decide(absence, request.form.get("decision") == "approve", current_user.id)
    except FieldError as err:
        flash(str(err), "error")
        return redirect(url_for(".caregiver_absences", caregiver_id=absence.caregiver_id)), 303
    db.session.commit()
    if absence.status == AbsenceStatus.APPROVED:
        flash(_("Absence approved."), "success")
    else:
        flash(_("Absence declined."), "success")
    return redirect(url_for(".caregiver_absences", caregiver_id=absence.caregiver_id)), 303


def _codes(name: str) -> list[str]:
    return [c for c in request.form.get(name, "").replace("，", ",").replace(";", ",").split(",")]


@bp.route("/elders/<int:elder_id>/caregivers", methods=["GET", "POST"])
@roles_required(*EDITORS)
def elder_caregivers(elder_id: int) -> ResponseReturnValue:
    elder: Elder = _get(Elder, elder_id)
    _in_scope(elder.station_id)
    status = 200
    if request.method == "POST":
        try:
            preferred = services.caregivers_by_code(db.session, _codes("preferred"), "preferred")
            avoided = services.caregivers_by_code(db.session, _codes("avoided"), "avoided")
            services.set_rules(db.session, elder, preferred, avoided)
            db.session.commit()
            flash(_("Caregiver preferences saved."), "success")
            return redirect(url_for(".elder_caregivers", elder_id=elder.id)), 303
        except FieldError as err:
            db.session.rollback()
            flash(str(err), "error")
            status = 400
    rules = services.rules_for(db.session, [elder.id])[elder.id]
    return (
        render_template("availability/elder_caregivers.html", elder=elder, rules=rules),
        status,
    )
