"""Account operations. They flush and audit; the caller commits."""

from __future__ import annotations

import functools

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from carehub.auth import sessions
from carehub.auth.models import User
from carehub.core.enums import Role
from carehub.db import AnySession
from carehub.registry.models import Caregiver, Station

MIN_PASSWORD = 8
# Passwords guessed first everywhere (and the local favourites), refused whatever their length.
COMMON_PASSWORDS = frozenset(
    [
        "12345678",
        "123456789",
        "1234567890",
        "0123456789",
        "87654321",
        "11111111",
        "00000000",
        "88888888",
        "66666666",
        "12341234",
        "11223344",
        "123123123",
        "147258369",
        "987654321",
        "password",
        "password1",
        "password123",
        "passw0rd",
        "qwertyui",
        "qwertyuiop",
        "qwerty123",
        "1qaz2wsx",
        "1q2w3e4r",
        "1q2w3e4r5t",
        "zaq12wsx",
        "abcd1234",
        "abc12345",
        "a1b2c3d4",
        "aa123456",
        "admin123",
        "administrator",
        "iloveyou",
        "welcome1",
        "sunshine",
        "woaini1314",
        "woaini520",
        "5201314520",
        "13145201314",
        "asdfghjk",
        "asdf1234",
        "zxcvbnm1",
        "letmein1",
        "carehub1",
        "carehub123",
        "changeme",
    ]
)


class AccountError(ValueError):
    pass


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None: too short, or on the common list."""
    if len(password) < MIN_PASSWORD:
        return _("The password must be at least %(n)d characters.", n=MIN_PASSWORD)
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 3:
        return _("This password is among the first ones guessed; choose another.")
    return None


@functools.cache
def _stand_in_hash() -> str:
    return generate_password_hash("no account has this password")


def authenticate(session: AnySession, username: str, password: str) -> User | None:
    """The active user with this username and password, or None. An unknown username costs
    a hash check too, so the answer's timing does not tell which usernames exist."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        check_password_hash(_stand_in_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


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
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
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
