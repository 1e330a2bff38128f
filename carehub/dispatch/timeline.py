"""A day's routes as timeline rows, one per caregiver: visits, meal collections at their
kitchen, the travel before each, the waiting between arriving and starting, and breaks,
positioned in pixels from the day's start. The one builder behind the planning result,
the day timeline of the moves page and any other page that draws routes.

Pure: the caller gives minutes from local midnight and a travel function
(``timeline_rows`` turns the day's rows into these). Travel is drawn as leaving right
after the previous stop (or just in time for the first one), so the gap left before a stop
is waiting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

LatLon = tuple[float, float]
# Minutes from one place to another by a travel mode; places may be unknown (None).
TravelMinutes = Callable[[LatLon | None, LatLon | None, str], int]

PX_PER_MINUTE = 1.5


@dataclass(frozen=True)
class Worker:
    id: int
    name: str
    code: str
    shift_start: int  # minutes from local midnight
    shift_end: int
    home: LatLon | None
    mode: str = "ebike"
    breaks: tuple[tuple[int, int], ...] = ()
    # (window start, window end, minutes): a lunch the plan left room for, drawn where it fits.
    lunch: tuple[int, int, int] | None = None


@dataclass(frozen=True)
class Stop:
    id: int
    version: int
    caregiver_id: int
    start: int
    end: int
    elder: str
    service: str
    location: LatLon | None
    lent: bool = False
    status: str = "planned"
    pinned: bool = False
    # Shown on this page but belonging to another (the caregiver lent to another station's
    # elder): not moved from here. ``away`` names where it belongs.
    away: str | None = None


@dataclass(frozen=True)
class Collect:
    """A meal round's collection: ``meals`` meals loaded at a kitchen."""

    id: int
    caregiver_id: int
    start: int
    end: int
    kitchen: str
    meals: int
    location: LatLon | None


Item = Stop | Collect


@dataclass(frozen=True)
class Block:
    kind: str  # visit, collect, travel, wait, break
    start: int
    end: int
    left: float  # pixels from the row's start
    width: float
    stop: Stop | None = None
    collect: Collect | None = None

    @property
    def label(self) -> str:
        return f"{clock(self.start)}–{clock(self.end)}"

    @property
    def time(self) -> str:
        return clock(self.start)


@dataclass(frozen=True)
class Row:
    worker: Worker
    blocks: tuple[Block, ...]
    shift_left: float
    shift_width: float

    @property
    def visits(self) -> int:
        return sum(1 for b in self.blocks if b.kind == "visit")


@dataclass(frozen=True)
class Timeline:
    rows: tuple[Row, ...]
    day_start: int
    day_end: int
    px_per_minute: float
    ticks: tuple[tuple[str, float], ...] = field(default=())

    @property
    def width(self) -> float:
        return (self.day_end - self.day_start) * self.px_per_minute


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


Raw = tuple[str, int, int, Item | None]


def _kind(item: Item) -> str:
    return "collect" if isinstance(item, Collect) else "visit"


def _blocks(worker: Worker, items: Sequence[Item], travel: TravelMinutes) -> list[Raw]:
    out: list[Raw] = [("break", a, b, None) for a, b in worker.breaks]
    where: LatLon | None = worker.home
    free: int | None = None
    for item in items:
        minutes = travel(where, item.location, worker.mode)
        leave = item.start - minutes if free is None else free
        arrive = min(leave + minutes, item.start)
        if minutes and arrive > leave:
            out.append(("travel", leave, arrive, None))
        if free is not None and item.start > arrive:
            out.append(("wait", arrive, item.start, None))
        out.append((_kind(item), item.start, item.end, item))
        where, free = item.location, item.end
    if free is not None:
        minutes = travel(where, worker.home, worker.mode)
        if minutes:
            out.append(("travel", free, free + minutes, None))
    if worker.lunch is not None and not worker.breaks:
        out = _with_lunch(out, worker.lunch)
    return sorted(out, key=lambda b: (b[1], b[0] not in ("visit", "collect")))


def _with_lunch(blocks: list[Raw], lunch: tuple[int, int, int]) -> list[Raw]:
    """The lunch at the earliest time inside its window clear of stops and travel (the
    planner only promises it fits somewhere there); waiting it overlaps is cut around it."""
    opens, closes, minutes = lunch
    busy = sorted((a, b) for kind, a, b, _ in blocks if kind in ("visit", "collect", "travel"))
    for start in [opens] + [b for _, b in busy if opens < b]:
        end = start + minutes
        if end > closes:
            break
        if all(b <= start or a >= end for a, b in busy):
            kept: list[Raw] = []
            for kind, a, b, item in blocks:
                if kind != "wait" or b <= start or a >= end:
                    kept.append((kind, a, b, item))
                    continue
                if a < start:
                    kept.append(("wait", a, start, None))
                if b > end:
                    kept.append(("wait", end, b, None))
            return [*kept, ("break", start, end, None)]
    return blocks


def build(
    workers: Iterable[Worker],
    stops: Iterable[Stop],
    travel: TravelMinutes,
    px_per_minute: float = PX_PER_MINUTE,
    collects: Iterable[Collect] = (),
    span: tuple[int, int] | None = None,
    min_width: float = 0.0,
) -> Timeline:
    """Rows in the order of ``workers``; a stop of a caregiver not listed is left out.

    ``span`` (minutes from midnight) is shown at least; a visit or collection is drawn at
    least ``min_width`` pixels wide, so a short one can still be grabbed."""
    workers = list(workers)
    by_worker: dict[int, list[Item]] = {w.id: [] for w in workers}
    items: list[Item] = [*stops, *collects]
    for item in items:
        if item.caregiver_id in by_worker:
            by_worker[item.caregiver_id].append(item)
    raw = {
        w.id: _blocks(
            w, sorted(by_worker[w.id], key=lambda s: (s.start, _kind(s) == "visit")), travel
        )
        for w in workers
    }
    edges = [m for w in workers for m in (w.shift_start, w.shift_end)]
    edges += [m for blocks in raw.values() for _, a, b, _ in blocks for m in (a, b)]
    if not edges:
        return Timeline((), 0, 0, px_per_minute)
    if span is not None:
        edges += list(span)
    day_start = max(0, min(edges) // 60 * 60)
    day_end = max(day_start + 60, -(-max(edges) // 60) * 60)

    def px(minute: int) -> float:
        return round((minute - day_start) * px_per_minute, 1)

    def block(kind: str, a: int, b: int, item: Item | None) -> Block:
        width = round((b - a) * px_per_minute, 1)
        if item is not None:
            width = max(width, min_width)
        stop = item if isinstance(item, Stop) else None
        collect = item if isinstance(item, Collect) else None
        return Block(kind, a, b, px(a), width, stop, collect)

    rows = tuple(
        Row(
            w,
            tuple(block(*b) for b in raw[w.id]),
            px(w.shift_start),
            round((w.shift_end - w.shift_start) * px_per_minute, 1),
        )
        for w in workers
    )
    ticks = tuple((clock(m), px(m)) for m in range(day_start, day_end + 1, 60))
    return Timeline(rows, day_start, day_end, px_per_minute, ticks)
