"""Cell kinds: how a column's text becomes a value on import and the value a cell on export.

Each kind's ``dump`` is the inverse of its ``parse``, which is what lets an exported
file re-import without a single change.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _

from carehub.core import weekdays
from carehub.core.enums import CareLevel, ElderStatus, Gender, Hardship, TravelMode

Cell = str | int | float


class CellError(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Kind:
    def parse(self, text: str) -> Any:
        return text

    def dump(self, value: Any) -> Cell:
        return str(value)


@dataclass(frozen=True)
class Text(Kind):
    max_len: int = 80

    def parse(self, text: str) -> str:
        if len(text) > self.max_len:
            raise CellError(_("Too long: at most %(max)s characters", max=self.max_len))
        return text


_WHOLE = re.compile(r"[+-]?\d+")


@dataclass(frozen=True)
class Whole(Kind):
    minimum: int = 0
    maximum: int | None = None

    def parse(self, text: str) -> int:
        if not _WHOLE.fullmatch(text):
            raise CellError(_("Not a whole number: %(value)s", value=text))
        number = int(text)
        if number < self.minimum:
            raise CellError(_("Must be at least %(minimum)s", minimum=self.minimum))
        if self.maximum is not None and number > self.maximum:
            raise CellError(_("Must be at most %(maximum)s", maximum=self.maximum))
        return number

    def dump(self, value: Any) -> Cell:
        return int(value)


class Decimal(Kind):
    def parse(self, text: str) -> float:
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise CellError(_("Not a number: %(value)s", value=text))
        return number

    def dump(self, value: Any) -> Cell:
        return float(value)


_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::00)?")


class Clock(Kind):
    def parse(self, text: str) -> dt.time:
        found = _TIME.fullmatch(text.replace("：", ":"))
        try:
            if found:
                return dt.time(int(found[1]), int(found[2]))
        except ValueError:
            pass
        raise CellError(_("Not a time (HH:MM): %(value)s", value=text))

    def dump(self, value: Any) -> Cell:
        return str(value.strftime("%H:%M"))


# 2026-01-05, 2026/1/5, 2026.1.5 and 2026年1月5日 are all common in Chinese spreadsheets.
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


class Day(Kind):
    def parse(self, text: str) -> dt.date:
        found = _DATE.fullmatch(text)
        try:
            if found:
                return dt.date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            pass
        raise CellError(_("Not a date (YYYY-MM-DD): %(value)s", value=text))

    def dump(self, value: Any) -> Cell:
        return str(value.isoformat())


class Weekdays(Kind):
    def parse(self, text: str) -> int:
        try:
            return weekdays.parse(text)
        except weekdays.WeekdayError:
            raise CellError(_("Not weekdays (like 1-5 or 1;3;5): %(value)s", value=text)) from None

    def dump(self, value: Any) -> Cell:
        return weekdays.format_mask(value)


class CodeList(Kind):
    def parse(self, text: str) -> list[str]:
        parts = re.split(r"[;,；，]", text)
        return list(dict.fromkeys(p.strip() for p in parts if p.strip()))

    def dump(self, value: Any) -> Cell:
        return ";".join(value)


@dataclass(frozen=True)
class Choice(Kind):
    enum: type[StrEnum]
    aliases: Mapping[str, StrEnum] = field(default_factory=dict)

    def parse(self, text: str) -> StrEnum:
        key = text.lower()
        for member in self.enum:
            if key == member.value:
                return member
        if key in self.aliases:
            return self.aliases[key]
        raise CellError(
            _(
                "Unknown value %(value)s; expected one of %(expected)s",
                value=text,
                expected=self.expected(),
            )
        )

    def expected(self) -> str:
        """The accepted values as a reader of the form writes them: the Chinese words the
        file may use first, then the codes an export writes."""
        codes = ", ".join(m.value for m in self.enum)
        words = []
        for member in self.enum:
            chinese = [a for a, m in self.aliases.items() if m == member and not a.isascii()]
            if chinese:
                words.append(chinese[0])
        return f"{'、'.join(words)} ({codes})" if words else codes

    def dump(self, value: Any) -> Cell:
        return str(self.enum(value).value)


GENDER = Choice(
    Gender, {"男": Gender.MALE, "女": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE}
)
CARE_LEVEL = Choice(
    CareLevel,
    {
        "无": CareLevel.NONE,
        "轻度": CareLevel.MILD,
        "中度": CareLevel.MODERATE,
        "重度": CareLevel.SEVERE,
    },
)
HARDSHIP = Choice(
    Hardship,
    {
        "低保": Hardship.DIBAO,
        "低收入": Hardship.LOW_INCOME,
        "特困": Hardship.TEKUN,
        "失能": Hardship.DISABLED,
        "优抚": Hardship.YOUFU,
        "无": Hardship.NONE,
    },
)
ELDER_STATUS = Choice(
    ElderStatus,
    {
        "在册": ElderStatus.ACTIVE,
        "住院": ElderStatus.HOSPITALISED,
        "已故": ElderStatus.DECEASED,
        "迁出": ElderStatus.MOVED,
        "已迁出": ElderStatus.MOVED,
    },
)
TRAVEL_MODE = Choice(TravelMode, {"电动车": TravelMode.EBIKE, "步行": TravelMode.WALK})


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Column:
    """One spreadsheet column.

    ``required``: the header must name it. ``blank``: the value a blank cell stands for, or
    REQUIRED when a value must be given. ``attr``: the model attribute it sets; None when the
    entity resolves it (a code naming another row). ``source``: how export reads the value
    when it is not simply the attribute.
    """

    name: str
    kind: Kind
    required: bool = True
    blank: Any = REQUIRED
    attr: str | None = ""
    source: Callable[[Any], Any] | None = None

    def parse(self, text: str) -> Any:
        if not text:
            if self.blank is REQUIRED:
                raise CellError(_("Required value missing"))
            return self.blank
        return self.kind.parse(text)

    def read(self, obj: Any) -> Any:
        if self.source is not None:
            return self.source(obj)
        return getattr(obj, self.attr or self.name)

    def cell(self, obj: Any) -> Cell:
        value = self.read(obj)
        return "" if value is None else self.kind.dump(value)
