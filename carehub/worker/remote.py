"""An ``Executor`` whose calls run as Celery tasks, so any worker process, on any machine,
can take them: the circle solves of a planning run share one day this way.

Arguments and results are pickled (they are the optimiser's dataclasses) and carried as
base64 text inside JSON messages, so the broker's serializer stays JSON for every other
task; only the functions listed in ``ALLOWED`` may be called this way.

Each call is traced (``Trace``): when it was sent, when a worker started and ended it, how
long unpickling, the call and pickling took there, the message sizes, and when its answer
was back. ``TaskExecutor.traces`` keeps them, for the planning run's log and the
scale-out benchmark (docs/benchmarks.md#scale-out-on-workers).
"""

from __future__ import annotations

import base64
import importlib
import os
import pickle
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Any

from celery import shared_task
from celery.exceptions import TimeoutError as CeleryTimeout

from carehub.worker import QUEUE_SOLVE, celery_app

CALL_TASK = "carehub.worker.remote.call"
ALLOWED = frozenset({"carehub.routing.circles:_solve_part"})


def _pack(value: Any) -> str:
    return base64.b64encode(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)).decode()


def _unpack(text: str) -> Any:
    return pickle.loads(base64.b64decode(text))  # noqa: S301 - our own workers' messages


def _name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}:{fn.__qualname__}"


# The result is a plan in base64: not for the log. A circle's task is short and its caller
# waits for the result only, so the "started" state (a write to the result store before each
# task) is not kept.
@shared_task(name=CALL_TASK, resultrepr_maxsize=60, track_started=False)
def call(function: str, payload: str) -> dict[str, Any]:
    started = time.time()
    if function not in ALLOWED:
        raise ValueError(f"{function} may not be called through the queue")
    module, _, name = function.partition(":")
    fn = getattr(importlib.import_module(module), name)
    args, kwargs = _unpack(payload)
    unpacked = time.time()
    value = fn(*args, **kwargs)
    called = time.time()
    text = _pack(value)
    return {
        "value": text,
        "worker": f"{socket.gethostname()}:{os.getpid()}",
        "started": started,
        "unpack_s": unpacked - started,
        "call_s": called - unpacked,
        "pack_s": time.time() - called,
        "finished": time.time(),
    }


@dataclass
class Trace:
    """One call's way through the queue; instants on ``time.time()``'s clock (the worker's
    for ``started`` and ``finished``)."""

    function: str
    sent: float
    send_s: float = 0.0  # pickling the arguments and handing the message to the broker
    in_bytes: int = 0
    out_bytes: int = 0
    worker: str = ""
    started: float = 0.0  # the worker began the task
    unpack_s: float = 0.0
    call_s: float = 0.0
    pack_s: float = 0.0
    finished: float = 0.0
    received: float = 0.0  # the caller had the result, unpickled
    failed: str = ""
    # What the caller's ``describe`` said of the call's arguments and then of its result.
    about: dict[str, Any] = field(default_factory=dict)

    @property
    def waited_s(self) -> float:
        """From sending to a worker starting it: the queue, prefetch, the pool's hand-over."""
        return max(0.0, self.started - self.sent - self.send_s)

    @property
    def answer_s(self) -> float:
        """From the worker's end to the caller holding the result."""
        return max(0.0, self.received - self.finished)


class TaskExecutor(Executor):
    """Submits each call as a task on the ``solve`` queue and waits for its result in a
    thread of its own; the caller sees ordinary futures, done in the order the workers end
    them."""

    def __init__(
        self,
        queue: str = QUEUE_SOLVE,
        poll_s: float = 0.1,
        timeout_s: float | None = None,
        describe: Callable[[tuple[Any, ...], Any], dict[str, Any]] | None = None,
    ) -> None:
        self.queue = queue
        # (arguments, None) at sending and (arguments, result) at the answer: what to trace.
        self.describe = describe
        # With no worker taking the queue a call would wait for ever; it fails instead.
        self.timeout_s = timeout_s
        self.poll_s = poll_s
        self.celery = celery_app()
        self.traces: list[Trace] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        function = _name(fn)
        if function not in ALLOWED:
            raise ValueError(f"{function} may not be called through the queue")
        future: Future[Any] = Future()
        trace = Trace(function, time.time())
        if self.describe is not None:
            trace.about.update(self.describe(args, None))
        payload = _pack((args, kwargs))
        result = self.celery.send_task(CALL_TASK, args=(function, payload), queue=self.queue)
        trace.send_s, trace.in_bytes = time.time() - trace.sent, len(payload)
        self.traces.append(trace)

        def wait() -> None:
            try:
                # The caller may itself be a task (a planning run): it waits on purpose, and
                # its own queue is not the one the solves run on.
                answer = result.get(
                    timeout=self.timeout_s, interval=self.poll_s, disable_sync_subtasks=False
                )
                value = _unpack(answer["value"])
            except CeleryTimeout:
                trace.failed = "timeout"
                future.set_exception(
                    TimeoutError(
                        f"no worker on the {self.queue} queue answered within {self.timeout_s:.0f} s"
                    )
                )
            except BaseException as exc:
                trace.failed = type(exc).__name__
                future.set_exception(exc)
            else:
                trace.out_bytes = len(answer["value"])
                for key in ("worker", "started", "unpack_s", "call_s", "pack_s", "finished"):
                    setattr(trace, key, answer[key])
                trace.received = time.time()
                if self.describe is not None:
                    trace.about.update(self.describe(args, value))
                future.set_result(value)
            finally:
                result.forget()

        future.set_running_or_notify_cancel()
        threading.Thread(target=wait, name=f"task-{result.id}", daemon=True).start()
        return future
