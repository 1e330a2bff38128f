"""Route elimination for capacitated VRPTW: fewer vehicles by ejection, after Nagata & Bräysy.

A route is taken out and its customers go to an ejection pool. Each customer popped from the
pool is inserted where it fits; where it fits nowhere, it goes in at the place that ejects
the cheapest set of customers (at most `max_eject`, priced by how often each had to be put
back before, so the search does not cycle) and the ejected join the pool; then random
feasible relocations shake the routes. When the pool empties a route is gone for good and
the next one is tried, until the deadline.

OR-Tools' search only sees a try with one vehicle fewer as a plan that drops customers; this
works on the insertion itself, in integer time units, so every plan it returns is feasible
exactly as the routing model sees it (`check` says so in full precision too).
"""

from __future__ import annotations

import bisect
import itertools
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Data:
    """One depot (index 0) and customers 1..n in integer units; windows bound service start."""

    travel: Sequence[Sequence[int]]
    ready: Sequence[int]
    due: Sequence[int]
    service: Sequence[int]
    demand: Sequence[int]
    capacity: int


class _Route:
    """A route with its earliest service starts and latest feasible starts, kept current."""

    __slots__ = ("seq", "start", "latest", "load")

    def __init__(self, seq: list[int], d: Data) -> None:
        self.seq = seq
        self.start: list[int] = []
        self.latest: list[int] = []
        self.load = 0
        self.refresh(d)

    def refresh(self, d: Data) -> bool:
        """Recompute the timings; False when the route breaks a window, the horizon or load."""
        self.start, self.latest, self.load, ok = _timings(self.seq, d)
        return ok

    def positions(self, v: int, d: Data) -> list[int]:
        if self.load + d.demand[v] > d.capacity:
            return []
        seq, start, latest = self.seq, self.start, self.latest
        return [p for p in _span(start, latest, v, d) if _fits(seq, start, latest, v, p, d)]


def _timings(seq: Sequence[int], d: Data) -> tuple[list[int], list[int], int, bool]:
    tt, ready, due, service = d.travel, d.ready, d.due, d.service
    start: list[int] = []
    prev, t, ok = 0, ready[0], True
    for c in seq:
        s = max(t + tt[prev][c], ready[c])
        if s > due[c]:
            ok = False
        start.append(s)
        t = s + service[c]
        prev = c
    if t + tt[prev][0] > due[0]:
        ok = False
    latest = [0] * len(seq)
    nxt, z = 0, due[0]
    for i in range(len(seq) - 1, -1, -1):
        c = seq[i]
        z = min(due[c], z - tt[c][nxt] - service[c])
        latest[i] = z
        nxt = c
    load = sum(d.demand[c] for c in seq)
    return start, latest, load, ok and load <= d.capacity


def _span(start: Sequence[int], latest: Sequence[int], v: int, d: Data) -> range:
    """The positions for v not ruled out at once: before them the next stop's latest start
    leaves v no time; after them the stop before starts past v's window. Both only grow
    along a route, so two bisections find the range."""
    lo = bisect.bisect_left(latest, d.ready[v] + d.service[v])
    hi = bisect.bisect_right(start, d.due[v])
    return range(lo, hi + 1)


def _fits(
    seq: Sequence[int], start: Sequence[int], latest: Sequence[int], v: int, pos: int, d: Data
) -> bool:
    tt = d.travel
    if pos == 0:
        prev, t = 0, d.ready[0]
    else:
        prev = seq[pos - 1]
        t = start[pos - 1] + d.service[prev]
    s = max(t + tt[prev][v], d.ready[v])
    if s > d.due[v]:
        return False
    t = s + d.service[v]
    if pos == len(seq):
        return t + tt[v][0] <= d.due[0]
    nxt = seq[pos]
    return max(t + tt[v][nxt], d.ready[nxt]) <= latest[pos]


def _added(seq: Sequence[int], v: int, pos: int, cost: Sequence[Sequence[int]]) -> int:
    prev = seq[pos - 1] if pos else 0
    nxt = seq[pos] if pos < len(seq) else 0
    return cost[prev][v] + cost[v][nxt] - cost[prev][nxt]


CACHE_SIZE = 200_000


