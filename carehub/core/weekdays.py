"""Weekday sets (Monday = 1 ... Sunday = 7) stored as a 7-bit mask."""

from __future__ import annotations

import datetime as dt

ALL_DAYS = 0b1111111


class WeekdayError(ValueError):
    pass


def parse(text: str) -> int:
    """Parse ``1-5``, ``1;3;5``, ``1,3,5`` or mixes such as ``1-3;6`` into a mask."""
    text = (text or "").strip().replace("，", ",").replace("；", ";")
    if not text:
        raise WeekdayError("no weekdays given")
    mask = 0
    for part in text.replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            lo_s, hi_s = (p.strip() for p in part.split("-", 1))
            lo, hi = _day(lo_s), _day(hi_s)
            if lo > hi:
                raise WeekdayError(f"range {part} runs backwards")
            for day in range(lo, hi + 1):
                mask |= 1 << (day - 1)
        else:
            mask |= 1 << (_day(part) - 1)
    if not mask:
        raise WeekdayError("no weekdays given")
    return mask


def _day(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 7:
        raise WeekdayError(f"'{text}' is not a weekday number 1-7")
    return int(text)


def days(mask: int) -> list[int]:
    return [day for day in range(1, 8) if mask & (1 << (day - 1))]


def format_mask(mask: int) -> str:
    """The shortest text that parses back to the mask: ``1-5``, ``1;3;5``, ``1-3;6``."""
    chosen = days(mask)
    parts: list[str] = []
    i = 0
    while i < len(chosen):
        j = i
        while j + 1 < len(chosen) and chosen[j + 1] == chosen[j] + 1:
            j += 1
        parts.append(
            f"{chosen[i]}-{chosen[j]}"
            if j - i >= 2
            else ";".join(str(d) for d in chosen[i : j + 1])
        )
        i = j + 1
    return ";".join(parts)


def includes(mask: int, day: dt.date) -> bool:
    return bool(mask & (1 << day.weekday()))
