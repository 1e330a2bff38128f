"""A run's time limit as a wall-clock deadline, and how it is split between the steps.

A plan's limit covers the whole run: building the matrices, the circle solves, insertion,
lending and writing the visits. The deadline is wall-clock time (``time.time()``) because the
solver's worker processes share it; each step takes what is left when it starts, so a slow
step (a busy machine, the pool's first start) shortens the later ones instead of making the
run late.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Deadline:
    end: float  # time.time() by which the work must be done

    @classmethod
    def after(cls, seconds: float, now: float | None = None) -> Deadline:
        return cls((time.time() if now is None else now) + seconds)

    def left(self, now: float | None = None) -> float:
        """Seconds until the deadline, never negative."""
        return max(0.0, self.end - (time.time() if now is None else now))

    def earlier(self, seconds: float) -> Deadline:
        """The deadline of a step that must leave ``seconds`` for what comes after it."""
        return Deadline(self.end - max(0.0, seconds))

    def share(self, fraction: float, rest_s: float = 0.0, now: float | None = None) -> Deadline:
        """The deadline of a step getting ``fraction`` of what is left once ``rest_s``
        (a measured estimate of the steps after it) is set aside."""
        now = time.time() if now is None else now
        return Deadline(now + max(0.0, self.left(now) - max(0.0, rest_s)) * fraction)

    def at_least(self, seconds: float, now: float | None = None) -> Deadline:
        """This deadline, or ``seconds`` from now when that is later: for a step too cheap
        and too useful to skip when the steps before it ran late."""
        now = time.time() if now is None else now
        return Deadline(max(self.end, now + seconds))
