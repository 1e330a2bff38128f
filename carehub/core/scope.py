"""Which rows a user may name: a dispatcher tied to a station sees only that station's."""

from __future__ import annotations

from typing import Any

from carehub.core.enums import Role


def station_scope(user: Any) -> int | None:
    """The one station a dispatcher is limited to, or None for everyone else."""
    if user.role == Role.DISPATCHER:
        return user.station_id  # type: ignore[no-any-return]
    return None
