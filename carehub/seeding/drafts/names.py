"""Realistic Chinese names and phone numbers, drawn from a seeded random generator."""

from __future__ import annotations

import itertools
import random
from functools import lru_cache

from carehub.core.enums import Gender
from carehub.registry.naming import name_initials
from carehub.seeding import inputs

# Mobile prefixes of the three carriers, weighted towards the older 13x/15x ranges
# that elders' long-held numbers tend to start with.
_MOBILE_PREFIXES = (
    ["130", "131", "132", "133", "134", "135", "136", "137", "138", "139"] * 3
    + ["150", "151", "152", "153", "155", "156", "158", "159"] * 2
    + ["176", "177", "180", "181", "185", "186", "187", "188", "189"]
)


class NameBook:
    def __init__(self) -> None:
        pairs = inputs.surnames()
        self._surnames = [s for s, _ in pairs]
        self._surname_cum = list(itertools.accumulate(w for _, w in pairs))
        self._given = inputs.given_names()

    def surname(self, rng: random.Random) -> str:
        return rng.choices(self._surnames, cum_weights=self._surname_cum)[0]

    def given(self, rng: random.Random, gender: Gender, generation: str = "elder") -> str:
        return rng.choice(self._given[generation][gender.value])

    def person(self, rng: random.Random, gender: Gender, generation: str = "elder") -> str:
        return self.surname(rng) + self.given(rng, gender, generation)


def mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def tianjin_landline(rng: random.Random) -> str:
    """A Tianjin fixed line: area code 022 and eight digits starting 2."""
    return f"022-2{rng.randrange(10**7):07d}"


@lru_cache(maxsize=50_000)
def initials(name: str) -> str:
    return name_initials(name)
