"""A day's routes as timeline rows, one per caregiver: visits, the travel before each, the
waiting between arriving and starting, and breaks, positioned in pixels from the day's start.

Pure: the caller gives minutes from local midnight and a travel function. Travel is drawn
as leaving right after the previous visit (or just in time for the first one), so the gap
left before a visit is waiting.
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


@dataclass(frozen=True)
class Block:
    kind: str  # visit, travel, wait, break
    start: int
    end: int
    left: float  # pixels from the row's start
    width: float
    stop: Stop | None = None

    @property
    def label(self) -> str:
        return f"{clock(self.start)}–{clock(self.end)}"


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


def _blocks(
    worker: Worker, stops: Sequence[Stop], travel: TravelMinutes
) -> list[tuple[str, int, int, Stop | None]]:
    out: list[tuple[str, int, int, Stop | None]] = [("break", a, b, None) for a, b in worker.breaks]
    where: LatLon | None = worker.home
    free: int | None = None
    for stop in stops:
        minutes = travel(where, stop.location, worker.mode)
        leave = stop.start - minutes if free is None else free
        arrive = min(leave + minutes, stop.start)
        if minutes and arrive > leave:
            out.append(("travel", leave, arrive, None))
        if free is not None and stop.start > arrive:
            out.append(("wait", arrive, stop.start, None))
        out.append(("visit", stop.start, stop.end, stop))
        where, free = stop.location, stop.end
    if free is not None:
        minutes = travel(where, worker.home, worker.mode)
        if minutes:
            out.append(("travel", free, free + minutes, None))
    if worker.lunch is not None and not worker.breaks:
        out = _with_lunch(out, worker.lunch)
    return sorted(out, key=lambda b: (b[1], b[0] != "visit"))


def _with_lunch(
    blocks: list[tuple[str, int, int, Stop | None]], lunch: tuple[int, int, int]
) -> list[tuple[str, int, int, Stop | None]]:
    """The lunch at the earliest time inside its window clear of visits and travel (the
    planner only promises it fits somewhere there); waiting it overlaps is cut around it."""
    opens, closes, minutes = lunch
    busy = sorted((a, b) for kind, a, b, _ in blocks if kind in ("visit", "travel"))
    for start in [opens] + [b for _, b in busy if opens < b]:
        end = start + minutes
        if end > closes:
            break
        if all(b <= start or a >= end for a, b in busy):
            kept: list[tuple[str, int, int, Stop | None]] = []
            for kind, a, b, stop in blocks:
                if kind != "wait" or b <= start or a >= end:
                    kept.append((kind, a, b, stop))
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
) -> Timeline:
    """Rows in the order of ``workers``; a stop of a caregiver not listed is left out."""
    workers = list(workers)
    by_worker: dict[int, list[Stop]] = {w.id: [] for w in workers}
    for stop in stops:
        if stop.caregiver_id in by_worker:
            by_worker[stop.caregiver_id].append(stop)
    raw = {
        w.id: _blocks(w, sorted(by_worker[w.id], key=lambda s: s.start), travel) for w in workers
    }
    edges = [m for w in workers for m in (w.shift_start, w.shift_end)]
    edges += [m for blocks in raw.values() for _, a, b, _ in blocks for m in (a, b)]
    if not edges:
        return Timeline((), 0, 0, px_per_minute)
    day_start = max(0, min(edges) // 60 * 60)
    day_end = max(day_start + 60, -(-max(edges) // 60) * 60)

    def px(minute: int) -> float:
        return round((minute - day_start) * px_per_minute, 1)

    rows = tuple(
        Row(
            w,
            tuple(
                Block(kind, a, b, px(a), round((b - a) * px_per_minute, 1), stop)
                for kind, a, b, stop in raw[w.id]
            ),
            px(w.shift_start),
            round((w.shift_end - w.shift_start) * px_per_minute, 1),
        )
        for w in workers
    )
    ticks = tuple((clock(m), px(m)) for m in range(day_start, day_end + 1, 60))
    return Timeline(rows, day_start, day_end, px_per_minute, ticks)
