"""Where a run's circles are solved: as tasks of their own, shared by every worker on the
"solve" queue (``PLANNING_FANOUT``), or by this process.

A Celery worker's pool processes are daemonic and may not start a process pool of their
own, so a run solved there without fan-out solves its circles one after another.

A fanned-out run's tasks are traced (``carehub.worker.remote.Trace``); ``summary`` turns
them into the figures kept on the run (``input_summary["fanout"]``) and logged.
"""

from __future__ import annotations

import multiprocessing
import statistics
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

from flask import current_app

from carehub.dispatch.planning.models import PlanningRun
from carehub.routing.circles import NO_SEARCH, SETUP_S, Part

if TYPE_CHECKING:
    from carehub.worker.remote import Trace

# A circle's task waits no longer than this past the run's limit for a solving worker.
FANOUT_GRACE_S = 60.0


def solving(run: PlanningRun) -> tuple[Executor | None, int]:
    """The executor (None: this process) and the solver processes to use for ``run``."""
    config = current_app.config
    if config["PLANNING_FANOUT"]:
        from carehub.worker.remote import TaskExecutor

        limit = float(run.time_limit_s or config["PLAN_TIME_LIMIT_S"])
        executor = TaskExecutor(timeout_s=limit + FANOUT_GRACE_S, describe=describe_part)
        return executor, int(config["PLANNING_WORKERS"])
    if multiprocessing.current_process().daemon:
        return None, 1
    return None, int(config["PLANNING_WORKERS"])


def describe_part(args: tuple[Any, ...], plan: Any) -> dict[str, Any]:
    """A circle's task: its deadline and share when sent; whether it searched, when done."""
    part = args[0]
    if not isinstance(part, Part):
        return {}
    if plan is None:
        return {
            "deadline": part.deadline,
            "slots": part.slots,
            "cap_s": part.params.time_limit_s,
            "visits": len(part.problem.visits),
        }
    return {"searched": NO_SEARCH not in plan.notes, "left_over": len(plan.unassigned)}


def given_s(trace: Trace) -> float:
    """The search time the circle's task gave itself when it started (``_solve_part``)."""
    about = trace.about
    share = (about["deadline"] - trace.started) / about["slots"] - SETUP_S
    return max(0.0, min(about["cap_s"], share))


def _spread(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "median": round(statistics.median(values), 3),
        "max": round(max(values), 3),
        "sum": round(sum(values), 2),
    }


def _idle(traces: Sequence[Trace]) -> float:
    """Seconds the solver processes sat between one of this run's tasks and their next."""
    by_worker: dict[str, list[Trace]] = {}
    for t in traces:
        by_worker.setdefault(t.worker, []).append(t)
    idle = 0.0
    for mine in by_worker.values():
        mine.sort(key=lambda t: t.started)
        idle += sum(max(0.0, b.started - a.finished) for a, b in zip(mine, mine[1:], strict=False))
    return idle


def summary(traces: Sequence[Trace]) -> dict[str, Any]:
    """The run's circle tasks in figures: where their time went between here and the
    solving workers."""
    done = [t for t in traces if t.received and "deadline" in t.about]
    if not done:
        return {"tasks": len(traces), "failed": sum(1 for t in traces if t.failed)}
    first_sent = min(t.sent for t in traces)
    return {
        "tasks": len(traces),
        "failed": sum(1 for t in traces if t.failed),
        "workers": len({t.worker for t in done}),
        "searched": sum(1 for t in done if t.about.get("searched")),
        "span_s": round(max(t.received for t in done) - first_sent, 2),
        "send_s": _spread([t.send_s for t in done]),
        "waited_s": _spread([t.waited_s for t in done]),
        "unpack_s": _spread([t.unpack_s for t in done]),
        "call_s": _spread([t.call_s for t in done]),
        "given_s": _spread([given_s(t) for t in done]),
        "pack_s": _spread([t.pack_s for t in done]),
        "answer_s": _spread([t.answer_s for t in done]),
        "in_kb": _spread([t.in_bytes / 1024 for t in done]),
        "out_kb": _spread([t.out_bytes / 1024 for t in done]),
        "idle_between_s": round(_idle(done), 2),
        "received_out_of_order": _out_of_order(done),
    }


def _out_of_order(traces: Sequence[Trace]) -> int:
    """Answers received before an answer to a task sent earlier: gathered as they end."""
    ordered = sorted(traces, key=lambda t: t.sent)
    latest = 0.0
    count = 0
    for t in ordered:
        if t.received < latest:
            count += 1
        latest = max(latest, t.received)
    return count
