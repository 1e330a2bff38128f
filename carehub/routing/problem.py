"""The routing problem and its plan, as frozen values checked on construction.

Times are integer seconds from midnight, durations seconds, distances metres. A visit's time
window bounds the start of service (the Solomon convention); waiting before it is allowed.
Locations are indices into the travel matrices.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, overload, runtime_checkable

import numpy as np
import numpy.typing as npt

PRIORITIES = (1, 2, 3, 4)  # emergency, health, personal care, cleaning

REASON_NO_CAREGIVER = "no caregiver with the skill/gender"
REASON_WINDOW = "window unreachable"
REASON_CAPACITY = "capacity"

IntArray = npt.NDArray[np.int64]


def _fail(where: str, message: str) -> None:
    raise ValueError(f"{where}: {message}")


@dataclass(frozen=True)
class Window:
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            _fail("window", f"needs 0 <= start <= end, got [{self.start}, {self.end}]")

    def __contains__(self, t: object) -> bool:
        return isinstance(t, int) and self.start <= t <= self.end


@dataclass(frozen=True)
class Visit:
    id: str
    location: int
    windows: tuple[Window, ...]
    service: int
    skill: str | None = None
    caregivers_needed: int = 1
    priority: int = 3
    pinned_caregiver: str | None = None
    pinned_time: int | None = None
    preferred_caregiver: str | None = None
    gender: str | None = None
    demand: int = 0
    # The second caregiver of a pinned two-caregiver visit (both were confirmed).
    pinned_partner: str | None = None
    # A meal drop: collected at this kitchen (Kitchen.id) first; `service` is the drop itself.
    kitchen: str | None = None
    # Caregivers never to send ("do not send", hard); they need not work that day.
    excluded: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        where = f"visit {self.id!r}"
        object.__setattr__(self, "excluded", frozenset(self.excluded))
        if not self.windows:
            _fail(where, "windows must not be empty")
        ordered = sorted(self.windows, key=lambda w: w.start)
        if any(a.end >= b.start for a, b in zip(ordered, ordered[1:], strict=False)):
            _fail(where, "windows must not overlap or touch")
        object.__setattr__(self, "windows", tuple(ordered))
        if self.location < 0:
            _fail(where, "location must be >= 0")
        if self.service < 0:
            _fail(where, "service must be >= 0")
        if self.caregivers_needed not in (1, 2):
            _fail(where, "caregivers_needed must be 1 or 2")
        if self.priority not in PRIORITIES:
            _fail(where, f"priority must be one of {PRIORITIES}")
        if self.pinned_time is not None and not self.allows(self.pinned_time):
            _fail(where, "pinned_time lies outside every window")
        if self.demand < 0:
            _fail(where, "demand must be >= 0")
        if self.pinned_partner is not None and (
            self.caregivers_needed != 2
            or self.pinned_caregiver is None
            or self.pinned_partner == self.pinned_caregiver
        ):
            _fail(where, "pinned_partner needs two caregivers and a different pinned_caregiver")
        if self.kitchen is not None and self.caregivers_needed != 1:
            _fail(where, "a meal drop (kitchen set) needs exactly one caregiver")
        if self.excluded & set(self.pins):
            _fail(where, "pinned to a caregiver it excludes")

    @property
    def pins(self) -> tuple[str, ...]:
        """The caregivers this visit is pinned to: none, one, or both of a pair."""
        return tuple(c for c in (self.pinned_caregiver, self.pinned_partner) if c is not None)

    def allows(self, t: int) -> bool:
        return any(t in w for w in self.windows)

    def earliest_start(self, arrival: int) -> int | None:
        """First start of service at or after ``arrival``, or None when every window closed."""
        if self.pinned_time is not None:
            return self.pinned_time if arrival <= self.pinned_time else None
        for w in self.windows:
            if arrival <= w.end:
                return max(arrival, w.start)
        return None


@dataclass(frozen=True)
class Break:
    """A break of ``duration`` seconds taken wholly inside [start, end]."""

    start: int
    end: int
    duration: int

    def __post_init__(self) -> None:
        if self.duration <= 0 or self.start < 0 or self.end - self.start < self.duration:
            _fail("break", "needs duration > 0 fitting inside [start, end]")


@dataclass(frozen=True)
class Caregiver:
    id: str
    start_location: int
    end_location: int
    shift_start: int
    shift_end: int
    skills: frozenset[str] = frozenset()
    gender: str | None = None
    max_work: int | None = None  # seconds from leaving the start to reaching the end
    lunch: Break | None = None
    mode: str = "ebike"
    capacity: int | None = None

    def __post_init__(self) -> None:
        where = f"caregiver {self.id!r}"
        if self.start_location < 0 or self.end_location < 0:
            _fail(where, "locations must be >= 0")
        if self.shift_start < 0 or self.shift_end < self.shift_start:
            _fail(where, "shift needs 0 <= shift_start <= shift_end")
        if self.max_work is not None and self.max_work < 0:
            _fail(where, "max_work must be >= 0")
        if self.lunch is not None and not (
            self.shift_start <= self.lunch.start and self.lunch.end <= self.shift_end
        ):
            _fail(where, "lunch window must lie inside the shift")
        if self.capacity is not None and self.capacity < 0:
            _fail(where, "capacity must be >= 0")
        object.__setattr__(self, "skills", frozenset(self.skills))

    def can_serve(self, visit: Visit) -> bool:
        """Skill, gender, load and "do not send": the matches that depend on neither time nor
        pins.

        A pin names one caregiver of the visit; a two-caregiver visit pinned to A is served by A
        and one other caregiver.
        """
        return (
            (visit.skill is None or visit.skill in self.skills)
            and (visit.gender is None or visit.gender == self.gender)
            and (self.capacity is None or visit.demand <= self.capacity)
            and self.id not in visit.excluded
        )


@runtime_checkable
class LazyMatrix(Protocol):
    """A square matrix whose entries are computed when asked for, never held whole: a city's
    places (tens of thousands) would need gigabytes as one array."""

    def __len__(self) -> int: ...

    def entry(self, i: int, j: int) -> int: ...

    def block(self, rows: Sequence[int], cols: Sequence[int]) -> IntArray:
        """The entries of ``rows`` x ``cols`` as one array."""
        ...


class _LazyRow(Sequence[int]):
    __slots__ = ("_lazy", "_i")

    def __init__(self, lazy: LazyMatrix, i: int) -> None:
        self._lazy, self._i = lazy, i

    def __len__(self) -> int:
        return len(self._lazy)

    @overload
    def __getitem__(self, j: int) -> int: ...
    @overload
    def __getitem__(self, j: slice) -> Sequence[int]: ...
    def __getitem__(self, j: int | slice) -> int | Sequence[int]:
        if isinstance(j, slice):
            return [self._lazy.entry(self._i, k) for k in range(len(self._lazy))[j]]
        return self._lazy.entry(self._i, j)


MatrixInput = Sequence[Sequence[int]] | IntArray | LazyMatrix


class Matrix(Sequence[Sequence[int]]):
    """A square matrix of non-negative integers (seconds or metres) between places.

    Held as a numpy array, or as a ``LazyMatrix`` computing entries on demand. ``m[i][j]``
    reads an entry as a Python int either way; ``cut`` gives the dense matrix of some places,
    as a part of a problem and the solver need.
    """

    __slots__ = ("array", "lazy", "_rows")

    def __init__(self, data: MatrixInput | Matrix, name: str = "matrix", size: int | None = None):
        self.array: IntArray | None = None
        self.lazy: LazyMatrix | None = None
        self._rows: list[list[int]] | None = None
        if isinstance(data, Matrix):
            self.array, self.lazy = data.array, data.lazy
        elif isinstance(data, np.ndarray):
            self.array = _checked_array(name, data)
        elif isinstance(data, LazyMatrix):
            self.lazy = data
        else:
            self.array = _checked_rows(name, data)
        n = len(self)
        if size is not None and n != size:
            _fail(name, f"has {n} rows, expected {size}")

    def __len__(self) -> int:
        if self.array is not None:
            return int(self.array.shape[0])
        assert self.lazy is not None
        return len(self.lazy)

    @overload
    def __getitem__(self, i: int) -> Sequence[int]: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Sequence[int]]: ...
    def __getitem__(self, i: int | slice) -> Sequence[int] | Sequence[Sequence[int]]:
        if self.array is None:
            assert self.lazy is not None
            if isinstance(i, slice):
                return [_LazyRow(self.lazy, k) for k in range(len(self))[i]]
            if not -len(self) <= i < len(self):
                raise IndexError(i)
            return _LazyRow(self.lazy, i % len(self))
        if self._rows is None:
            # Python ints read several times faster than numpy scalars in the plain-Python
            # loops (greedy, insertion, validate); only dense matrices, which are small, get here.
            self._rows = self.array.tolist()
        return self._rows[i]

    def __iter__(self) -> Iterator[Sequence[int]]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Matrix):
            return NotImplemented
        if self.lazy is not None or other.lazy is not None:
            return self.lazy is other.lazy
        assert self.array is not None and other.array is not None
        return bool(np.array_equal(self.array, other.array))

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> tuple[IntArray | None, LazyMatrix | None]:
        return self.array, self.lazy  # not the row cache: parts sent to workers stay small

    def __setstate__(self, state: tuple[IntArray | None, LazyMatrix | None]) -> None:
        self.array, self.lazy = state
        self._rows = None

    def __repr__(self) -> str:
        kind = "lazy" if self.lazy is not None else "dense"
        return f"Matrix({kind}, {len(self)} places)"

    def block(self, rows: Sequence[int], cols: Sequence[int]) -> IntArray:
        if self.array is not None:
            r, c = np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp)
            return self.array[np.ix_(r, c)]
        assert self.lazy is not None
        return self.lazy.block(rows, cols)

    def cut(self, keep: Sequence[int]) -> Matrix:
        """The dense matrix between the places ``keep``, in that order."""
        return Matrix(self.block(keep, keep))


def _checked_array(name: str, data: Any) -> IntArray:
    array = np.asarray(data)
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        _fail(name, f"must be square, got shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        _fail(name, f"must hold integers, got {array.dtype}")
    array = array.astype(np.int64, copy=False)
    negative = np.flatnonzero((array < 0).any(axis=1))
    if negative.size:
        _fail(name, f"row {int(negative[0])} has a negative entry")
    return array


def _checked_rows(name: str, rows: Sequence[Sequence[int]]) -> IntArray:
    n = len(rows)
    for i, row in enumerate(rows):
        if len(row) != n:
            _fail(name, f"row {i} has {len(row)} entries, expected {n}")
    out = np.array([[int(x) for x in row] for row in rows], dtype=np.int64).reshape(n, n)
    return _checked_array(name, out)


@dataclass(frozen=True)
class Kitchen:
    """Where meals are cooked, and from when they may leave."""

    id: str
    location: int
    ready: int  # seconds from midnight

    def __post_init__(self) -> None:
        if self.location < 0:
            _fail(f"kitchen {self.id!r}", "location must be >= 0")
        if self.ready < 0:
            _fail(f"kitchen {self.id!r}", "ready must be >= 0")


@dataclass(frozen=True)
class MealRules:
    box: Mapping[str, int]  # meals a caregiver carries at once, per travel mode
    max_ride: int = 2400  # hot food: from leaving the kitchen to the start of a drop
    load: int = 120  # at the kitchen, once per batch collected

    def __post_init__(self) -> None:
        box = {str(m): int(n) for m, n in self.box.items()}
        if any(n < 0 for n in box.values()):
            _fail("meals.box", "capacities must be >= 0")
        if self.max_ride < 0:
            _fail("meals.max_ride", "must be >= 0")
        if self.load < 0:
            _fail("meals.load", "must be >= 0")
        object.__setattr__(self, "box", box)

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.box.items())), self.max_ride, self.load))


@dataclass(frozen=True)
class Problem:
    visits: tuple[Visit, ...]
    caregivers: tuple[Caregiver, ...]
    # Seconds, one square matrix per travel mode; given as rows, numpy arrays or lazy
    # matrices, held as ``Matrix``.
    travel: Mapping[str, Matrix]
    distance: Matrix  # metres
    kitchens: tuple[Kitchen, ...] = ()
    meals: MealRules = MealRules(box={"ebike": 12, "walk": 6})

    def __post_init__(self) -> None:
        object.__setattr__(self, "visits", tuple(self.visits))
        object.__setattr__(self, "kitchens", tuple(self.kitchens))
        object.__setattr__(self, "caregivers", tuple(self.caregivers))
        distance = Matrix(self.distance, "distance")
        n = len(distance)
        travel = {m: Matrix(rows, f"travel[{m!r}]", n) for m, rows in self.travel.items()}
        object.__setattr__(self, "distance", distance)
        object.__setattr__(self, "travel", travel)
        # Looked up by id for every stop of a day's plan: a scan each time grows with the
        # square of the day.
        object.__setattr__(self, "_visits_by_id", {v.id: v for v in self.visits})
        object.__setattr__(self, "_caregivers_by_id", {c.id: c for c in self.caregivers})
        if not self.caregivers:
            _fail("caregivers", "must not be empty")
        for name, items in (("visits", self.visits), ("caregivers", self.caregivers)):
            ids = [x.id for x in items]
            if len(set(ids)) != len(ids):
                _fail(name, "ids must be unique")
        cg_ids = {c.id for c in self.caregivers}
        for v in self.visits:
            if v.location >= n:
                _fail(f"visit {v.id!r}", f"location {v.location} outside the matrix")
            for attr in ("pinned_caregiver", "pinned_partner", "preferred_caregiver"):
                ref = getattr(v, attr)
                if ref is not None and ref not in cg_ids:
                    _fail(f"visit {v.id!r}", f"{attr} {ref!r} is not a caregiver")
        for c in self.caregivers:
            if max(c.start_location, c.end_location) >= n:
                _fail(f"caregiver {c.id!r}", "location outside the matrix")
            if c.mode not in travel:
                _fail(f"caregiver {c.id!r}", f"no travel matrix for mode {c.mode!r}")
        self._check_meals(n)

    def _check_meals(self, n: int) -> None:
        ids = [k.id for k in self.kitchens]
        if len(set(ids)) != len(ids):
            _fail("kitchens", "ids must be unique")
        for k in self.kitchens:
            if k.location >= n:
                _fail(f"kitchen {k.id!r}", f"location {k.location} outside the matrix")
        meals = [v for v in self.visits if v.kitchen is not None]
        for v in meals:
            if v.kitchen not in ids:
                _fail(f"visit {v.id!r}", f"kitchen {v.kitchen!r} is not a kitchen of the problem")
        if meals:
            for c in self.caregivers:
                if c.mode not in self.meals.box:
                    _fail("meals.box", f"no box capacity for mode {c.mode!r} (caregiver {c.id!r})")

    def visit(self, visit_id: str) -> Visit:
        found: Visit = self._visits_by_id[visit_id]  # type: ignore[attr-defined]
        return found

    def caregiver(self, caregiver_id: str) -> Caregiver:
        found: Caregiver = self._caregivers_by_id[caregiver_id]  # type: ignore[attr-defined]
        return found

    def kitchen(self, kitchen_id: str) -> Kitchen:
        return next(k for k in self.kitchens if k.id == kitchen_id)


@dataclass(frozen=True)
class Stop:
    visit: str
    arrival: int
    start: int  # start of service; waiting is start - arrival

    def __post_init__(self) -> None:
        if self.start < self.arrival:
            _fail(f"stop {self.visit!r}", "start before arrival")


@dataclass(frozen=True)
class Collection:
    """A batch of meals collected at a kitchen, between ``stops[before - 1]`` and
    ``stops[before]``; it leaves at ``start + MealRules.load``."""

    kitchen: str
    before: int
    arrival: int
    start: int
    meals: tuple[str, ...]  # visit ids, in drop order

    def __post_init__(self) -> None:
        object.__setattr__(self, "meals", tuple(self.meals))
        where = f"collection at {self.kitchen!r}"
        if self.before < 0:
            _fail(where, "before must be >= 0")
        if self.start < self.arrival:
            _fail(where, "start before arrival")
        if not self.meals:
            _fail(where, "meals must not be empty")
        if len(set(self.meals)) != len(self.meals):
            _fail(where, "meals must be unique")


@dataclass(frozen=True)
class Route:
    caregiver: str
    departure: int  # leaves the start location
    stops: tuple[Stop, ...]
    arrival: int  # reaches the end location
    break_start: int | None = None
    collections: tuple[Collection, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "stops", tuple(self.stops))
        object.__setattr__(self, "collections", tuple(self.collections))


@dataclass(frozen=True)
class Unassigned:
    visit: str
    reason: str


@dataclass(frozen=True)
class Plan:
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...] = ()
    fallback: bool = False
    objective: int | None = None
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "routes", tuple(self.routes))
        object.__setattr__(self, "unassigned", tuple(self.unassigned))

    def used_routes(self) -> tuple[Route, ...]:
        return tuple(r for r in self.routes if r.stops)
