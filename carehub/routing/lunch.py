"""Where a caregiver's lunch break fits into a route whose visit starts are already fixed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from carehub.routing.problem import Caregiver


class Place(Protocol):
    """A visit, or a collection at a kitchen (its service is the loading)."""

    @property
    def location(self) -> int: ...

    @property
    def service(self) -> int: ...


def fit_lunch(
    travel: Sequence[Sequence[int]],
    c: Caregiver,
    departure: int,
    timed: Sequence[tuple[Place, int]],
    arrival_end: int,
    allowed: tuple[int, int] | None = None,
) -> int | None:
    """The earliest lunch start in ``allowed`` (by default the lunch window less its length)
    that fits the route as timed: before leaving, between two stops (the travel after it),
    or after coming back. None when it fits nowhere."""
    assert c.lunch is not None
    dur = c.lunch.duration
    if allowed is None:
        allowed = (c.lunch.start, c.lunch.end - dur)
    lo, hi = max(allowed[0], c.shift_start), allowed[1]
    if lo > hi:
        return None
    if lo + dur <= departure:
        return lo
    loc, ready = c.start_location, departure
    for v, start in (*timed, (None, arrival_end)):
        to = c.end_location if v is None else v.location
        b = max(lo, ready)
        if b <= hi and b + dur + travel[loc][to] <= start:
            return b
        if v is not None:
            loc, ready = v.location, start + v.service
    b = max(lo, arrival_end)
    return b if b <= hi and b + dur <= c.shift_end else None
