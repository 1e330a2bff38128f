"""The month's arithmetic, in integer fen: an elder's line from their entitlement and
visits, and the roll-up of lines to stations, providers and the whole month.

Every level is a plain sum of the level below, so the figures agree to the fen.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

from carehub.subsidy.reconciliation.rules import FLAGGED, REJECTED, VERIFIED

FEN_FIELDS = (
    "entitlement_fen",
    "verified_fen",
    "payable_fen",
    "excess_fen",
    "unused_fen",
    "flagged_fen",
)
COUNT_FIELDS = ("verified", "flagged", "rejected")


@dataclass
class ElderLine:
    elder_id: int
    elder_code: str
    station_id: int | None
    care_level: str
    entitlement_fen: int
    carried_in_fen: int
    verified_fen: int
    payable_fen: int
    excess_fen: int
    unused_fen: int
    flagged_fen: int
    verified: int
    flagged: int
    rejected: int

    def as_json(self) -> dict[str, object]:
        return {
            "elder_code": self.elder_code,
            **{name: getattr(self, name) for name in FEN_FIELDS},
            "visits": {name: getattr(self, name) for name in COUNT_FIELDS},
        }


def elder_line(
    elder_id: int,
    elder_code: str,
    station_id: int | None,
    care_level: str,
    entitlement_fen: int,
    visits: Iterable[tuple[str, int]],
    carried_in_fen: int = 0,
) -> ElderLine:
    """``visits`` are (status, value in fen). Verified value is paid up to the entitlement
    (which includes anything carried in); the rest is the elder's to pay."""
    value = {VERIFIED: 0, FLAGGED: 0, REJECTED: 0}
    count = {VERIFIED: 0, FLAGGED: 0, REJECTED: 0}
    for status, fen in visits:
        value[status] += fen
        count[status] += 1
    entitled = entitlement_fen + carried_in_fen
    payable = min(value[VERIFIED], entitled)
    return ElderLine(
        elder_id=elder_id,
        elder_code=elder_code,
        station_id=station_id,
        care_level=care_level,
        entitlement_fen=entitled,
        carried_in_fen=carried_in_fen,
        verified_fen=value[VERIFIED],
        payable_fen=payable,
        excess_fen=value[VERIFIED] - payable,
        unused_fen=entitled - payable,
        flagged_fen=value[FLAGGED],
        verified=count[VERIFIED],
        flagged=count[FLAGGED],
        rejected=count[REJECTED],
    )


@dataclass
class Summary:
    """Sums over a group of elder lines, plus the adjustments booked to the group."""

    key: Hashable = None
    label: str = ""
    provider: str = ""
    elders: int = 0
    adjustment_fen: int = 0
    fen: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FEN_FIELDS, 0))
    visits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_FIELDS, 0))

    def add(self, line: ElderLine) -> None:
        self.elders += 1
        for name in FEN_FIELDS:
            self.fen[name] += getattr(line, name)
        for name in COUNT_FIELDS:
            self.visits[name] += getattr(line, name)

    def merge(self, other: Summary) -> None:
        self.elders += other.elders
        self.adjustment_fen += other.adjustment_fen
        for name in FEN_FIELDS:
            self.fen[name] += other.fen[name]
        for name in COUNT_FIELDS:
            self.visits[name] += other.visits[name]

    @property
    def to_pay_fen(self) -> int:
        """Payable this month with corrections to locked months added."""
        return self.fen["payable_fen"] + self.adjustment_fen

    def __getattr__(self, name: str) -> int:
        fen = self.__dict__.get("fen", {})
        if name in fen:
            return int(fen[name])
        raise AttributeError(name)

    def as_json(self) -> dict[str, object]:
        return {
            **dict(self.fen),
            "adjustment_fen": self.adjustment_fen,
            "elders": self.elders,
            "visits": dict(self.visits),
        }


def roll_up(
    lines: Iterable[ElderLine],
    key: Callable[[ElderLine], Hashable],
    adjustments: dict[Hashable, int] | None = None,
) -> dict[Hashable, Summary]:
    groups: dict[Hashable, Summary] = {}
    for line in lines:
        k = key(line)
        if k not in groups:
            groups[k] = Summary(key=k)
        groups[k].add(line)
    for k, amount in (adjustments or {}).items():
        groups.setdefault(k, Summary(key=k)).adjustment_fen += amount
    return groups


def total(groups: Iterable[Summary]) -> Summary:
    result = Summary(key="total")
    for group in groups:
        result.merge(group)
    return result
