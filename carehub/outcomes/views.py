"""The dispatcher's list of proposed status changes (confirm with one click, or dismiss),
and the labels the visit pages use to show the phone's record."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from carehub.core.enums import Role, label
from carehub.core.errors import DomainError, FieldError
from carehub.core.permissions import roles_required
from carehub.core.scope import station_scope
from carehub.core.time import now
from carehub.dispatch.models import Visit
from carehub.extensions import db
from carehub.outcomes import proposals, record
from carehub.outcomes.models import StatusProposal

bp = Blueprint("outcomes", __name__)
dispatchers = roles_required(Role.DISPATCHER, Role.ADMIN)


# The visit pages include ``outcomes/_phone_record.html`` with the record built by their
# view (``record.build``) or by ``phone_record``; these name its labels.
bp.add_app_template_global(record.event_label, "event_label")
bp.add_app_template_global(record.outcome_label, "outcome_label")
bp.add_app_template_global(record.flag_label, "flag_label")


@bp.app_template_global()
def phone_record(visit: Visit) -> record.PhoneRecord:
    """The phone's record of a visit, for the moves page: dispatch sits below outcomes, so
    its page asks here rather than importing the record."""
    return record.build(db.session, visit, str(get_locale() or "zh"))


def _list(errors: dict[int, str] | None = None, status: int = 200) -> ResponseReturnValue:
    scope = station_scope(current_user)
    return render_template(
        "outcomes/proposals.html",
        open=proposals.open_proposals(db.session, scope),
        decided=proposals.recent_decisions(db.session, scope),
        errors=errors or {},
    ), status


@bp.route("/")
@dispatchers
def index() -> ResponseReturnValue:
    return _list()


def _proposal(proposal_id: int) -> StatusProposal:
    found = proposals.find(db.session, proposal_id, station_scope(current_user))
    if found is None:
        abort(404)
    return found


def _date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise FieldError("effective_from", _("The date must look like 2026-11-23.")) from None


@bp.route("/<int:proposal_id>/confirm", methods=["POST"])
@dispatchers
def confirm(proposal_id: int) -> ResponseReturnValue:
    proposal = _proposal(proposal_id)
    try:
        day = _date(request.form.get("effective_from", ""))
        done = proposals.confirm(db.session, proposal, current_user.id, now(), day)
    except DomainError as exc:
        db.session.rollback()
        return _list({proposal_id: str(exc)}, exc.status_code)
    db.session.commit()
    flash(
        _(
            "%(name)s is %(status)s from %(day)s: %(requests)d requests and %(visits)d visits "
            "called off.",
            name=proposal.elder.name,
            status=label(proposal.status),
            day=proposal.effective_from,
            requests=done.requests_cancelled,
            visits=done.visits_cancelled,
        ),
        "success",
    )
    return redirect(url_for("outcomes.index"))


@bp.route("/<int:proposal_id>/dismiss", methods=["POST"])
@dispatchers
def dismiss(proposal_id: int) -> ResponseReturnValue:
    proposal = _proposal(proposal_id)
    try:
        proposals.dismiss(db.session, proposal, current_user.id, now())
    except DomainError as exc:
        db.session.rollback()
        return _list({proposal_id: str(exc)}, exc.status_code)
    db.session.commit()
    flash(_("Dismissed: %(name)s keeps the status.", name=proposal.elder.name), "success")
    return redirect(url_for("outcomes.index"))
