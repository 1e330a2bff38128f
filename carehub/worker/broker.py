"""The demo's SQLite broker made ready before a worker starts.

kombu's SQLAlchemy transport creates its tables on first use, checking first and creating
after, with a lock that holds only inside one process. The demo starts two workers at once
on one SQLite file, and the second's ``CREATE TABLE`` then failed: it logged "Connection to
broker lost" and reconnected. Workers take a file lock here instead, one at a time, so the
first creates the tables and the queues and the others find them.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterable
from pathlib import Path

from celery import Celery

from carehub.worker import SQLITE_BROKER


def lock_path(broker_url: str) -> Path | None:
    """The lock file beside a SQLite broker's file; None for any other broker."""
    if not broker_url.startswith(SQLITE_BROKER):
        return None
    return Path(broker_url.removeprefix(SQLITE_BROKER) + ".lock")


def prepare(celery: Celery, queues: Iterable[str]) -> bool:
    """Create a SQLite broker's tables and ``queues`` under the file lock, so workers
    starting together never race to create them. Whether there was anything to prepare
    (other brokers create what they need themselves)."""
    lock = lock_path(str(celery.conf.broker_url))
    if lock is None:
        return False
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            with celery.connection_for_write() as connection:
                channel = connection.default_channel
                for queue in queues:
                    channel.queue_declare(queue=queue)
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)
    return True
