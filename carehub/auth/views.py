"""Login and logout."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from carehub.auth import sessions
from carehub.auth.forms import LoginForm
from carehub.auth.models import User
from carehub.core import audit
from carehub.core.enums import Role
from carehub.core.permissions import any_role, public
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
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(_landing(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        if user is None or not user.check_password(form.password.data) or not user.active:
            flash(_("Wrong username or password, or the account is disabled."), "error")
            return render_template("auth/login.html", form=form), 401
        sessions.start(user)
        audit.record(db.session, "login", "User", user.id, note=request.remote_addr)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")) or _landing(user))
    return render_template("auth/login.html", form=form)


def _landing(user: User) -> str:
    """Where a role starts its day: a caregiver on the phone's route of today."""
    if user.role == Role.CAREGIVER:
        return url_for("mobile.route_page")
    return url_for("home.index")


@bp.route("/logout", methods=["POST"])
@any_role
def logout():  # type: ignore[no-untyped-def]
    user_id = current_user.id
    audit.record(db.session, "logout", "User", user_id)
    sessions.end(current_user._get_current_object())
    db.session.commit()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))
