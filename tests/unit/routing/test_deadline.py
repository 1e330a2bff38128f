"""The run's deadline and how it is shared between the steps (explicit clocks, no timing)."""

from __future__ import annotations

import pytest

from carehub.routing.deadline import Deadline


def test_left_counts_down_to_zero_and_never_below() -> None:
    d = Deadline.after(60, now=1_000.0)
    assert d.end == 1_060.0
    assert d.left(now=1_000.0) == 60
    assert d.left(now=1_045.5) == pytest.approx(14.5)
    assert d.left(now=2_000.0) == 0


def test_earlier_leaves_room_for_the_steps_after() -> None:
    d = Deadline.after(60, now=0.0)
    assert d.earlier(6.5).left(now=0.0) == pytest.approx(53.5)
    assert d.earlier(-3).end == d.end  # a negative reserve gives no extra time


def test_share_takes_a_fraction_of_what_is_left_after_the_rest() -> None:
    d = Deadline.after(60, now=0.0)
    # 60 s left, 10 s set aside for what follows, 90 % of the remaining 50 s.
    assert d.share(0.9, rest_s=10, now=0.0).end == pytest.approx(45.0)
    # Later in the run the same share is of less: a slow start shortens the step.
    assert d.share(0.9, rest_s=10, now=20.0).end == pytest.approx(20.0 + 27.0)
    # Nothing left after the rest: the step ends now.
    assert d.share(0.9, rest_s=100, now=5.0).end == 5.0


def test_at_least_gives_a_late_step_its_floor_and_a_timely_one_its_deadline() -> None:
    d = Deadline.after(10, now=0.0)
    assert d.at_least(0.25, now=2.0).end == 10.0  # time left: the deadline stands
    assert d.at_least(0.25, now=9.9).end == pytest.approx(10.15)
    assert d.at_least(0.25, now=30.0).end == pytest.approx(30.25)  # past it: the floor


def test_a_plan_split_fits_the_whole_limit() -> None:
    """The planning run's split: writing reserved, pass 1 and lending before it."""
    limit, now = 60.0, 0.0
    run = Deadline.after(limit, now=now)
    solving = run.earlier(5.0)  # checking and writing 10,000 visits, measured
    pass1 = solving.share(0.9, rest_s=5.0, now=now + 3.0)  # 3 s to load; 5 s of insertion
    assert pass1.end <= solving.end <= run.end
    assert pass1.end == pytest.approx(3.0 + 0.9 * (55.0 - 3.0 - 5.0))
    assert solving.left(now=pass1.end) == pytest.approx(55.0 - pass1.end)


def test_the_cli_deadline_starts_with_the_process() -> None:
    """`carehub plan --time-limit` covers start-up: the clock starts when the process did,
    read from /proc (the test process has been running for a while by now)."""
    import time

    from carehub.dispatch.cli import process_started

    started = process_started()
    assert time.time() - 24 * 3600 < started < time.time() - 0.01


def test_the_writing_reserve_grows_with_the_day_and_the_machine_s_load() -> None:
    from carehub.dispatch.planning.services import WRITE_S, WRITE_S_PER_VISIT, write_reserve

    quiet = write_reserve(10_000, load=1.0, cores=2)
    assert quiet == pytest.approx(WRITE_S + WRITE_S_PER_VISIT * 10_000)
    assert write_reserve(100, load=1.0, cores=2) < quiet
    # Up to 2.5 per core counts as measured; twice that load, twice the time.
    assert write_reserve(10_000, load=5.0, cores=2) == pytest.approx(quiet)
    assert write_reserve(10_000, load=10.0, cores=2) == pytest.approx(2 * quiet)
    assert write_reserve(10_000, load=10.0, cores=8) == pytest.approx(quiet)
