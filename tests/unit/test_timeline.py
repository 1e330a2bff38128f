"""Timeline rows from visits: travel before each visit, waiting, the way home, pixels."""

from __future__ import annotations

from carehub.dispatch.timeline import Collect, Stop, Worker, build, clock

HOME = (0.0, 0.0)
A = (0.0, 1.0)
B = (0.0, 2.0)


def travel(a, b, mode):
    # Ten minutes a unit of longitude; unknown places cost nothing.
    if a is None or b is None:
        return 0
    return round(abs(a[1] - b[1]) * 10)


def _stop(vid: int, start: int, end: int, where, carer: int = 1) -> Stop:
    return Stop(vid, 3, carer, start, end, f"elder{vid}", "meal", where)


def test_blocks_travel_wait_visit_and_home() -> None:
    worker = Worker(1, "王芳", "C1", 8 * 60, 17 * 60, HOME)
    stops = [_stop(2, 11 * 60, 11 * 60 + 30, B), _stop(1, 9 * 60, 9 * 60 + 30, A)]
    line = build([worker], stops, travel, px_per_minute=2)
    assert (line.day_start, line.day_end) == (8 * 60, 17 * 60)
    row = line.rows[0]
    kinds = [(b.kind, clock(b.start), clock(b.end)) for b in row.blocks]
    assert kinds == [
        ("travel", "08:50", "09:00"),  # just in time for the first visit
        ("visit", "09:00", "09:30"),
        ("travel", "09:30", "09:40"),  # leaves right after
        ("wait", "09:40", "11:00"),
        ("visit", "11:00", "11:30"),
        ("travel", "11:30", "11:50"),  # home
    ]
    first = row.blocks[1]
    assert first.stop is not None and first.stop.id == 1 and first.stop.version == 3
    assert (first.left, first.width) == (120.0, 60.0)
    assert (row.shift_left, row.shift_width) == (0.0, 1080.0)
    assert line.width == 1080 and line.ticks[0] == ("08:00", 0.0) and line.ticks[-1][0] == "17:00"
    assert row.visits == 2


def test_rows_follow_the_workers_and_skip_unknown_caregivers() -> None:
    idle = Worker(2, "李明", "C2", 7 * 60 + 30, 12 * 60, HOME)
    busy = Worker(1, "王芳", "C1", 8 * 60, 18 * 60 + 10, HOME, breaks=((12 * 60, 12 * 60 + 30),))
    stops = [_stop(1, 9 * 60, 9 * 60 + 30, None), _stop(9, 10 * 60, 10 * 60 + 30, A, carer=7)]
    line = build([idle, busy], stops, travel)
    assert [r.worker.code for r in line.rows] == ["C2", "C1"]
    assert line.rows[0].blocks == ()
    # No place known: no travel drawn; the break is a block of its own.
    assert [b.kind for b in line.rows[1].blocks] == ["visit", "break"]
    # The scale starts and ends on whole hours around every shift.
    assert (line.day_start, line.day_end) == (7 * 60, 19 * 60)


def test_overlapping_visits_after_a_manual_move_draw_no_negative_travel() -> None:
    worker = Worker(1, "王芳", "C1", 8 * 60, 17 * 60, HOME)
    stops = [_stop(1, 9 * 60, 10 * 60, A), _stop(2, 9 * 60 + 50, 10 * 60 + 20, B)]
    blocks = build([worker], stops, travel).rows[0].blocks
    assert all(b.width >= 0 for b in blocks)
    assert [b.kind for b in blocks if b.kind != "travel" or b.start < 9 * 60] == [
        "travel",
        "visit",
        "visit",
    ]


def test_no_workers_gives_an_empty_timeline() -> None:
    line = build([], [], travel)
    assert line.rows == () and line.width == 0


def test_lunch_drawn_in_the_first_clear_gap_of_its_window_cutting_the_wait() -> None:
    lunch = (11 * 60 + 30, 13 * 60 + 30, 30)
    worker = Worker(1, "王芳", "C1", 8 * 60, 17 * 60, HOME, lunch=lunch)
    # Busy 11:20-12:00 (travel then a visit), then waiting until the 13:30 visit.
    stops = [_stop(1, 11 * 60 + 30, 12 * 60, A), _stop(2, 13 * 60 + 30, 14 * 60, A)]
    row = build([worker], stops, travel).rows[0]
    kinds = [(b.kind, clock(b.start), clock(b.end)) for b in row.blocks]
    assert ("break", "12:00", "12:30") in kinds
    assert ("wait", "12:30", "13:30") in kinds
    assert not any(k == "wait" and a < "12:30" for k, a, _ in kinds)


def test_no_lunch_drawn_when_the_window_has_no_room() -> None:
    worker = Worker(1, "王芳", "C1", 8 * 60, 17 * 60, HOME, lunch=(12 * 60, 12 * 60 + 40, 30))
    stops = [_stop(1, 12 * 60 + 10, 12 * 60 + 40, HOME)]
    row = build([worker], stops, travel).rows[0]
    assert not any(b.kind == "break" for b in row.blocks)


def test_a_collection_is_a_stop_at_its_kitchen_with_travel_there_and_on() -> None:
    worker = Worker(1, "王芳", "C1", 8 * 60, 17 * 60, HOME)
    kitchen = Collect(5, 1, 10 * 60 + 45, 10 * 60 + 47, "中心厨房", 2, A)
    drops = [_stop(1, 11 * 60, 11 * 60 + 3, B), _stop(2, 11 * 60 + 20, 11 * 60 + 23, B)]
    row = build([worker], drops, travel, collects=[kitchen]).rows[0]
    kinds = [(b.kind, clock(b.start), clock(b.end)) for b in row.blocks]
    assert kinds[:4] == [
        ("travel", "10:35", "10:45"),  # home to the kitchen
        ("collect", "10:45", "10:47"),
        ("travel", "10:47", "10:57"),  # kitchen to the first door
        ("wait", "10:57", "11:00"),
    ]
    collect = row.blocks[1]
    assert collect.collect == kitchen and collect.stop is None
    assert row.visits == 2


def test_a_collection_of_another_caregiver_is_left_out() -> None:
    worker = Worker(1, "王芳", "C1", 8 * 60, 17 * 60, HOME)
    other = Collect(5, 2, 10 * 60 + 45, 10 * 60 + 47, "中心厨房", 2, A)
    row = build([worker], [_stop(1, 11 * 60, 11 * 60 + 3, B)], travel, collects=[other]).rows[0]
    assert "collect" not in [b.kind for b in row.blocks]


def test_a_span_is_shown_at_least_and_short_stops_get_a_minimum_width() -> None:
    worker = Worker(1, "王芳", "C1", 9 * 60, 12 * 60, None)
    line = build(
        [worker],
        [_stop(1, 10 * 60, 10 * 60 + 3, None)],
        travel,
        span=(7 * 60, 19 * 60),
        min_width=12,
    )
    assert (line.day_start, line.day_end) == (7 * 60, 19 * 60)
    visit = line.rows[0].blocks[0]
    assert (visit.left, visit.width) == (270.0, 12)
    narrow = build([worker], [_stop(1, 10 * 60, 10 * 60 + 3, None)], travel)
    assert (narrow.day_start, narrow.rows[0].blocks[0].width) == (9 * 60, 4.5)
