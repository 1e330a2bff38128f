"""Login and logout."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from carehub.auth import services, sessions, throttle
from carehub.auth.forms import LoginForm
from carehub.auth.models import User
from carehub.core import audit
from carehub.core.enums import Role
from carehub.core.permissions import any_role, public
from carehub.core.time import now
from carehub.extensions import db

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths, so a crafted link cannot bounce users elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(_landing(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        address = request.remote_addr
        try:
            throttle.check(db.session, username, address, now())
        except throttle.Throttled as exc:
            flash(too_many_message(exc.retry_after), "error")
            response = make_response(render_template("auth/login.html", form=form), 429)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        user = services.authenticate(db.session, username, form.password.data)
        if user is None:
            known = db.session.scalar(select(User.id).where(User.username == username))
            throttle.failed(db.session, username, address, known, "web", now())
            db.session.commit()
            flash(_("Wrong username or password, or the account is disabled."), "error")
            return render_template("auth/login.html", form=form), 401
        throttle.succeeded(db.session, username)
        # A fresh session at login: nothing planted before it (a CSRF token, a fixed
        # session) carries over. Only the language choice is kept.
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
        sessions.start(user)
        audit.record(db.session, "login", "User", user.id, note=request.remote_addr)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")) or _landing(user))
    return render_template("auth/login.html", form=form)


def too_many_message(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    if seconds < 60:
        return _("Too many failed logins. Try again in %(n)d seconds.", n=seconds)
    return _("Too many failed logins. Try again in %(n)d minutes.", n=minutes)


def _landing(user: User) -> str:
    """Where a role starts its day: a caregiver on the phone's route of today."""
    if user.role == Role.CAREGIVER:
        return url_for("mobile.route_page")
    return url_for("home.index")


@bp.route("/logout", methods=["POST"])
@any_role
def logout() -> ResponseReturnValue:
    user_id = current_user.id
    audit.record(db.session, "logout", "User", user_id)
    sessions.end(current_user._get_current_object())
    db.session.commit()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.app_template_global()
def caregiver_account(caregiver_id: int) -> User | None:
    """The login of a caregiver, for the registry's caregiver page: accounts sit above the
    registry, so the page asks here rather than the registry importing them."""
    return db.session.scalar(select(User).where(User.caregiver_id == caregiver_id))