class _Search:
    def __init__(
        self,
        d: Data,
        cost: Sequence[Sequence[int]],
        rng: random.Random,
        deadline: float,
        max_eject: int,
        shakes: int,
        steps: int | None = None,
    ) -> None:
        self.d, self.cost, self.rng, self.deadline = d, cost, rng, deadline
        self.max_eject, self.shakes = max_eject, shakes
        self.steps = steps
        # Timings of routes with customers taken out: most routes are the same from one
        # ejection to the next, so most lookups hit.
        self.cut: dict[tuple[int, ...], tuple[list[int], list[int], int, bool]] = {}

    def timings(self, seq: tuple[int, ...]) -> tuple[list[int], list[int], int, bool]:
        found = self.cut.get(seq)
        if found is None:
            if len(self.cut) > CACHE_SIZE:
                self.cut.clear()
            found = self.cut[seq] = _timings(seq, self.d)
        return found

    def spent(self) -> bool:
        return time.monotonic() > self.deadline or self.steps == 0

    def insert_cheapest(self, routes: list[_Route], v: int) -> bool:
        best: tuple[int, _Route, int] | None = None
        for r in routes:
            for p in r.positions(v, self.d):
                delta = _added(r.seq, v, p, self.cost)
                if best is None or delta < best[0]:
                    best = (delta, r, p)
        if best is None:
            return False
        _, r, p = best
        r.seq.insert(p, v)
        r.refresh(self.d)
        return True

    def eject_insert(self, routes: list[_Route], v: int, penalty: dict[int, int]) -> list[int]:
        """Insert v where the customers it pushes out weigh least; return those customers."""
        d = self.d
        best_key: tuple[int, int] | None = None
        best: tuple[_Route, list[int], int] | None = None
        for r in routes:
            n = len(r.seq)
            room = d.capacity - d.demand[v] - r.load  # negative: load that must come out
            for k in range(1, min(self.max_eject, n) + 1):
                for out in itertools.combinations(range(n), k):
                    weight = sum(penalty[r.seq[i]] for i in out)
                    if best_key is not None and weight > best_key[0]:
                        continue
                    if room < 0 and sum(d.demand[r.seq[i]] for i in out) < -room:
                        continue
                    kept = tuple(c for i, c in enumerate(r.seq) if i not in out)
                    start, latest, _, ok = self.timings(kept)
                    if not ok:
                        continue
                    for p in _span(start, latest, v, d):
                        if _fits(kept, start, latest, v, p, d):
                            key = (weight, self.rng.randrange(1 << 30))
                            if best_key is None or key < best_key:
                                best_key, best = key, (r, [r.seq[i] for i in out], p)
                            break
                if best_key is not None and best_key[0] <= k:
                    break  # a set of k customers weighs at least k: nothing larger can beat it
            if self.spent():
                break
        if best is None:
            return []
        r, ejected, p = best
        r.seq = [c for c in r.seq if c not in ejected]
        r.seq.insert(p, v)
        r.refresh(d)
        return ejected

    def shake(self, routes: list[_Route]) -> None:
        """Random feasible relocations, to leave room elsewhere for what the pool holds."""
        d, rng = self.d, self.rng
        for _ in range(self.shakes):
            src, dst = rng.choice(routes), rng.choice(routes)
            if not src.seq or src is dst:
                continue
            i = rng.randrange(len(src.seq))
            v = src.seq[i]
            places = dst.positions(v, d)
            if not places:
                continue
            del src.seq[i]
            if not src.refresh(d):
                # Only where travel times break the triangle inequality (rounding, a matrix).
                src.seq.insert(i, v)
                src.refresh(d)
                continue
            dst.seq.insert(rng.choice(places), v)
            dst.refresh(d)

    def delete_route(self, routes: list[list[int]]) -> list[list[int]] | None:
        d, rng = self.d, self.rng
        work = [_Route(list(r), d) for r in routes]
        victim = work.pop(rng.randrange(len(work)))
        pool = list(victim.seq)
        rng.shuffle(pool)
        penalty = dict.fromkeys(range(1, len(d.ready)), 1)
        while pool:
            if self.spent():
                return None
            if self.steps is not None:
                self.steps -= 1
            v = pool.pop()
            if self.insert_cheapest(work, v):
                continue
            penalty[v] += 1
            ejected = self.eject_insert(work, v, penalty)
            if not ejected:
                return None
            pool.extend(ejected)
            self.shake(work)
        return [r.seq for r in work if r.seq]


def eliminate(
    d: Data,
    routes: Sequence[Sequence[int]],
    seconds: float,
    cost: Sequence[Sequence[int]] | None = None,
    seed: int = 1,
    max_eject: int = 2,
    shakes: int = 100,
    patience: float | None = None,
    steps: int | None = None,
) -> list[list[int]]:
    """The fewest routes found within `seconds`, starting from feasible `routes`.

    With `patience`, it stops once that many seconds pass without a route removed, leaving
    the rest of the budget to whatever shortens the routes next. With `steps`, it also stops
    after that many customers are taken from the pool: a budget that, unlike seconds, gives
    the same routes on any machine. Returns `routes` unchanged when no route could be removed.
    """
    for r in routes:
        if not _timings(r, d)[3]:
            raise ValueError("routes: the starting plan must be feasible")
    end = time.monotonic() + seconds
    search = _Search(
        d,
        cost if cost is not None else d.travel,
        random.Random(seed),
        end,
        max_eject,
        shakes,
        steps,
    )
    best = [list(r) for r in routes if r]
    if patience is not None:
        search.deadline = min(search.deadline, time.monotonic() + patience)
    while len(best) > 1 and not search.spent():
        fewer = search.delete_route(best)
        if fewer is not None:
            best = fewer
            if patience is not None:
                search.deadline = min(end, time.monotonic() + patience)
    return best
