"""The part of a shift a caregiver can still work: after now, outside their absences.

Pure (seconds from local midnight in, seconds out), so the adapter and the tests share it.
The routing caregiver has one shift and one break, so a single absence inside the shift
becomes the break when it can stand in for lunch (or there is no lunch); otherwise the
longest free stretch of the shift is kept, which is safe but may leave work undone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from carehub.routing import Break


@dataclass(frozen=True)
class Shift:
    start: int
    end: int
    lunch: Break | None


def _fit(lunch: Break | None, start: int, end: int) -> Break | None:
    if lunch is None:
        return None
    s, e = max(lunch.start, start), min(lunch.end, end)
    return Break(s, e, lunch.duration) if lunch.duration <= e - s else None


def free_pieces(start: int, end: int, away: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    pieces = [(start, end)] if end > start else []
    for a, b in sorted(away):
        out = []
        for s, e in pieces:
            if b <= s or e <= a:
                out.append((s, e))
                continue
            if s < a:
                out.append((s, a))
            if b < e:
                out.append((b, e))
        pieces = out
    return pieces


def available(
    start: int,
    end: int,
    lunch: Break | None,
    away: Iterable[tuple[int, int]] = (),
    not_before: int | None = None,
) -> Shift | None:
    """What is left of [start, end] with lunch ``lunch``; None when nothing is."""
    if not_before is not None:
        start = max(start, not_before)
    pieces = free_pieces(start, end, away)
    if not pieces:
        return None
    if len(pieces) == 2:
        (s1, e1), (s2, e2) = pieces
        gap = Break(e1, s2, s2 - e1)
        covers_lunch = lunch is not None and (
            gap.duration >= lunch.duration and lunch.start <= e1 and s2 <= lunch.end
        )
        if lunch is None or covers_lunch:
            return Shift(s1, e2, gap)
    s, e = max(pieces, key=lambda p: (p[1] - p[0], -p[0]))
    return Shift(s, e, _fit(lunch, s, e))
