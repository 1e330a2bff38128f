"""A part of a problem: some visits and caregivers, with matrices cut down to their places.

Small matrices make the parts cheap to send to worker processes and quick to model; a
day's lazy matrices (a city's places) are computed here, for the part's places only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from carehub.routing.problem import Caregiver, Problem, Visit


def subproblem(
    problem: Problem, visits: Iterable[Visit], caregivers: Iterable[Caregiver]
) -> Problem:
    vs, cgs = list(visits), list(caregivers)
    # The kitchens its meals are collected at come along.
    used = {v.kitchen for v in vs if v.kitchen is not None}
    kitchens = [k for k in problem.kitchens if k.id in used]
    keep = sorted(
        {v.location for v in vs}
        | {c.start_location for c in cgs}
        | {c.end_location for c in cgs}
        | {k.location for k in kitchens}
    )
    at = {loc: i for i, loc in enumerate(keep)}
    ids = {c.id for c in cgs}
    modes = {c.mode for c in cgs}

    def local(v: Visit) -> Visit:
        # A preference for a caregiver outside the part is only soft, so it is dropped; a pin
        # is hard and must name a caregiver of the part (Problem refuses it otherwise).
        return replace(
            v,
            location=at[v.location],
            preferred_caregiver=v.preferred_caregiver if v.preferred_caregiver in ids else None,
        )

    return Problem(
        tuple(local(v) for v in vs),
        tuple(
            replace(c, start_location=at[c.start_location], end_location=at[c.end_location])
            for c in cgs
        ),
        {m: problem.travel[m].cut(keep) for m in modes},
        problem.distance.cut(keep),
        kitchens=tuple(replace(k, location=at[k.location]) for k in kitchens),
        meals=problem.meals,
    )
