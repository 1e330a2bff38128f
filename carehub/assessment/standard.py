"""A capability assessment form read from data, and the scoring it defines.

The form (indicators, items, each item's score range, the score bands and the adjustments)
is a versioned JSON document, not code, so a revised standard or a city's variant is a new
file. Pure: no Flask, no database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Best to worst; an adjustment that makes the level one worse moves one step right.
LEVELS = ("intact", "mild", "moderate", "severe", "complete")
EFFECTS = ("complete", "one_worse")
DEFAULT_FILE = Path(__file__).parent / "data" / "gbt42195-2022.json"


class FormError(ValueError):
    """A form definition that cannot be used (named by its path in the document)."""


class AnswerError(ValueError):
    """A score outside an item's range, or a missing one; ``field`` names the item."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Item:
    code: str
    name_zh: str
    name_en: str
    max: int


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    items: tuple[Item, ...]

    @property
    def max(self) -> int:
        return sum(item.max for item in self.items)


@dataclass(frozen=True)
class Band:
    level: str
    min: int
    max: int


@dataclass(frozen=True)
class Adjustment:
    code: str
    name_zh: str
    name_en: str
    effect: str


@dataclass(frozen=True)
class Form:
    code: str
    version: str
    name_zh: str
    name_en: str
    source: str
    indicators: tuple[Indicator, ...]
    bands: tuple[Band, ...]
    adjustments: tuple[Adjustment, ...]

    @property
    def max(self) -> int:
        return sum(indicator.max for indicator in self.indicators)

    def items(self) -> list[Item]:
        return [item for indicator in self.indicators for item in indicator.items]

    def band_of(self, total: int) -> str:
        for band in self.bands:
            if band.min <= total <= band.max:
                return band.level
        raise AnswerError("total", f"no band holds the total {total}")


@dataclass(frozen=True)
class Result:
    indicator_scores: dict[str, int]
    total: int
    band_level: str  # from the total alone
    level: str  # after the adjustments


def _need(doc: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in doc:
        raise FormError(f"{where}: missing '{key}'")
    return doc[key]


def _items(raw: Mapping[str, Any], where: str, seen: set[str]) -> tuple[Item, ...]:
    items = []
    for j, item in enumerate(_need(raw, "items", where)):
        at = f"{where}.items[{j}]"
        code = str(_need(item, "code", at))
        top = _need(item, "max", at)
        if code in seen:
            raise FormError(f"{at}: item code '{code}' appears twice")
        if not isinstance(top, int) or top < 1:
            raise FormError(f"{at}: 'max' must be a whole number of at least 1")
        seen.add(code)
        items.append(
            Item(code, str(item.get("name_zh", code)), str(item.get("name_en", code)), top)
        )
    if not items:
        raise FormError(f"{where}: no items")
    return tuple(items)


def _indicators(doc: Mapping[str, Any]) -> tuple[Indicator, ...]:
    """The form's indicators; an item code may appear once in the whole form."""
    indicators = []
    seen: set[str] = set()
    for i, raw in enumerate(_need(doc, "indicators", "form")):
        where = f"indicators[{i}]"
        items = _items(raw, where, seen)
        indicators.append(
            Indicator(
                str(_need(raw, "code", where)),
                str(raw.get("name_zh", "")),
                str(raw.get("name_en", "")),
                items,
            )
        )
    return tuple(indicators)


def _bands(doc: Mapping[str, Any]) -> tuple[Band, ...]:
    bands = []
    for k, raw in enumerate(_need(doc, "bands", "form")):
        level = str(_need(raw, "level", f"bands[{k}]"))
        if level not in LEVELS:
            raise FormError(f"bands[{k}]: unknown level '{level}'")
        bands.append(Band(level, int(_need(raw, "min", f"bands[{k}]")), int(raw["max"])))
    return tuple(bands)


def _adjustments(doc: Mapping[str, Any]) -> tuple[Adjustment, ...]:
    adjustments = []
    for k, raw in enumerate(doc.get("adjustments", [])):
        effect = str(_need(raw, "effect", f"adjustments[{k}]"))
        if effect not in EFFECTS:
            raise FormError(f"adjustments[{k}]: unknown effect '{effect}'")
        adjustments.append(
            Adjustment(
                str(_need(raw, "code", f"adjustments[{k}]")),
                str(raw.get("name_zh", "")),
                str(raw.get("name_en", "")),
                effect,
            )
        )
    return tuple(adjustments)


def parse(doc: Mapping[str, Any]) -> Form:
    """Check a form document whole: unique codes, positive ranges, and bands that cover
    every total from 0 to the form's maximum exactly once."""
    indicators = _indicators(doc)
    bands = _bands(doc)
    adjustments = _adjustments(doc)
    form = Form(
        str(_need(doc, "code", "form")),
        str(_need(doc, "version", "form")),
        str(doc.get("name_zh", "")),
        str(doc.get("name_en", "")),
        str(_need(doc, "source", "form")),
        indicators,
        bands,
        adjustments,
    )
    covered = sorted(t for band in bands for t in range(band.min, band.max + 1))
    if covered != list(range(form.max + 1)):
        raise FormError(f"bands: must cover every total from 0 to {form.max} exactly once")
    return form


def load(path: Path = DEFAULT_FILE) -> tuple[Form, dict[str, Any]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return parse(doc), doc


def score(
    form: Form, answers: Mapping[str, int], adjustments: frozenset[str] = frozenset()
) -> Result:
    """The indicator scores, the total, the band it falls in, and the level after the
    adjustments that apply (a coma grades as completely lost; any of the others makes the
    level one worse, once)."""
    per_indicator: dict[str, int] = {}
    for indicator in form.indicators:
        subtotal = 0
        for item in indicator.items:
            if item.code not in answers:
                raise AnswerError(item.code, f"no score for '{item.code}'")
            value = answers[item.code]
            if not isinstance(value, int) or not 0 <= value <= item.max:
                raise AnswerError(item.code, f"'{item.code}' must be 0 to {item.max}")
            subtotal += value
        per_indicator[indicator.code] = subtotal
    known = {adjustment.code: adjustment for adjustment in form.adjustments}
    unknown = sorted(adjustments - set(known))
    if unknown:
        raise AnswerError("adjustments", f"unknown adjustment '{unknown[0]}'")
    total = sum(per_indicator.values())
    band = form.band_of(total)
    effects = {known[code].effect for code in adjustments}
    if "complete" in effects:
        level = "complete"
    elif "one_worse" in effects:
        level = LEVELS[min(LEVELS.index(band) + 1, len(LEVELS) - 1)]
    else:
        level = band
    return Result(per_indicator, total, band, level)
