"""What extra shifts would serve the visits a day left open, each proven by planning it.

The open visits (left over for capacity, or in a circle with nobody on shift) are grouped by
home station, required skill and time band. For each group, hypothetical caregivers start at
the station with the skill (and the gender its visits ask for), a shift of whole hours around
the band and the station's usual travel mode, and are planned with the optimiser against the
group's visits alone: the day's routes are not touched, so what they place is placed by the
extra shifts and nobody else. The count grows one caregiver at a time while it places more;
a suggestion names the fewest caregivers that placed the most. A group the budget cuts short
keeps what its solves proved.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial

from carehub.routing.params import SolverParams
from carehub.routing.problem import (
    REASON_CAPACITY,
    Caregiver,
    Kitchen,
    Matrix,
    MealRules,
    Plan,
    Problem,
    Visit,
)
from carehub.routing.screen import reachable_alone
from carehub.routing.search import greedy
from carehub.routing.search.solver import solve
from carehub.routing.validate import validate

REASON_NO_CIRCLE = "no caregiver in the circle"  # as circles.solve_circles gives it
OPEN_REASONS = frozenset({REASON_CAPACITY, REASON_NO_CIRCLE})
BAND_S = 3 * 3600  # bands start at midnight: 06:00-09:00, 09:00-12:00, ...
DAY_S = 24 * 3600
MIN_SOLVE_S = 0.1  # a proof solve given less finds little beyond the greedy start


@dataclass(frozen=True)
class Depot:
    """Where a station's extra caregivers start and end, and how they travel."""

    station: str
    location: int
    mode: str = "ebike"


@dataclass(frozen=True)
class Group:
    station: str
    skill: str | None
    gender: str | None
    band_start: int
    band_end: int
    visits: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    station: str
    skill: str | None
    gender: str | None
    mode: str
    shift_start: int
    shift_end: int
    caregivers: int
    open_visits: tuple[str, ...]  # the group's
    placed: tuple[str, ...]  # of those, what the extra caregivers' planned routes serve
    tried: tuple[tuple[int, int], ...]  # (caregivers, visits placed) of each proof solve


@dataclass(frozen=True)
class Advice:
    suggestions: tuple[Suggestion, ...]
    # Groups the budget did not reach, and groups no number of extra shifts placed anything of.
    unproven: tuple[Group, ...]
    hopeless: tuple[Group, ...]
    seconds: float


@dataclass(frozen=True)
class AdviceParams:
    budget_s: float = 5.0  # for every proof solve of the call together
    solve_cap_s: float = 1.0  # for any one proof solve
    max_extra: int = 20  # caregivers per group
    band_s: int = BAND_S
    # A solution limit makes the proof solves reproducible (tests); the time caps still hold.
    solution_limit: int | None = None
    # Local search to its first local optimum from the greedy start: a proof asks how many
    # visits fit, not for the shortest routes, and guided local search would run every
    # proof to its limit.
    metaheuristic: str = "GREEDY_DESCENT"

    def __post_init__(self) -> None:
        if self.budget_s < 0 or self.solve_cap_s <= 0:
            raise ValueError("budget_s/solve_cap_s: must be > 0")
        if self.max_extra < 1:
            raise ValueError("max_extra: must be >= 1")
        if not 0 < self.band_s <= DAY_S:
            raise ValueError("band_s: must be in (0, 86400]")


def open_visits(plan: Plan, problem: Problem | None = None) -> list[str]:
    """The visits a plan left out that more staff could serve: left for capacity or in a
    circle with nobody on shift, and, given the ``problem``, any other the day's own staff
    could serve on an otherwise empty day. A circle's lending solve screens a visit against
    the lenders alone and may label a bath its own circle's busy bather could give "no
    caregiver with the skill"; the whole day's screen says it is capacity all the same.
    Visits nobody on the day's staff could ever serve keep out: their reasons say why."""
    by_id = {v.id: v for v in problem.visits} if problem is not None else {}
    return [
        u.visit
        for u in plan.unassigned
        if u.reason in OPEN_REASONS or (problem is not None and _servable(problem, by_id[u.visit]))
    ]


def _servable(problem: Problem, visit: Visit) -> bool:
    """Would the whole day's screen accept this visit? (As ``screen.screen``, for one.)"""
    able = {
        c.id
        for c in problem.caregivers
        if c.can_serve(visit) and reachable_alone(problem, c, visit)
    }
    return len(able) >= visit.caregivers_needed and set(visit.pins) <= able


def band_of(visit: Visit, band_s: int = BAND_S) -> tuple[int, int]:
    """The band its first window opens in."""
    start = visit.windows[0].start // band_s * band_s
    return start, min(DAY_S, start + band_s)


