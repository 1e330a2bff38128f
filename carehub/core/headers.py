"""Security headers on every response, and settings that only hold behind HTTPS.

The Content-Security-Policy allows scripts and style sheets from this site only: pages keep
their data in ``<script type="application/json">`` blocks, which are not run, and their
behaviour in static files. Style attributes stay allowed (``style-src-attr``): timelines
place their bars with them, and an attribute cannot run script.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask_login import current_user


def content_security_policy(app: Flask) -> str:
    images = ["'self'", "data:"]
    tiles = urlsplit(app.config.get("MAP_TILE_URL") or "")
    if tiles.scheme in ("http", "https") and tiles.netloc:
        # Tile templates may name subdomains ({s}.tile...); allow the whole parent domain.
        host = tiles.netloc.replace("{s}.", "*.")
        images.append(f"{tiles.scheme}://{host}")
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "style-src-attr 'unsafe-inline'",
            "img-src " + " ".join(images),
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def install(app: Flask) -> None:
    if app.config.get("HTTPS"):
        # Only over HTTPS: the browser would drop a Secure cookie sent over plain HTTP.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        # __Host-: sent only to this host, path /, Secure; no subdomain can set it.
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
        app.config["SESSION_COOKIE_PATH"] = "/"
        app.config["SESSION_COOKIE_DOMAIN"] = None
    policy = content_security_policy(app)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = policy
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        # Set by the app, so the development server does not name Werkzeug and Python.
        headers["Server"] = "CareHub"
        if app.config.get("HTTPS"):
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        # Pages and JSON for a logged-in user or a token carry personal data: never cached.
        personal = request.endpoint not in (None, "static") and (
            getattr(current_user, "is_authenticated", False) or request.headers.get("Authorization")
        )
        if personal and not (request.endpoint or "").endswith(".static"):
            headers["Cache-Control"] = "no-store"
        return response
