"""Account operations. They flush and audit; the caller commits."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from carehub.auth import sessions
from carehub.auth.models import User
from carehub.core.enums import Role
from carehub.db import AnySession
from carehub.registry.models import Caregiver, Station

MIN_PASSWORD = 8


class AccountError(ValueError):
    pass


def create_user(
    session: AnySession,
    *,
    username: str,
    role: Role,
    password: str,
    caregiver_code: str | None = None,
    station_code: str | None = None,
    display_name: str = "",
) -> User:
    username = username.strip()
    if not username:
        raise AccountError(_("A username is required."))
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(_("The username '%(name)s' is taken.", name=username))
    if len(password) < MIN_PASSWORD:
        raise AccountError(_("The password must be at least %(n)d characters.", n=MIN_PASSWORD))
    user = User(username=username, role=role, display_name=display_name or username, active=True)
    user.set_password(password)
    if caregiver_code:
        caregiver = session.scalar(select(Caregiver).where(Caregiver.code == caregiver_code))
        if caregiver is None:
            raise AccountError(_("No caregiver has the code '%(code)s'.", code=caregiver_code))
        user.caregiver = caregiver
        if not display_name:
            user.display_name = caregiver.name
    elif role == Role.CAREGIVER:
        raise AccountError(_("A caregiver account must be linked to a caregiver (--caregiver)."))
    if station_code:
        station = session.scalar(select(Station).where(Station.code == station_code))
        if station is None:
            raise AccountError(_("No station has the code '%(code)s'.", code=station_code))
        user.station = station
    session.add(user)
    session.flush()
    return user


def deactivate(session: AnySession, user: User) -> None:
    """Disable an account and end its open logins at once."""
    user.active = False
    sessions.end_all_for(user)
    session.flush()
