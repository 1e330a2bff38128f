"""The JSON API under /api/v1. Bearer tokens only: a session cookie is ignored here, so no
other site can make a logged-in browser post events (and CSRF tokens are not needed)."""

from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Forbidden, NotFound, Unauthorized

from carehub.auth import throttle, tokens
from carehub.auth.models import User
from carehub.auth.services import authenticate
from carehub.auth.views import too_many_message
from carehub.core import audit
from carehub.core.enums import Role
from carehub.core.permissions import any_role, public, roles_required
from carehub.core.time import EARLIEST_DAY, LATEST_DAY, in_service_range, local_today, now
from carehub.emergency import services as escalation
from carehub.extensions import db
from carehub.fieldwork import bearer, payloads, route
from carehub.fieldwork.models import EmergencyOffer
from carehub.fieldwork.payloads import PayloadError
from carehub.mobile import emergencies, events, openapi, upcoming
from carehub.notify import feed, push, vapid
from carehub.registry.models import Caregiver

bp = bearer.json_api(Blueprint("api_v1", __name__))
caregiver_only = roles_required(Role.CAREGIVER)
# Concurrent posts can race on the unique key or the visit's version; a retry replays.
ATTEMPTS = 5


def _locale() -> str:
    return str(get_locale() or "zh")


def _json_body(optional: bool = False) -> object:
    if optional and not request.get_data():
        return None
    body = request.get_json(silent=True)
    if body is None:
        raise PayloadError({"body": _("Send a JSON object.")})
    return body


def _caregiver() -> Caregiver:
    caregiver = current_user.caregiver
    if caregiver is None:
        raise Forbidden(_("This account is not linked to a caregiver."))
    return caregiver


@bp.route("/openapi.json")
@public
def openapi_document() -> ResponseReturnValue:
    return jsonify(openapi.document())


@bp.route("/auth/token", methods=["POST"])
@public
def create_token() -> ResponseReturnValue:
    username, password = payloads.parse_login(_json_body())
    address = request.remote_addr
    try:
        throttle.check(db.session, username, address, now())
    except throttle.Throttled as exc:
        response = jsonify({"error": too_many_message(exc.retry_after), "status": 429})
        response.headers["Retry-After"] = str(exc.retry_after)
        return response, 429
    user = authenticate(db.session, username, password)
    if user is None:
        known = db.session.scalar(select(User.id).where(User.username == username))
        throttle.failed(db.session, username, address, known, "api", now())
        db.session.commit()
        raise Unauthorized()
    throttle.succeeded(db.session, username)
    # Dispatchers get tokens for the emergency API; caregiver endpoints still refuse them.
    if user.role not in (Role.CAREGIVER, Role.DISPATCHER):
        raise Forbidden(_("Only caregiver and dispatcher accounts use the API."))
    token, row = tokens.issue(db.session, user)
    audit.record(db.session, "api_token", "User", user.id, note="issued")
    db.session.commit()
    return jsonify(
        {"token": token, "token_type": "Bearer", "expires_at": route.iso_local(row.expires_at)}
    ), 201


@bp.route("/auth/token", methods=["DELETE"])
@any_role
def revoke_token() -> ResponseReturnValue:
    tokens.revoke(current_user.token)
    audit.record(db.session, "api_token", "User", current_user.id, note="revoked")
    db.session.commit()
    return "", 204


@bp.route("/me")
@caregiver_only
def me() -> ResponseReturnValue:
    caregiver = _caregiver()
    return jsonify(
        {
            "id": current_user.id,
            "username": current_user.username,
            "display_name": current_user.display_name,
            "caregiver": {
                "code": caregiver.code,
                "name": caregiver.name,
                "station": caregiver.station.name,
                "station_phone": caregiver.station.phone,
            },
        }
    )


@bp.route("/me/visits")
@caregiver_only
def my_visits() -> ResponseReturnValue:
    caregiver = _caregiver()
    raw = request.args.get("date")
    day = local_today()
    if raw is not None:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise PayloadError({"date": _("Must be a date as YYYY-MM-DD.")}) from None
        if not in_service_range(day):
            raise PayloadError(
                {
                    "date": _(
                        "Must be a date from %(first)s to %(last)s.",
                        first=EARLIEST_DAY.isoformat(),
                        last=LATEST_DAY.isoformat(),
                    )
                }
            )
    locale = _locale()
    visits = route.visits_on(db.session, caregiver.id, day)
    return jsonify(
        {
            "date": day.isoformat(),
            "visits": route.route_json(db.session, visits, locale),
            "rounds": route.rounds_of(visits),
        }
    )


@bp.route("/rounds/<int:round_id>/collect", methods=["POST"])
@caregiver_only
def collect_round(round_id: int) -> ResponseReturnValue:
    caregiver = _caregiver()
    recorded_at = payloads.parse_collect(_json_body())
    found = route.own_round(db.session, caregiver.id, round_id)
    if found is None:
        raise NotFound()
    # The earliest collection counts, so a replay or a late duplicate changes nothing.
    if found.collected_at is None or recorded_at < found.collected_at:
        found.collected_at = recorded_at
    visits = [
        v
        for v in route.visits_on(db.session, caregiver.id, found.service_date)
        if v.meal_round_id == found.id
    ]
    body = route.round_json(found, visits)
    db.session.commit()
    return jsonify(body)


