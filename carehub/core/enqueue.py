"""Handing work to the task queue from a request.

A broker that cannot be reached must not turn into a traceback: the request answers 503
with a message (a page, or JSON under /api/) and, because the error is raised before the
view commits, nothing the request did is kept.
"""

from __future__ import annotations

import logging
from typing import Any

from flask_babel import gettext as _
from werkzeug.exceptions import ServiceUnavailable

log = logging.getLogger(__name__)
RETRY_AFTER_S = 30

try:  # the Redis transport's own errors, when its client is installed
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    _REDIS_ERRORS: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError)
except ImportError:  # pragma: no cover
    _REDIS_ERRORS = ()


class BrokerUnavailable(ServiceUnavailable):
    """The task broker did not take the task."""

    def __init__(self) -> None:
        super().__init__(
            description=_("Background work cannot be started right now. Try again in a moment."),
            retry_after=RETRY_AFTER_S,
        )


def broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError

    return (OperationalError, OSError, *_REDIS_ERRORS)


def enqueue(task: Any, *args: Any, **kwargs: Any) -> str:
    """Send ``task`` (a Celery task) with these arguments once, without the publisher's
    reconnect loop; returns the task id or raises ``BrokerUnavailable``."""
    try:
        result = task.apply_async(args=args, kwargs=kwargs, retry=False)
    except broker_errors() as exc:
        log.warning("task broker unavailable for %s: %s", getattr(task, "name", task), exc)
        raise BrokerUnavailable() from exc
    return str(result.id)