def group_open(
    visits: Iterable[Visit], home: Mapping[str, str], band_s: int = BAND_S
) -> list[Group]:
    """Open visits by station, skill and band, the largest group first.

    Visits asking for a caregiver's gender make the group's extra caregivers that gender, and
    the visits asking for none go with them; only when a station, skill and band holds visits
    asking for each gender is it split, those asking for none going with the larger side.
    Pinned visits belong to their caregiver and no extra shift can take them: left out.
    """
    found: dict[tuple[str, str | None, int, int], list[Visit]] = {}
    for v in visits:
        if not v.pins:
            found.setdefault((home[v.id], v.skill, *band_of(v, band_s)), []).append(v)
    groups: list[Group] = []
    for (station, skill, start, end), members in found.items():
        asked = Counter(v.gender for v in members if v.gender is not None)
        sides: dict[str | None, list[str]] = {g: [] for g in asked} or {None: []}
        larger = max(sorted(sides, key=str), key=lambda g: asked.get(g, 0) if g else 0)
        for v in members:
            sides[v.gender if v.gender is not None else larger].append(v.id)
        groups += [Group(station, skill, g, start, end, tuple(ids)) for g, ids in sides.items()]
    return sorted(
        groups,
        key=lambda g: (-len(g.visits), g.station, g.band_start, g.skill or "", g.gender or ""),
    )


