"""Process-wide set-up that must run once, such as the ORM session hooks: a SQLAlchemy
event listener is global, so one registered again (a second app in the same process, as
the tests and the CLI make) would run twice on every flush."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps


def once(setup: Callable[[], None]) -> Callable[[], None]:
    """``setup`` run on the first call only; later calls do nothing."""
    done = False

    @wraps(setup)
    def run() -> None:
        nonlocal done
        if done:
            return
        done = True
        setup()

    return run
