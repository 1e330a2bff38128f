"""Writing new times for several visits without passing through an overlap.

The database refuses two published visits of one caregiver that overlap (migration
4b7e2c9d1a05). PostgreSQL checks that at commit, SQLite at every row, so a hand-over that
pushes a visit later to make room for another must write the push first. Each visit is
flushed on its own: visits moving later on their caregiver go first, latest first, each
into time the next has already left; then the rest (earlier, or to another caregiver) in
order of their new start. A final state with no overlap is reached without one on the way,
except when two visits swap places, which the guard then refuses as a conflict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from carehub.db import AnySession
from carehub.dispatch.models import Visit


@dataclass(frozen=True)
class Change:
    visit: Visit
    start: dt.datetime
    end: dt.datetime
    # Other attributes written with the times (caregiver, lent, pinned, route_seq), so each
    # visit is flushed, and its version raised, once.
    fields: Mapping[str, Any] = field(default_factory=dict)


def _order(change: Change) -> tuple[int, float]:
    v = change.visit
    target = change.fields.get("caregiver")
    stays = target is None or target.id == v.caregiver_id
    if stays and v.planned_start is not None and change.start > v.planned_start:
        return (0, -change.start.timestamp())
    return (1, change.start.timestamp())


def write(session: AnySession, changes: Sequence[Change]) -> None:
    """Apply the changes one visit at a time, in an order that never overlaps; flushes."""
    for change in sorted(changes, key=_order):
        v = change.visit
        for name, value in change.fields.items():
            if getattr(v, name) != value:
                setattr(v, name, value)
        v.planned_start = change.start
        v.planned_end = change.end
        session.flush()