def shift_of(
    visits: Sequence[Visit], group: Group, depot: Depot, travel: Matrix
) -> tuple[int, int]:
    """Whole hours from leaving the station in time for the earliest window (not before the
    band) to coming back from the latest visit started by the close of its window or of the
    band, whichever is first: the hours the group's visits can use, and no idle ones."""
    there = {v.id: travel[depot.location][v.location] for v in visits}
    back = {v.id: travel[v.location][depot.location] for v in visits}
    leave = min(v.windows[0].start - there[v.id] for v in visits)
    start = max(group.band_start, leave // 3600 * 3600)
    end = max(min(v.windows[0].end, group.band_end) + v.service + back[v.id] for v in visits)
    return start, min(DAY_S, max(start + 3600, math.ceil(end / 3600) * 3600))


def extra_caregivers(
    group: Group, depot: Depot, shift: tuple[int, int], count: int
) -> list[Caregiver]:
    return [
        Caregiver(
            f"+{group.station}/{group.skill or '-'}/{shift[0] // 60}/{i}",
            depot.location,
            depot.location,
            shift[0],
            shift[1],
            skills=frozenset({group.skill} if group.skill else ()),
            gender=group.gender,
            mode=depot.mode,
        )
        for i in range(1, count + 1)
    ]


def prove(
    visits: Sequence[Visit],
    caregivers: Sequence[Caregiver],
    travel: Mapping[str, Matrix],
    distance: Matrix,
    params: SolverParams,
    kitchens: Sequence[Kitchen] = (),
    meals: MealRules | None = None,
) -> tuple[str, ...]:
    """The visits these caregivers' planned routes serve; none when the plan fails
    ``validate()``, since an unchecked plan proves nothing.

    When the solver's greedy start already serves every visit the search could only shorten
    the routes, not place more, so the proof stops there: most growing ends with such a
    solve, and guided local search would run to its limit whatever it finds.
    """
    loose = [replace(v, preferred_caregiver=None) for v in visits]
    problem = Problem(
        tuple(loose), tuple(caregivers), travel, distance, tuple(kitchens), meals or MealRules({})
    )
    plan = greedy.solve(problem)
    if plan.unassigned or validate(problem, plan):
        plan = solve(problem, params)
    if validate(problem, plan):
        return ()
    served = {s.visit for r in plan.routes for s in r.stops}
    return tuple(v.id for v in visits if v.id in served)


def _cut(
    visits: Sequence[Visit],
    depot: Depot,
    travel: Matrix,
    distance: Matrix,
    kitchens: Sequence[Kitchen] = (),
) -> tuple[list[Visit], Depot, Matrix, Matrix, list[Kitchen]]:
    """The group's visits, depot and the kitchens its meals come from, with matrices cut
    down to their places: every proof builds and checks a problem, which on a day's full
    matrices costs more than the solve."""
    used = [k for k in kitchens if any(v.kitchen == k.id for v in visits)]
    keep = sorted({depot.location} | {v.location for v in visits} | {k.location for k in used})
    at = {loc: i for i, loc in enumerate(keep)}

    def cut(m: Matrix) -> Matrix:
        return Matrix(m).cut(keep)

    return (
        [replace(v, location=at[v.location]) for v in visits],
        replace(depot, location=at[depot.location]),
        cut(travel),
        cut(distance),
        [replace(k, location=at[k.location]) for k in used],
    )


def _lower_bound(visits: Sequence[Visit], shift: tuple[int, int]) -> int:
    # Fewer caregivers cannot hold the service minutes, let alone the travel; pairs need two.
    work = sum(v.service * v.caregivers_needed for v in visits)
    pairs = 2 if any(v.caregivers_needed == 2 for v in visits) else 1
    return max(pairs, math.ceil(work / max(1, shift[1] - shift[0])))


def _limit(
    params: AdviceParams, deadline: float, clock: Callable[[], float], groups: int
) -> float | None:
    """The next proof solve's limit: its share of what is left (about two solves for each
    group still to prove), capped; None once nothing worth a solve is left."""
    left = deadline - clock()
    limit = min(params.solve_cap_s, left / groups / 2)
    if limit < MIN_SOLVE_S:
        limit = min(params.solve_cap_s, left)
    return limit if limit >= MIN_SOLVE_S else None


@dataclass
class _Grower:
    """One group's proof solves with more or fewer of its extra caregivers."""

    visits: Sequence[Visit]
    extras: Sequence[Caregiver]  # as many as may be tried, the first ``count`` used
    kitchens: Sequence[Kitchen] = ()
    meals: MealRules | None = None

    def run(
        self,
        travel: Mapping[str, Matrix],
        distance: Matrix,
        params: AdviceParams,
        limit: Callable[[], float | None],
    ) -> dict[int, tuple[str, ...]]:
        """What each tried count of caregivers placed: from the workload's lower bound, one
        more while it places more; then, when that bound was already the best, one fewer
        while it places as many (windows, not hours, may be what limits them)."""
        tried: dict[int, tuple[str, ...]] = {}

        def attempt(count: int) -> tuple[str, ...] | None:
            seconds = limit()
            if seconds is None:
                return None
            solver = SolverParams(
                time_limit_s=seconds,
                polish_share=0.0,
                solution_limit=params.solution_limit,
                metaheuristic=params.metaheuristic,
            )
            tried[count] = prove(
                self.visits,
                self.extras[:count],
                travel,
                distance,
                solver,
                self.kitchens,
                self.meals,
            )
            return tried[count]

        shift = (self.extras[0].shift_start, self.extras[0].shift_end)
        first = count = min(params.max_extra, _lower_bound(self.visits, shift))
        while count <= params.max_extra:
            placed = attempt(count)
            if placed is None or len(placed) == len(self.visits):
                break
            if count > first and len(placed) <= len(tried[count - 1]):
                break
            count += 1
        if not tried:
            return tried
        best = max(len(p) for p in tried.values())
        fewest = min(c for c, p in tried.items() if len(p) == best)
        floor = 2 if all(v.caregivers_needed == 2 for v in self.visits) else 1
        while fewest == first and fewest > floor:
            placed = attempt(fewest - 1)
            if placed is None or len(placed) < best:
                break
            fewest = first = fewest - 1
        return tried


def advise(
    visits: Sequence[Visit],
    home: Mapping[str, str],
    depots: Mapping[str, Depot],
    travel: Mapping[str, Matrix],
    distance: Matrix,
    params: AdviceParams | None = None,
    clock: Callable[[], float] = time.monotonic,
    kitchens: Sequence[Kitchen] = (),
    meals: MealRules | None = None,
) -> Advice:
    """Suggest extra shifts for the open ``visits`` (each located in the matrices, ``home``
    naming its station), proving each by a solve of the group's visits and the new shifts
    alone, starting at the station's depot. The budget is shared among the groups still to
    prove, largest first; each solve gets at most ``solve_cap_s``."""
    params = params or AdviceParams()
    started = clock()
    deadline = started + params.budget_s
    by_id = {v.id: v for v in visits}
    groups = group_open(visits, home, params.band_s)
    suggestions: list[Suggestion] = []
    unproven: list[Group] = []
    hopeless: list[Group] = []
    for i, group in enumerate(groups):
        depot = depots.get(group.station)
        if depot is None or depot.mode not in travel:
            unproven.append(group)
            continue
        members, here, small, metres, used = _cut(
            [by_id[vid] for vid in group.visits], depot, travel[depot.mode], distance, kitchens
        )
        shift = shift_of(members, group, here, small)
        extras = extra_caregivers(group, here, shift, params.max_extra)
        grower = _Grower(members, extras, used, meals)
        limit = partial(_limit, params, deadline, clock, len(groups) - i)
        tried = grower.run({depot.mode: small}, metres, params, limit)
        if not tried:
            unproven.append(group)
            continue
        best = max(len(p) for p in tried.values())
        fewest = min(c for c, p in tried.items() if len(p) == best)
        if best == 0:
            hopeless.append(group)
            continue
        suggestions.append(
            Suggestion(
                group.station,
                group.skill,
                group.gender,
                depot.mode,
                shift[0],
                shift[1],
                fewest,
                group.visits,
                tried[fewest],
                tuple(sorted((c, len(p)) for c, p in tried.items())),
            )
        )
    return Advice(tuple(suggestions), tuple(unproven), tuple(hopeless), clock() - started)
