"""Meal rounds by hand: a kitchen one place out, meals further along the line."""

from __future__ import annotations

from collections.abc import Sequence

from carehub.routing import (
    Caregiver,
    Collection,
    Kitchen,
    MealRules,
    Problem,
    Route,
    Stop,
    Visit,
)

from .helpers import H, line, visit

READY = 10 * H + 45 * 60
KITCHEN = Kitchen("K", 1, READY)
RULES = MealRules(box={"ebike": 3, "walk": 2}, max_ride=1800, load=120)


def meal(vid: str, loc: int, start: int = 11 * H, end: int = 12 * H + 1800, **kw) -> Visit:
    return visit(vid, loc, start, end, service=180, kitchen="K", **kw)


def meal_problem(
    visits: Sequence[Visit],
    caregivers: Sequence[Caregiver],
    rules: MealRules = RULES,
    kitchens: Sequence[Kitchen] = (KITCHEN,),
) -> Problem:
    return Problem(
        tuple(visits),
        tuple(caregivers),
        {"ebike": line(300), "walk": line(900)},
        line(1000),
        kitchens=tuple(kitchens),
        meals=rules,
    )


def timed(
    p: Problem,
    cid: str,
    events: Sequence[str | tuple[str, ...]],
    hold: dict[int, int] | None = None,
) -> Route:
    """A route timed as early as allowed: a tuple of meal ids is a collection at their
    kitchen (not before it is ready), a string a stop; ``hold`` delays event i to a time."""
    cg = p.caregiver(cid)
    travel = p.travel[cg.mode]
    hold = hold or {}
    stops: list[Stop] = []
    cols: list[Collection] = []
    loc, ready = cg.start_location, cg.shift_start
    departure = None
    for i, e in enumerate(events):
        if isinstance(e, tuple):
            k = p.kitchen(p.visit(e[0]).kitchen or "")
            arrival = ready + travel[loc][k.location]
            start = max(arrival, k.ready, hold.get(i, 0))
            if departure is None:
                departure = start - travel[loc][k.location]
                arrival = start
            cols.append(Collection(k.id, len(stops), arrival, start, e))
            loc, ready = k.location, start + p.meals.load
        else:
            v = p.visit(e)
            arrival = ready + travel[loc][v.location]
            start = max(arrival, v.windows[0].start, hold.get(i, 0))
            if departure is None:
                departure = start - travel[loc][v.location]
                arrival = start
            stops.append(Stop(e, arrival, start))
            loc, ready = v.location, start + v.service
    back = ready + travel[loc][cg.end_location]
    return Route(
        cid,
        departure if departure is not None else cg.shift_start,
        tuple(stops),
        back,
        collections=tuple(cols),
    )


__all__ = ["H", "KITCHEN", "READY", "RULES", "meal", "meal_problem", "timed"]
