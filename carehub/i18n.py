"""Chinese by default; English when the user asks (``?lang=en``, kept in the session)."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session


def select_locale() -> str:
    supported = current_app.config["LOCALES"]
    if not has_request_context():
        # Command-line tools and jobs: operators' logs, English unless configured.
        return str(current_app.config["CLI_LOCALE"])
    asked = request.args.get("lang")
    if asked in supported:
        session["lang"] = asked
        return str(asked)
    kept = session.get("lang")
    if kept in supported:
        return str(kept)
    return str(current_app.config["DEFAULT_LOCALE"])


def select_timezone() -> str:
    return str(current_app.config["TIMEZONE"])
