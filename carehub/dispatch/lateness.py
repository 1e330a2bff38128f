"""When a visit not yet checked in counts as late or missed: the rule the alerts raise and
the board counts by, kept with the visits so both read it from below."""

from __future__ import annotations

import datetime as dt

from carehub.core.enums import AlertKind, VisitStatus
from carehub.core.time import local_to_utc, local_zone

# Visits not yet checked in; a checked-in, completed or cancelled visit is never late.
WAITING = (VisitStatus.PLANNED, VisitStatus.PUBLISHED)


def due_kind(
    day: dt.date,
    window_start: dt.time,
    window_end: dt.time,
    now: dt.datetime,
    late_grace: dt.timedelta,
    missed_grace: dt.timedelta,
) -> AlertKind | None:
    """Missed when ``now`` is past the window's end plus its grace, late when past its start
    plus its grace; for a visit not yet checked in."""
    if now >= local_to_utc(day, window_end) + missed_grace:
        return AlertKind.MISSED_VISIT
    if now >= local_to_utc(day, window_start) + late_grace:
        return AlertKind.LATE_VISIT
    return None


def due_wall(day: dt.date, now: dt.datetime, grace: dt.timedelta) -> dt.time | None:
    """The latest window bound (local wall time on ``day``) that ``now`` has passed by
    ``grace``: ``due_kind`` as a bound for a query. None when no bound on ``day`` has."""
    local = (now - grace).astimezone(local_zone())
    if local.date() < day:
        return None
    if local.date() > day:
        return dt.time.max
    return local.time().replace(tzinfo=None)
