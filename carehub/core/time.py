"""Store UTC, show Asia/Shanghai. The clock is injectable so tests can fix 'now'."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def now() -> dt.datetime:
    """The current instant, aware, from the app's clock (``CLOCK`` config) when one is set."""
    if has_app_context():
        clock: Clock | None = current_app.config.get("CLOCK")
        if clock is not None:
            value = clock()
            if value.tzinfo is None:
                raise ValueError("the configured clock returned a naive datetime")
            return value.astimezone(dt.UTC)
    return system_clock()


def local_zone() -> ZoneInfo:
    name = current_app.config["TIMEZONE"] if has_app_context() else "Asia/Shanghai"
    return ZoneInfo(name)


def to_local(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime cannot be shown in local time")
    return value.astimezone(local_zone())


def local_today() -> dt.date:
    return now().astimezone(local_zone()).date()


# Dates the service can mean. Anything outside is a typo or a probe, and near year 1 or
# 9999 the zone arithmetic overflows.
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2099, 12, 31)


def in_service_range(day: dt.date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


def local_to_utc(day: dt.date, wall: dt.time) -> dt.datetime:
    """A local wall-clock time on a local date, as a UTC instant."""
    return dt.datetime.combine(day, wall, tzinfo=local_zone()).astimezone(dt.UTC)


def format_local(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    local = to_local(value)
    return local.strftime(fmt) if local else ""
