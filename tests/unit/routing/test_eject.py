"""Route elimination: fewer routes, every customer kept, every route feasible."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carehub_bench import eject

FAR = 1000


def _data(travel: list[list[int]], capacity: int = 2, horizon: int = 100) -> eject.Data:
    n = len(travel)
    return eject.Data(
        travel=travel,
        ready=[0] * n,
        due=[horizon] * n,
        service=[0] + [1] * (n - 1),
        demand=[0] + [1] * (n - 1),
        capacity=capacity,
    )


def _feasible(d: eject.Data, route: Sequence[int]) -> bool:
    """Solomon's rules, recomputed here rather than through the module's own timings."""
    if sum(d.demand[c] for c in route) > d.capacity:
        return False
    t, here = d.ready[0], 0
    for c in route:
        t = max(t + d.travel[here][c], d.ready[c])
        if t > d.due[c]:
            return False
        t += d.service[c]
        here = c
    return t + d.travel[here][0] <= d.due[0]


def _pairs_only(compatible: set[frozenset[int]]) -> list[list[int]]:
    """Four customers one unit from the depot; two can share a route only if listed."""
    m = [[0] * 5 for _ in range(5)]
    for i in range(5):
        for j in range(5):
            if i != j:
                ok = 0 in (i, j) or frozenset((i, j)) in compatible
                m[i][j] = 1 if ok else FAR
    return m


def test_a_route_goes_when_its_customer_ejects_another() -> None:
    # {1,2} is full (capacity 2) and 3 fits only beside 1, 4 only beside 2: removing {3} or
    # {4} needs an ejection; {1,3},{2,4} is the only plan with two routes.
    d = _data(_pairs_only({frozenset((1, 2)), frozenset((1, 3)), frozenset((2, 4))}))
    for seed in range(5):
        routes = eject.eliminate(d, [[1, 2], [3], [4]], 30.0, seed=seed, steps=200)
        assert sorted(sorted(r) for r in routes) == [[1, 3], [2, 4]]
        assert all(_feasible(d, r) for r in routes)


def test_a_budget_of_steps_gives_the_same_routes_each_time() -> None:
    d = _data(_pairs_only({frozenset((1, 2)), frozenset((1, 3)), frozenset((2, 4))}))
    runs = [eject.eliminate(d, [[1, 2], [3], [4]], 30.0, seed=3, steps=2) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2] == [[1, 3], [2, 4]]
    # One customer from the pool places 3 by ejecting 2, but 2 is then still to place.
    assert eject.eliminate(d, [[1, 2], [3], [4]], 30.0, seed=3, steps=1) == [[1, 2], [3], [4]]


def test_nothing_removable_returns_the_start() -> None:
    d = _data(_pairs_only(set()))
    start = [[1], [2], [3], [4]]
    assert eject.eliminate(d, start, 0.1) == start


def test_an_infeasible_start_is_refused() -> None:
    d = _data(_pairs_only({frozenset((1, 2))}))
    with pytest.raises(ValueError, match="routes"):
        eject.eliminate(d, [[1, 3], [2], [4]], 0.1)


@st.composite
def _instances(draw: st.DrawFn) -> eject.Data:
    n = draw(st.integers(2, 10))
    pts = [(50, 50)] + [(draw(st.integers(0, 100)), draw(st.integers(0, 100))) for _ in range(n)]
    travel = [[abs(a[0] - b[0]) + abs(a[1] - b[1]) for b in pts] for a in pts]
    horizon = 400
    ready, due = [0], [horizon]
    for c in range(1, n + 1):
        # Every customer can be served alone: its window opens after the earliest arrival.
        earliest = travel[0][c]
        latest = horizon - travel[c][0] - 10
        lo = draw(st.integers(earliest, latest))
        ready.append(lo)
        due.append(draw(st.integers(lo, latest)))
    return eject.Data(
        travel=travel,
        ready=ready,
        due=due,
        service=[0] + [10] * n,
        demand=[0] + [draw(st.integers(1, 5)) for _ in range(n)],
        capacity=draw(st.integers(5, 15)),
    )


@settings(max_examples=40, deadline=None)
@given(_instances(), st.integers(0, 3))
def test_every_customer_stays_once_on_a_feasible_route(d: eject.Data, seed: int) -> None:
    start = [[c] for c in range(1, len(d.ready))]
    routes = eject.eliminate(d, start, 0.02, seed=seed)
    assert sorted(c for r in routes for c in r) == list(range(1, len(d.ready)))
    assert all(r and _feasible(d, r) for r in routes)
    assert len(routes) <= len(start)
