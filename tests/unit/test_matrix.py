"""Matrices from coordinates: lazy over a city's places, dense over a district's, equal to the
last bit; and the routing ``Matrix`` that holds either."""

from __future__ import annotations

import pickle
import random

import numpy as np
import pytest

from carehub.geo.matrix import LazyModelMatrix, ModelMatrices
from carehub.geo.travel import TravelModel
from carehub.routing import Caregiver, Problem, Visit, Window
from carehub.routing.problem import LazyMatrix, Matrix
from carehub.routing.subproblem import subproblem


def _points(n: int, seed: int = 3) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    # A city's spread (about 40 x 40 km around Tianjin), with repeated places.
    pts = [(38.95 + 0.35 * rng.random(), 117.0 + 0.45 * rng.random()) for _ in range(n)]
    return pts + pts[:5]


def test_small_point_sets_get_dense_arrays_and_large_ones_lazy() -> None:
    pts = _points(40)
    dense = ModelMatrices(TravelModel(), dense_max=100).matrices(pts, ["ebike", "walk"])
    lazy = ModelMatrices(TravelModel(), dense_max=10).matrices(pts, ["ebike", "walk"])
    assert isinstance(dense.distance, np.ndarray) and dense.distance.dtype == np.int64
    assert isinstance(lazy.distance, LazyModelMatrix)
    assert isinstance(lazy.travel["walk"], LazyMatrix)


def test_lazy_entries_and_blocks_equal_the_dense_matrix_exactly() -> None:
    pts = _points(300)
    dense = ModelMatrices(TravelModel(), dense_max=10_000).matrices(pts, ["ebike", "walk"])
    lazy = ModelMatrices(TravelModel(), dense_max=0).matrices(pts, ["ebike", "walk"])
    n = len(pts)
    keep = random.Random(5).sample(range(n), 60)
    for mode in ("ebike", "walk"):
        full = np.asarray(dense.travel[mode])
        source = lazy.travel[mode]
        assert isinstance(source, LazyModelMatrix)
        assert all(source.entry(i, j) == full[i, j] for i in range(n) for j in range(n))
        assert np.array_equal(source.block(keep, keep), full[np.ix_(keep, keep)])
    full = np.asarray(dense.distance)
    assert isinstance(lazy.distance, LazyModelMatrix)
    assert all(lazy.distance.entry(i, j) == full[i, j] for i in range(n) for j in range(n))
    # The same place twice is no distance; walking takes longer than the e-bike.
    assert lazy.distance.entry(0, n - 5) == 0
    assert (np.asarray(dense.travel["walk"]) >= np.asarray(dense.travel["ebike"])).all()


def test_a_lazy_matrix_is_never_built_whole() -> None:
    class Counting:
        def __init__(self, n: int) -> None:
            self.n, self.cells = n, 0

        def __len__(self) -> int:
            return self.n

        def entry(self, i: int, j: int) -> int:
            self.cells += 1
            return abs(i - j)

        def block(self, rows, cols):
            self.cells += len(rows) * len(cols)
            return np.abs(np.subtract.outer(np.asarray(rows), np.asarray(cols))).astype(np.int64)

    source = Counting(100_000)
    m = Matrix(source)
    assert len(m) == 100_000 and m[7][3] == 4 and m[-1][0] == 99_999
    part = m.cut([5, 90_000, 17])
    assert part.array is not None and part.array.tolist() == [
        [0, 89_995, 12],
        [89_995, 0, 89_983],
        [12, 89_983, 0],
    ]
    assert source.cells == 1 + 1 + 9
    with pytest.raises(IndexError):
        m[100_000]


def test_matrix_takes_rows_or_arrays_and_names_bad_input() -> None:
    rows = [[0, 5], [6, 0]]
    m = Matrix(rows)
    assert m[1][0] == 6 and isinstance(m[1][0], int) and m == Matrix(np.array(rows))
    with pytest.raises(ValueError, match="row 1 has 1 entries, expected 2"):
        Matrix([[0, 1], [2]], "travel['ebike']")
    with pytest.raises(ValueError, match="distance: row 0 has a negative entry"):
        Matrix(np.array([[0, -1], [1, 0]]), "distance")
    with pytest.raises(ValueError, match="must be square"):
        Matrix(np.zeros((2, 3), dtype=int))
    with pytest.raises(ValueError, match="must hold integers"):
        Matrix(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="has 2 rows, expected 3"):
        Matrix(rows, "travel", 3)


def test_a_pickled_matrix_leaves_its_row_cache_behind() -> None:
    m = Matrix(np.arange(10_000, dtype=np.int64).reshape(100, 100))
    before = len(pickle.dumps(m))
    assert m[3][4] == 304  # fills the row cache
    after = pickle.dumps(m)
    assert len(after) == before
    assert pickle.loads(after)[99][99] == 9_999


def _problem(n_places: int, dense_max: int) -> Problem:
    pts = _points(n_places)
    m = ModelMatrices(TravelModel(), dense_max=dense_max).matrices(pts, ["ebike"])
    visits = tuple(Visit(f"v{i}", i, (Window(8 * 3600, 17 * 3600),), 1800) for i in range(3, 50))
    cgs = (Caregiver("c1", 0, 0, 8 * 3600, 17 * 3600), Caregiver("c2", 1, 2, 8 * 3600, 17 * 3600))
    return Problem(visits, cgs, {"ebike": m.travel["ebike"]}, m.distance)


def test_a_part_of_a_lazy_problem_equals_the_part_of_the_dense_one() -> None:
    lazy, dense = _problem(2_000, 0), _problem(2_000, 10_000)
    assert lazy.distance.lazy is not None and dense.distance.array is not None
    pick = [lazy.visits[i] for i in (4, 30, 9)]
    a = subproblem(lazy, pick, lazy.caregivers[1:])
    b = subproblem(dense, [dense.visits[i] for i in (4, 30, 9)], dense.caregivers[1:])
    assert a.travel["ebike"] == b.travel["ebike"] and a.distance == b.distance
    assert len(a.distance) == 5  # the caregiver's two places and three visits
    assert a.travel["ebike"].array is not None
