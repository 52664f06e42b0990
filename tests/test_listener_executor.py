"""The listener pool counts work in flight, so shutdown and tests can wait for it to end."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from bot.slack.executor import ListenerExecutor


@pytest.fixture
def executor() -> Iterator[ListenerExecutor]:
    pool = ListenerExecutor(max_workers=1)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True)


def test_idle_only_once_every_submitted_task_has_ended(executor: ListenerExecutor) -> None:
    release = threading.Event()
    started = threading.Event()

    def work() -> str:
        started.set()
        release.wait(10)
        return "done"

    future = executor.submit(work)
    queued = executor.submit(work)  # counted while it waits for a worker as well
    assert started.wait(5)

    assert executor.in_flight == 2
    assert executor.wait_until_idle(0.01) is False
    release.set()
    assert executor.wait_until_idle(5) is True
    assert executor.in_flight == 0
    assert future.result() == queued.result() == "done"


def test_a_task_that_raises_still_ends(executor: ListenerExecutor) -> None:
    def crash() -> None:
        raise RuntimeError("listener failed")

    future = executor.submit(crash)

    assert executor.wait_until_idle(5) is True
    assert isinstance(future.exception(), RuntimeError)


def test_idle_at_once_when_nothing_was_submitted(executor: ListenerExecutor) -> None:
    assert executor.wait_until_idle(0) is True
