"""Errors end in a clear page or JSON message with a 4xx code, never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)
RETRY_AFTER_S = 5


class DomainError(Exception):
    """A rule the user broke; the message is shown to them."""

    status_code = 400


class ConflictError(DomainError):
    status_code = 409


class FieldError(DomainError):
    """A rule broken by one form field; views show the message next to that field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# Raised by the database guard (migration 4b7e2c9d1a05) on SQLite and named by the
# constraint on PostgreSQL.
OVERLAP_MARKS = ("visits_caregiver_overlap",)


def is_overlap(exc: BaseException) -> bool:
    """Whether a database error is the guard against two overlapping published visits."""
    return isinstance(exc, IntegrityError) and any(m in str(exc.orig) for m in OVERLAP_MARKS)


def overlap_message() -> str:
    return _(
        "This would give a caregiver two published visits at the same time. Nothing was saved."
    )


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def _respond(code: int, message: str) -> ResponseReturnValue:
    if _wants_json():
        return jsonify({"error": message, "status": code}), code
    return render_template("errors/error.html", code=code, message=message), code


def csrf_error(exc: CSRFError) -> ResponseReturnValue:
    return _respond(
        400, _("The form expired or was sent from elsewhere. Reload the page and try again.")
    )


def domain_error(exc: DomainError) -> ResponseReturnValue:
    return _respond(exc.status_code, str(exc))


def http_error(exc: HTTPException) -> ResponseReturnValue:
    messages = {
        400: _("The request could not be understood."),
        403: _("You do not have permission to open this page."),
        404: _("Not found."),
        405: _("This action is not allowed here."),
        409: _("Someone else changed this record first. Reload and try again."),
        413: _("The file is too large."),
    }
    code = exc.code or 500
    response = make_response(_respond(code, messages.get(code, exc.description or "")))
    # Keep what the exception says beyond its page: Allow on 405, Retry-After, ...
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def database_unavailable(exc: OperationalError) -> ResponseReturnValue:
    # Locked beyond the busy timeout, or unreachable: try again shortly; nothing was
    # written, as the transaction is rolled back.
    log.warning("database unavailable on %s %s: %s", request.method, request.path, exc.orig)
    from carehub.extensions import db

    try:
        db.session.rollback()
    except Exception:  # the connection may be gone too
        log.warning("rollback after a database error failed", exc_info=True)
    # The page must not ask the database about the user (who, or a lazy attribute):
    # it is what just failed. The page is drawn as for a visitor.
    from carehub.extensions import login_manager

    g._login_user = login_manager.anonymous_user()
    response = make_response(
        _respond(503, _("The database is busy or unreachable. Try again in a moment."))
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def integrity_error(exc: IntegrityError) -> ResponseReturnValue:
    from carehub.extensions import db

    db.session.rollback()
    if is_overlap(exc):
        return _respond(409, overlap_message())
    log.exception("integrity error on %s %s", request.method, request.path)
    return _respond(500, _("Something went wrong on our side. Nothing was saved."))


def unexpected(exc: Exception) -> ResponseReturnValue:
    log.exception("unhandled error on %s %s", request.method, request.path)
    from carehub.extensions import db

    db.session.rollback()
    return _respond(500, _("Something went wrong on our side. Nothing was saved."))


def register(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(DomainError, domain_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(IntegrityError, integrity_error)
    app.register_error_handler(Exception, unexpected)
