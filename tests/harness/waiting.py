"""Waiting on a condition with a deadline: the one polling loop the tests use.

Prefer an event to polling where the code offers one (`FakeSlack.wait_for`,
`RunningBot.wait_until_idle`); poll only what has no signal, such as a row the bot writes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T], *, timeout: float, what: str, interval: float = 0.01
) -> T:
    """Call `condition` until it returns something truthy and return that; fail after `timeout`
    seconds with `what` (the thing that never happened) in the message."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout}s")
        time.sleep(interval)
