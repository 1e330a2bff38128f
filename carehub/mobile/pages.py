"""The caregiver's phone page at /m/. The page is a shell: its script reads the route from
the API, keeps a copy and a queue of unsent events on the phone, and works offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from carehub.auth import tokens
from carehub.auth.models import LoginSession
from carehub.core import audit
from carehub.core.enums import Role
from carehub.core.permissions import public, roles_required
from carehub.extensions import db
from carehub.fieldwork.vocab import OUTCOME_LABELS
from carehub.notify import vapid

bp = Blueprint("mobile", __name__)
STATIC = Path(__file__).resolve().parent.parent / "static" / "mobile"


@bp.record_once
def _install_phone_feed(state: Any) -> None:
    # Every app that serves the phone page keeps its change counter, in any process
    # (web, scheduler, command line).
    from carehub.notify import feed

    feed.install()


@bp.after_app_request
def _clear_phone_on_logout(response: Response) -> Response:
    # Whatever page the caregiver logs out from, the browser drops the stored route,
    # the event queue and the offline copies of the pages.
    if request.endpoint == "auth.logout":
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


def strings() -> dict[str, str]:
    """Every text the page's script shows, translated here because the script cannot."""
    return {
        **_visit_strings(),
        **_sending_strings(),
        **_meal_and_notice_strings(),
        **{f"outcome_{key.value}": str(label) for key, label in OUTCOME_LABELS.items()},
    }


def _visit_strings() -> dict[str, str]:
    """The route, the emergency jobs and what a caregiver records at a visit."""
    return {
        "loading": _("Loading today's route…"),
        "offline_copy": _("Offline: showing the copy saved at %(time)s."),
        "no_copy": _("Offline and no saved route yet. Connect once to load today's route."),
        "no_visits": _("No visits published for you today."),
        "emergencies": _("Emergency jobs"),
        "accept": _("Accept"),
        "decline": _("Decline"),
        "accepted": _("Accepted: the visit is on your route."),
        "call": _("Call %(phone)s"),
        "navigate": _("Navigate"),
        "check_in": _("Check in"),
        "check_out": _("Check out"),
        "checked_in_at": _("Checked in %(time)s"),
        "checked_out_at": _("Checked out %(time)s"),
        "checklist": _("Checklist"),
        "outcome": _("Outcome"),
        "save_outcome": _("Save outcome"),
        "choose_outcome": _("Choose the outcome"),
        "note": _("Note"),
        "save_note": _("Save note"),
        "notes": _("Notes"),
        "condition": _("Change in condition"),
        "condition_hint": _(
            "Noticed a change (a fall, new confusion, eating much less)? Say what changed: "
            "an assessor will visit sooner."
        ),
        "flag_change": _("Flag for re-assessment"),
        "flagged_at": _("Flagged %(time)s:"),
        "condition_change_type": _("Change in condition"),
    }


def _sending_strings() -> dict[str, str]:
    """What is waiting to be sent, the phone's location, and each stop's status."""
    return {
        "pending": _("Waiting to send: %(n)s"),
        "all_sent": _("Everything is sent."),
        "failed": _("Not accepted by the server"),
        "locating": _("Getting your location…"),
        "no_location": _("Location unavailable; recorded without it."),
        "queued": _("Saved on the phone; it will be sent when the network is back."),
        "far": _("%(m)s m from the elder's home: flagged for review."),
        "far_flag": _("Recorded far from the elder's home; flagged for review."),
        "unsent_logout": _("Records not sent yet: %(n)s. They will be lost. Log out anyway?"),
        "check_in_type": _("Check-in"),
        "check_out_type": _("Check-out"),
        "outcome_type": _("Outcome"),
        "note_type": _("Note"),
        "online": _("Online"),
        "offline": _("Offline"),
        "status_published": _("Published"),
        "status_checked_in": _("Checked in"),
        "status_completed": _("Completed"),
        "status_missed": _("Missed"),
        "emergency": _("Emergency"),
    }


def _meal_and_notice_strings() -> dict[str, str]:
    """Meal collections, the office's updates, coming days and notifications."""
    return {
        "collect_meals": _("Meals to collect at %(kitchen)s: %(n)s"),
        "collect": _("Mark collected"),
        "collected_at": _("Collected %(time)s"),
        "collect_type": _("Collection"),
        "diet": _("Diet: %(notes)s"),
        "updated": _("Updated by the office at %(time)s."),
        "upcoming": _("Coming days (visits: %(n)s)"),
        "day_off": _("no visits"),
        "push_enable": _("Turn on notifications"),
        "push_on": _(
            "Notifications are on: emergency jobs reach this phone even when the page is closed."
        ),
        "push_denied": _(
            "Notifications are blocked on this phone; emergency jobs come by text message."
        ),
        "push_failed": _("Notifications could not be turned on."),
    }


@bp.route("/")
@roles_required(Role.CAREGIVER)
def route_page() -> ResponseReturnValue:
    return render_template(
        "mobile/route.html",
        strings=strings(),
        outcomes=[key.value for key in OUTCOME_LABELS],
        linked=current_user.caregiver is not None,
        vapid_key=vapid.public_key(current_app),
    )


@bp.route("/token", methods=["POST"])
@roles_required(Role.CAREGIVER)
def page_token() -> ResponseReturnValue:
    """A bearer token for the page's script, tied to this browser login so it ends with it."""
    login = db.session.scalar(
        select(LoginSession).where(
            LoginSession.token_hash == LoginSession.hash_token(current_user.get_id())
        )
    )
    token, _row = tokens.issue(
        db.session, current_user.account, login_session_id=login.id if login else None
    )
    audit.record(db.session, "api_token", "User", current_user.id, note="issued to /m")
    db.session.commit()
    return jsonify({"token": token, "user_id": current_user.id}), 201


@bp.route("/sw.js")
@public
def service_worker() -> ResponseReturnValue:
    # Served from /m/ rather than /static/ so that its scope covers the phone page.
    response = Response((STATIC / "sw.js").read_bytes(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response
