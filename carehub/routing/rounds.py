"""Meal rounds shared by the solver, the greedy plan and the ruin-and-recreate polish.

A route's order for seeding a search is its visit ids with each collection written before
the drops it serves as one token per meal (`pickup_token`): the solver turns the tokens into
its pickup nodes. An order without tokens is completed by `with_pickups`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from carehub.routing.problem import Problem, Route

PICKUP = "\x00collect "  # cannot start a visit id coming from a form or a database


def pickup_token(meal: str) -> str:
    return PICKUP + meal


def meal_of(token: str) -> str | None:
    """The meal a pickup token collects, or None for a visit id."""
    return token[len(PICKUP) :] if token.startswith(PICKUP) else None


def route_order(route: Route) -> list[str]:
    """The route's visits with its collections in place, as tokens."""
    at: dict[int, list[str]] = {}
    for col in route.collections:
        at.setdefault(col.before, []).extend(pickup_token(m) for m in col.meals)
    out: list[str] = []
    for i, s in enumerate(route.stops):
        out.extend(at.get(i, []))
        out.append(s.visit)
    return out


def with_pickups(problem: Problem, order: Sequence[str], box: int) -> list[str]:
    """``order`` with a pickup token before every meal that lacks one: each run of
    consecutive drops from one kitchen is collected in batches of at most ``box`` right
    before its first drop."""
    kitchen_of: Mapping[str, str | None] = {v.id: v.kitchen for v in problem.visits}
    have = {m for t in order if (m := meal_of(t)) is not None}
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        for i in range(0, len(run), max(box, 1)):
            batch = run[i : i + max(box, 1)]
            out.extend(pickup_token(m) for m in batch)
            out.extend(batch)
        run.clear()

    for t in order:
        k = kitchen_of.get(t)
        if meal_of(t) is None and k is not None and t not in have:
            if run and kitchen_of[run[0]] != k:
                flush()
            run.append(t)
            continue
        flush()
        out.append(t)
    flush()
    return out