@bp.route("/me/emergencies")
@caregiver_only
def my_emergencies() -> ResponseReturnValue:
    caregiver = _caregiver()
    locale = _locale()
    offers = emergencies.open_offers(db.session, caregiver.id)
    return jsonify({"offers": [emergencies.offer_json(o, locale) for o in offers]})


@bp.route("/visits/<int:visit_id>/events", methods=["POST"])
@caregiver_only
def post_event(visit_id: int) -> ResponseReturnValue:
    caregiver = _caregiver()
    body = _json_body()
    data = payloads.parse_event(body)
    if not isinstance(body, dict):
        raise PayloadError({"body": _("Send a JSON object.")})
    digest = events.body_hash(visit_id, body)
    user = current_user.account
    for attempt in range(ATTEMPTS):
        try:
            visit = route.own_visit(db.session, caregiver.id, visit_id)
            if visit is None:
                raise NotFound()
            existing = events.find_by_key(db.session, user.id, data.idempotency_key)
            if existing is not None:
                answer = events.replay(existing, digest)
            else:
                answer = events.record(db.session, user, visit, data, digest)
                db.session.commit()
            break
        except (IntegrityError, StaleDataError):
            db.session.rollback()
            if attempt == ATTEMPTS - 1:
                raise
    response = jsonify(answer.body)
    if answer.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response, answer.status


def _offer(offer_id: int) -> EmergencyOffer:
    offer = emergencies.own_offer(db.session, _caregiver().id, offer_id)
    if offer is None:
        raise NotFound()
    return offer


@bp.route("/emergencies/<int:offer_id>/accept", methods=["POST"])
@caregiver_only
def accept_emergency(offer_id: int) -> ResponseReturnValue:
    offer = emergencies.accept(db.session, _offer(offer_id))
    locale = _locale()
    body = {
        "offer": emergencies.offer_json(offer, locale),
        "visit": route.visit_json(db.session, offer.visit, locale) if offer.visit else None,
    }
    db.session.commit()
    return jsonify(body)


@bp.route("/emergencies/<int:offer_id>/decline", methods=["POST"])
@caregiver_only
def decline_emergency(offer_id: int) -> ResponseReturnValue:
    reason = payloads.parse_decline(_json_body(optional=True))
    offer = emergencies.decline(db.session, _offer(offer_id), reason)
    escalation.after_decline(db.session, offer, now())
    body = {"offer": emergencies.offer_json(offer, _locale())}
    db.session.commit()
    return jsonify(body)


@bp.route("/me/changes")
@caregiver_only
def my_changes() -> ResponseReturnValue:
    """The open phone page asks this every few seconds: one primary-key read."""
    caregiver = _caregiver()
    raw = request.args.get("since")
    since = None
    if raw is not None:
        if not re.fullmatch("[0-9]{1,9}", raw):
            raise PayloadError({"since": _("Must be a version this endpoint answered.")})
        since = int(raw)
    version, changed_at = feed.version(db.session, caregiver.id)
    return jsonify(
        {
            "version": version,
            "changed": since is None or since != version,
            "changed_at": route.iso_local(changed_at),
        }
    )


@bp.route("/me/upcoming")
@caregiver_only
def my_upcoming() -> ResponseReturnValue:
    caregiver = _caregiver()
    today = local_today()
    visits = upcoming.visits_after(db.session, caregiver.id, today)
    return jsonify(upcoming.days_json(visits, today, _locale()))


@bp.route("/push/key")
@public
def push_key() -> ResponseReturnValue:
    return jsonify({"public_key": vapid.public_key(current_app)})


@bp.route("/me/push-subscription", methods=["PUT"])
@caregiver_only
def save_push_subscription() -> ResponseReturnValue:
    caregiver = _caregiver()
    endpoint, p256dh, auth = push.parse(_json_body())
    row, created = push.subscribe(
        db.session, current_user.account, caregiver, endpoint, p256dh, auth
    )
    body = {"id": row.id, "created_at": route.iso_local(row.created_at)}
    db.session.commit()
    return jsonify(body), 201 if created else 200


@bp.route("/me/push-subscription", methods=["DELETE"])
@caregiver_only
def delete_push_subscription() -> ResponseReturnValue:
    caregiver = _caregiver()
    body = _json_body()
    if not isinstance(body, dict):
        raise PayloadError({"body": _("Send a JSON object.")})
    extra = {name: _("Unknown field.") for name in body if name != "endpoint"}
    if extra:
        raise PayloadError(extra)
    endpoint = body.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > push.ENDPOINT_MAX:
        raise PayloadError({"endpoint": _("Give the subscription's endpoint.")})
    push.unsubscribe(db.session, caregiver, endpoint)
    db.session.commit()
    return "", 204
