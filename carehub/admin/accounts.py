"""Account changes an administrator makes besides creating and deactivating (see auth.services)."""

from __future__ import annotations

from carehub.auth import sessions
from carehub.auth.models import User
from carehub.auth.services import AccountError, password_problem
from carehub.db import AnySession


def reactivate(session: AnySession, user: User) -> None:
    user.active = True
    session.flush()


def reset_password(session: AnySession, user: User, password: str, *, end_sessions: bool) -> None:
    """Set a new password; anyone still logged in with the old one is logged out when asked,
    and every API token issued under the old one stops working in any case."""
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    user.set_password(password)
    if end_sessions:
        sessions.end_all_for(user)
    else:
        sessions.revoke_tokens_of(user)
    session.flush()
