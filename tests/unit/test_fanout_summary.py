"""The figures a fanned-out run keeps of its circle tasks."""

from __future__ import annotations

from carehub.dispatch.planning import fanout
from carehub.routing.circles import SETUP_S
from carehub.worker.remote import Trace


def _trace(sent: float, started: float, finished: float, received: float, **about) -> Trace:  # type: ignore[no-untyped-def]
    about = {"deadline": 100.0, "slots": 1, "cap_s": 60.0, "visits": 5, **about}
    return Trace(
        "carehub.routing.circles:_solve_part",
        sent,
        worker="w:1",
        started=started,
        finished=finished,
        received=received,
        about=about,
    )


def test_answers_in_the_order_sent_count_none_out_of_order() -> None:
    traces = [_trace(0, 1, 2, 2.1), _trace(0.1, 2.1, 3, 3.1)]
    assert fanout.summary(traces)["received_out_of_order"] == 0


def test_an_answer_before_an_earlier_tasks_counts_out_of_order() -> None:
    traces = [_trace(0, 1, 9, 9.1), _trace(0.1, 1, 2, 2.1)]
    assert fanout.summary(traces)["received_out_of_order"] == 1


def test_a_task_gives_itself_its_share_of_what_was_left_when_it_started() -> None:
    trace = _trace(0, 80, 90, 90, slots=2)
    assert fanout.given_s(trace) == (100 - 80) / 2 - SETUP_S


def test_a_task_never_gives_itself_more_than_the_cap_or_less_than_nothing() -> None:
    assert fanout.given_s(_trace(0, 10, 11, 11, cap_s=5.0)) == 5.0
    assert fanout.given_s(_trace(0, 101, 102, 102)) == 0.0


def test_idle_counts_the_gaps_between_one_workers_tasks_only() -> None:
    traces = [_trace(0, 1, 2, 2), _trace(0, 2.5, 3, 3)]
    assert fanout.summary(traces)["idle_between_s"] == 0.5
    other = _trace(0, 2.5, 3, 3)
    other.worker = "w:2"
    assert fanout.summary([traces[0], other])["idle_between_s"] == 0.0
