"""Device tokens for alarm buttons and call centres, and ``carehub devices``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from carehub.core import audit
from carehub.core.enums import Role
from carehub.core.time import format_local, now
from carehub.db import AnySession
from carehub.emergency.models import AlarmDevice


class DeviceUser:
    """A device behind a bearer token, as ``current_user``. It acts with a dispatcher's rights,
    but only the emergency API recognises device tokens, so nothing else is open to it."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    role = Role.DISPATCHER
    station_id = None
    caregiver = None

    def __init__(self, device: AlarmDevice) -> None:
        self.device = device
        self.id = None
        self.username = f"device:{device.name}"

    def get_id(self) -> str:
        return f"device:{self.device.id}"


def issue(session: AnySession, name: str) -> tuple[str, AlarmDevice]:
    token = AlarmDevice.new_token()
    device = AlarmDevice(name=name, token_hash=AlarmDevice.hash_token(token), created_at=now())
    session.add(device)
    session.flush()
    return token, device


def find_usable(session: AnySession, token: str) -> AlarmDevice | None:
    device = session.scalar(
        select(AlarmDevice).where(AlarmDevice.token_hash == AlarmDevice.hash_token(token))
    )
    return device if device is not None and device.revoked_at is None else None


def register(main: click.Group) -> None:
    @main.group("devices")
    def devices_group() -> None:
        """Alarm devices and call centres that raise emergencies through the API."""

    @devices_group.command("add")
    @click.argument("name")
    @with_appcontext
    def devices_add(name: str) -> None:
        """Issue a token for a device; it is printed once and only its hash is kept."""
        from carehub.extensions import db

        name = name.strip()
        if not name or len(name) > 80:
            raise click.BadParameter("1 to 80 characters", param_hint="NAME")
        if db.session.scalar(select(AlarmDevice).where(AlarmDevice.name == name)):
            raise click.BadParameter(f"a device named {name!r} exists", param_hint="NAME")
        with audit.acting_as("cli"):
            token, _device = issue(db.session, name)
            db.session.commit()
        click.echo(token)

    @devices_group.command("list")
    @with_appcontext
    def devices_list() -> None:
        """Every device: name, issued, last used, revoked."""
        from carehub.extensions import db

        for d in db.session.scalars(select(AlarmDevice).order_by(AlarmDevice.name)):
            click.echo(
                f"{d.name}\t{format_local(d.created_at)}\t{format_local(d.last_used_at) or '-'}"
                f"\t{'revoked ' + format_local(d.revoked_at) if d.revoked_at else 'active'}"
            )

    @devices_group.command("revoke")
    @click.argument("name")
    @with_appcontext
    def devices_revoke(name: str) -> None:
        """Revoke a device's token."""
        from carehub.extensions import db

        device = db.session.scalar(select(AlarmDevice).where(AlarmDevice.name == name))
        if device is None:
            raise click.BadParameter(f"no device named {name!r}", param_hint="NAME")
        with audit.acting_as("cli"):
            device.revoked_at = device.revoked_at or now()
            db.session.commit()
        click.echo(f"revoked {name}")
