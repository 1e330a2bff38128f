"""The routing problem and its plan, as frozen values checked on construction.

Times are integer seconds from midnight, durations seconds, distances metres. A visit's time
window bounds the start of service (the Solomon convention); waiting before it is allowed.
Locations are indices into the travel matrices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

PRIORITIES = (1, 2, 3, 4)  # emergency, health, personal care, cleaning

REASON_NO_CAREGIVER = "no caregiver with the skill/gender"
REASON_WINDOW = "window unreachable"
REASON_CAPACITY = "capacity"

Matrix = tuple[tuple[int, ...], ...]


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

    def __post_init__(self) -> None:
        where = f"visit {self.id!r}"
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
        """Skill, gender and load: the matches that depend on neither time nor pins.

        A pin names one caregiver of the visit; a two-caregiver visit pinned to A is served by A
        and one other caregiver.
        """
        return (
            (visit.skill is None or visit.skill in self.skills)
            and (visit.gender is None or visit.gender == self.gender)
            and (self.capacity is None or visit.demand <= self.capacity)
        )


def _matrix(name: str, rows: Sequence[Sequence[int]], size: int | None) -> Matrix:
    out = tuple(tuple(int(x) for x in row) for row in rows)
    n = len(out)
    if size is not None and n != size:
        _fail(name, f"has {n} rows, expected {size}")
    for i, row in enumerate(out):
        if len(row) != n:
            _fail(name, f"row {i} has {len(row)} entries, expected {n}")
        if any(x < 0 for x in row):
            _fail(name, f"row {i} has a negative entry")
    return out


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
    travel: Mapping[str, Matrix]  # seconds, one square matrix per travel mode
    distance: Matrix  # metres
    kitchens: tuple[Kitchen, ...] = ()
    meals: MealRules = MealRules(box={"ebike": 12, "walk": 6})

    def __post_init__(self) -> None:
        object.__setattr__(self, "visits", tuple(self.visits))
        object.__setattr__(self, "kitchens", tuple(self.kitchens))
        object.__setattr__(self, "caregivers", tuple(self.caregivers))
        distance = _matrix("distance", self.distance, None)
        n = len(distance)
        travel = {m: _matrix(f"travel[{m!r}]", rows, n) for m, rows in self.travel.items()}
        object.__setattr__(self, "distance", distance)
        object.__setattr__(self, "travel", travel)
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
        return next(v for v in self.visits if v.id == visit_id)

    def caregiver(self, caregiver_id: str) -> Caregiver:
        return next(c for c in self.caregivers if c.id == caregiver_id)

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
