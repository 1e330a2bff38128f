"""What every /api/v1 blueprint shares: bearer tokens instead of the session cookie (so no
CSRF token and no login page), and errors answered as JSON ``{error, status[, fields]}``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, g, jsonify
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from werkzeug.exceptions import Forbidden, Unauthorized

from carehub.auth import tokens
from carehub.core.errors import FieldError
from carehub.extensions import csrf, db, login_manager
from carehub.fieldwork.payloads import PayloadError


def token_user(token: str) -> Any:
    """The user a phone's or dispatcher's token stands for, or None."""
    row = tokens.find_usable(db.session, token)
    return tokens.TokenUser(row) if row else None


def json_api(
    bp: Blueprint,
    user_for: Callable[[str], Any] = token_user,
    forbidden: Callable[[], str] | None = None,
) -> Blueprint:
    """Makes ``bp`` a bearer-token JSON API. ``user_for`` turns a token into a user (None for
    an unknown one); ``forbidden`` gives the 403 message when the blueprint has its own."""
    csrf.exempt(bp)

    @bp.record_once
    def _no_login_page(state: Any) -> None:
        # Anonymous API calls get 401, not a redirect to the HTML login form.
        login_manager.blueprint_login_views[bp.name] = None

    @bp.before_request
    def _bearer_user() -> None:
        token = tokens.bearer_from_request()
        user = user_for(token) if token else None
        g._login_user = user if user is not None else AnonymousUserMixin()

    @bp.errorhandler(PayloadError)
    def _payload_error(exc: PayloadError) -> Any:
        message = _("The request has errors; see the fields.")
        return jsonify({"error": message, "status": 400, "fields": exc.fields}), 400

    @bp.errorhandler(FieldError)
    def _field_error(exc: FieldError) -> Any:
        return jsonify({"error": str(exc), "status": 400, "fields": {exc.field: str(exc)}}), 400

    @bp.errorhandler(Unauthorized)
    def _unauthorized(exc: Unauthorized) -> Any:
        message = _("Log in again: a valid bearer token is needed.")
        response = jsonify({"error": message, "status": 401})
        response.headers["WWW-Authenticate"] = 'Bearer realm="carehub"'
        return response, 401

    @bp.errorhandler(Forbidden)
    def _forbidden(exc: Forbidden) -> Any:
        told = exc.description if exc.description != Forbidden.description else None
        own = forbidden() if forbidden else None
        message = told or own or _("You do not have permission to open this page.")
        return jsonify({"error": message, "status": 403}), 403

    return bp
