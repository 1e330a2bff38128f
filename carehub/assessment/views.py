"""The due list, an elder's care-level history, entering an assessment (office or phone),
an administrator's override, and flagging a change."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from carehub.assessment import services, standard
from carehub.assessment.forms import FlagForm, OverrideForm, SignatureForm
from carehub.core.enums import CareLevel, Role, label
from carehub.core.errors import FieldError
from carehub.core.permissions import roles_required
from carehub.core.scope import station_scope
from carehub.core.time import local_today
from carehub.extensions import db
from carehub.registry.assessments import Assessment, AssessmentForm
from carehub.registry.models import Elder

bp = Blueprint("assessment", __name__)

READERS = (Role.ASSESSOR, Role.ADMIN, Role.DISPATCHER, Role.AUDITOR)
FLAGGERS = (Role.ASSESSOR, Role.ADMIN, Role.DISPATCHER, Role.CAREGIVER)


ABILITY_LABELS = {
    "intact": _l("Capability intact"),
    "mild": _l("Mildly impaired"),
    "moderate": _l("Moderately impaired"),
    "severe": _l("Severely impaired"),
    "complete": _l("Completely lost"),
}


@bp.app_template_filter("ability")
def ability_label(level: str | None) -> str:
    return str(ABILITY_LABELS.get(level or "", ""))


class ListPage:
    """A page of an already-built list, with the attributes the pager macro reads."""

    def __init__(self, items: list[Any], page: int, per_page: int) -> None:
        self.total = len(items)
        self.per_page = per_page
        self.pages = max(1, -(-self.total // per_page))
        self.page = min(max(page, 1), self.pages)
        start = (self.page - 1) * per_page
        self.items = items[start : start + per_page]
        self.has_prev = self.page > 1
        self.has_next = self.page < self.pages
        self.prev_num = self.page - 1
        self.next_num = self.page + 1


def due_page(station_id: int | None = None) -> ListPage:
    config = current_app.config
    due = services.due_list(
        db.session,
        local_today(),
        int(config["ASSESSMENT_INTERVAL_MONTHS"]),
        int(config["ASSESSMENT_DUE_WITHIN_DAYS"]),
        station_id,
    )
    return ListPage(due, request.args.get("page", 1, type=int), int(config["PAGE_SIZE"]))


def _elder(elder_id: int) -> Elder:
    found = db.session.get(Elder, elder_id)
    if found is None:
        abort(404)
    scope = station_scope(current_user)
    if scope is not None and found.station_id != scope:
        abort(404)
    return found


@bp.route("/")
@roles_required(Role.ASSESSOR, Role.ADMIN, Role.DISPATCHER)
def due() -> ResponseReturnValue:
    return render_template(
        "assessment/due.html", page=due_page(station_scope(current_user)), today=local_today()
    )


@bp.route("/elders/<int:elder_id>")
@roles_required(*READERS)
def elder(elder_id: int) -> ResponseReturnValue:
    found = _elder(elder_id)
    return render_template(
        "assessment/elder.html",
        elder=found,
        entries=services.history(db.session, found.id),
        flags=services.open_flags(db.session, found.id),
        flag_form=FlagForm(),
    )


@bp.route("/<int:assessment_id>")
@roles_required(*READERS)
def show(assessment_id: int) -> ResponseReturnValue:
    entry = db.session.get(Assessment, assessment_id)
    if entry is None:
        abort(404)
    elder = _elder(entry.elder_id)
    form = services.parsed(entry.form) if entry.form is not None else None
    return render_template("assessment/show.html", entry=entry, elder=elder, form=form)


def _answers(form: standard.Form) -> tuple[dict[str, int], dict[str, str]]:
    answers: dict[str, int] = {}
    errors: dict[str, str] = {}
    for item in form.items():
        raw = request.form.get(f"item_{item.code}", "").strip()
        try:
            answers[item.code] = int(raw)
        except ValueError:
            errors[item.code] = _("Choose a score for %(item)s.", item=item.name_zh)
    return answers, errors


def _signature() -> SignatureForm:
    """The signature block, filled on first view with today, the place and the assessor."""
    signature = SignatureForm()
    if request.method == "GET":
        signature.assessed_on.data = local_today()
        signature.place.data = request.args.get("place", "office")
        signature.signed_name.data = current_user.display_name or current_user.username
    return signature


def _signed(signature: SignatureForm) -> bool:
    """Whether the signature block is valid and the assessor confirmed the assessment."""
    valid = signature.validate_on_submit()
    if not signature.confirm.data:
        signature.confirm.errors = [_("Confirm that you did this assessment.")]
        valid = False
    return bool(valid)


@bp.route("/elders/<int:elder_id>/new", methods=["GET", "POST"])
@roles_required(Role.ASSESSOR)
def new(elder_id: int) -> ResponseReturnValue:
    found = _elder(elder_id)
    row: AssessmentForm = services.current_form(db.session)
    form = services.parsed(row)
    signature = _signature()
    errors: dict[str, str] = {}
    answers: dict[str, int] = {}
    if request.method == "POST":
        answers, errors = _answers(form)
        if _signed(signature) and not errors:
            try:
                entry = services.record(
                    db.session,
                    found,
                    row,
                    answers,
                    frozenset(request.form.getlist("adjustment")),
                    signature.assessed_on.data,
                    services.Signature(current_user.id, signature.signed_name.data or ""),
                    local_today(),
                    place=signature.place.data or "office",
                )
            except FieldError as exc:
                db.session.rollback()
                if exc.field in signature:
                    signature[exc.field].errors = [str(exc)]
                else:
                    errors[exc.field] = str(exc)
            else:
                db.session.commit()
                flash(
                    _(
                        "Assessment saved: %(total)d points, care level %(level)s.",
                        total=entry.total or 0,
                        level=label(CareLevel(entry.care_level)),
                    ),
                    "success",
                )
                return redirect(url_for("assessment.elder", elder_id=found.id))
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "assessment/new.html",
            elder=found,
            form=form,
            form_row=row,
            signature=signature,
            answers=answers,
            errors=errors,
            chosen=set(request.form.getlist("adjustment")),
        ),
        status,
    )


@bp.route("/elders/<int:elder_id>/override", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def override(elder_id: int) -> ResponseReturnValue:
    found = _elder(elder_id)
    form = OverrideForm()
    if request.method == "GET":
        form.care_level.data = str(found.care_level)
        form.effective_from.data = local_today()
    if form.validate_on_submit():
        try:
            services.override(
                db.session,
                found,
                CareLevel(form.care_level.data),
                form.effective_from.data,
                form.reason.data or "",
                services.Signature(
                    current_user.id, current_user.display_name or current_user.username
                ),
                local_today(),
            )
        except FieldError as exc:
            db.session.rollback()
            form[exc.field].errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Care level overridden."), "success")
            return redirect(url_for("assessment.elder", elder_id=found.id))
    status = 422 if request.method == "POST" else 200
    return render_template("assessment/override.html", elder=found, form=form), status


@bp.route("/elders/<int:elder_id>/flag", methods=["POST"])
@roles_required(*FLAGGERS)
def flag(elder_id: int) -> ResponseReturnValue:
    found = _elder(elder_id)
    if current_user.role == Role.CAREGIVER:
        # A caregiver notes changes in the elders of their own station.
        mine = current_user.caregiver
        if mine is None or mine.station_id != found.station_id:
            abort(404)
    form = FlagForm()
    if not form.validate_on_submit():
        abort(400)
    services.flag(db.session, found, form.note.data or "", current_user.id, local_today())
    db.session.commit()
    flash(_("Change noted: %(elder)s is due for re-assessment.", elder=found.name), "success")
    return redirect(request.referrer or url_for("assessment.elder", elder_id=found.id))
