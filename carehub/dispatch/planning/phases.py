"""Where a planning run's time goes: seconds per step, kept on the run
(``input_summary["phase_s"]``) and logged, so a run that ends late says which step took the
time (docs/benchmarks.md#scale-out-on-workers)."""

from __future__ import annotations

import time

from carehub.routing.circles import Progress


class Phases:
    """A stopwatch of named steps, plus the circle solves' pass 1 seen through progress."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._at = time.monotonic()
        self._pass1: list[float] = []  # when pass 1 began, when it ended
        self._parts = 0

    def lap(self, name: str) -> None:
        """The time since the last lap goes to ``name``."""
        now = time.monotonic()
        self.seconds[name] = round(self.seconds.get(name, 0.0) + now - self._at, 2)
        self._at = now

    def watching(self, progress: Progress | None) -> Progress:
        """``progress`` (if any), also noting when pass 1 begins and when its parts are done:
        the first report gives the number of circles, before lending adds to the total."""

        def report(done: int, total: int) -> None:
            now = time.monotonic()
            if not self._pass1:
                self._pass1, self._parts = [now], total
            elif len(self._pass1) == 1 and done >= self._parts:
                self._pass1.append(now)
            if progress is not None:
                progress(done, total)

        return report

    def split_solve(self) -> None:
        """Split the solve's seconds, once it has ended: before pass 1 (cutting the circles'
        matrices), pass 1, and after it (insertion, lending)."""
        solve = self.seconds.get("solve")
        if solve is None or len(self._pass1) < 2:
            return
        began, ended = self._pass1
        after = time.monotonic() - ended
        self.seconds["solve_pass1"] = round(ended - began, 2)
        self.seconds["solve_after_pass1"] = round(after, 2)
        self.seconds["solve_before_pass1"] = round(max(0.0, solve - (ended - began) - after), 2)
