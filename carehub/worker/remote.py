"""An ``Executor`` whose calls run as Celery tasks, so any worker process, on any machine,
can take them: the circle solves of a planning run share one day this way.

Arguments and results are pickled (they are the optimiser's dataclasses) and carried as
base64 text inside JSON messages, so the broker's serializer stays JSON for every other
task; only the functions listed in ``ALLOWED`` may be called this way.
"""

from __future__ import annotations

import base64
import importlib
import pickle
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
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


# The result is a plan in base64: not for the log.
@shared_task(name=CALL_TASK, resultrepr_maxsize=60)
def call(function: str, payload: str) -> str:
    if function not in ALLOWED:
        raise ValueError(f"{function} may not be called through the queue")
    module, _, name = function.partition(":")
    fn = getattr(importlib.import_module(module), name)
    args, kwargs = _unpack(payload)
    return _pack(fn(*args, **kwargs))


class TaskExecutor(Executor):
    """Submits each call as a task on the ``solve`` queue and waits for its result in a
    thread of its own; the caller sees ordinary futures."""

    def __init__(
        self, queue: str = QUEUE_SOLVE, poll_s: float = 0.1, timeout_s: float | None = None
    ) -> None:
        self.queue = queue
        # With no worker taking the queue a call would wait for ever; it fails instead.
        self.timeout_s = timeout_s
        self.poll_s = poll_s
        self.celery = celery_app()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        function = _name(fn)
        if function not in ALLOWED:
            raise ValueError(f"{function} may not be called through the queue")
        future: Future[Any] = Future()
        result = self.celery.send_task(
            CALL_TASK, args=(function, _pack((args, kwargs))), queue=self.queue
        )

        def wait() -> None:
            try:
                # The caller may itself be a task (a planning run): it waits on purpose, and
                # its own queue is not the one the solves run on.
                text = result.get(
                    timeout=self.timeout_s, interval=self.poll_s, disable_sync_subtasks=False
                )
            except CeleryTimeout:
                future.set_exception(
                    TimeoutError(
                        f"no worker on the {self.queue} queue answered within {self.timeout_s:.0f} s"
                    )
                )
            except BaseException as exc:
                future.set_exception(exc)
            else:
                future.set_result(_unpack(text))
            finally:
                result.forget()

        future.set_running_or_notify_cancel()
        threading.Thread(target=wait, name=f"task-{result.id}", daemon=True).start()
        return future
