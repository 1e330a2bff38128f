"""The caregiver asks for an absence from the phone; a dispatcher approves or declines it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from carehub.availability import services
from carehub.availability.views import read_absence_form
from carehub.core.enums import AbsenceKind, Role
from carehub.core.errors import FieldError
from carehub.core.permissions import roles_required
from carehub.core.time import local_today
from carehub.extensions import db
from carehub.registry.models import Caregiver

bp = Blueprint("phone_absences", __name__)


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.CAREGIVER)
def ask() -> ResponseReturnValue:
    caregiver: Caregiver | None = current_user.caregiver
    if caregiver is None:
        abort(403)
    status = 200
    if request.method == "POST":
        try:
            kind, lo, hi, note = read_absence_form()
            services.ask(db.session, caregiver, kind, lo, hi, note, current_user.id)
            db.session.commit()
            flash(_("Absence requested: the office will approve or decline it."), "success")
            return redirect(url_for(".ask")), 303
        except FieldError as err:
            db.session.rollback()
            flash(str(err), "error")
            status = 400
    return (
        render_template(
            "availability/phone_absences.html",
            absences=services.for_caregiver(db.session, caregiver),
            kinds=list(AbsenceKind),
            today=local_today(),
        ),
        status,
    )
