"""Every view states who may use it. The role test walks the URL map and reads these marks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from carehub.core.enums import Role

F = TypeVar("F", bound=Callable[..., Any])
ALL_ROLES = frozenset(Role)


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Only logged-in users with one of these roles; others get 403, anonymous users the login page."""
    allowed = frozenset(roles)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from carehub.extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapper.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def any_role(view: F) -> F:
    """Any logged-in user."""
    return roles_required(*ALL_ROLES)(view)


def public(view: F) -> F:
    """No login needed (the login page, health check, static assets)."""
    view.allowed_roles = None  # type: ignore[attr-defined]
    return view
