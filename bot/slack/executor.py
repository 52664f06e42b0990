"""The thread pool Bolt runs listeners in after the ack, counting the work still running.

Everything a request starts after its ack (drafting, answering, posting) is submitted here
before Bolt answers Slack, so once the requests sent so far have been answered, "no work in
flight" means the bot has finished with all of them: a shutdown can wait for that, and so can
a test that checks nothing else happened.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class ListenerExecutor(ThreadPoolExecutor):
    def __init__(self, max_workers: int) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="apo-listener")
        self._changed = threading.Condition()
        self._in_flight = 0

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        with self._changed:
            self._in_flight += 1
        try:
            # The request's correlation ids (bot.ops.logs) follow its work into the pool.
            context = contextvars.copy_context()
            future = super().submit(lambda: context.run(fn, *args, **kwargs))
        except BaseException:
            self._finished()
            raise
        future.add_done_callback(lambda _: self._finished())
        return future

    @property
    def in_flight(self) -> int:
        """Work submitted and not finished yet (queued or running)."""
        with self._changed:
            return self._in_flight

    def wait_until_idle(self, timeout: float) -> bool:
        """Block until no work is in flight; False if some still is after `timeout` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: self._in_flight == 0, timeout)

    def _finished(self) -> None:
        with self._changed:
            self._in_flight -= 1
            self._changed.notify_all()
