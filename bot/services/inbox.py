"""Slack delivers an event again when it thinks we were slow; each event is handled once."""

from __future__ import annotations

import itertools
import threading
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain import Clock, utc_now

# Slack retries within minutes; a week of ids is ample, and pruning keeps the table small.
KEEP = timedelta(days=7)
PRUNE_EVERY = 1000


class EventLog(Protocol):
    """Event ids seen by any replica (a unique key makes the first one win)."""

    def first_delivery(self, event_id: str) -> bool: ...

    def forget_before(self, cutoff: datetime) -> int: ...


class EventInbox:
    def __init__(self, log: EventLog, *, clock: Clock = utc_now) -> None:
        self._log = log
        self._clock = clock
        self._seen = itertools.count(1)
        self._lock = threading.Lock()

    def first_delivery(self, event_id: str) -> bool:
        """True the first time an event id is seen, False for every repeat (any replica)."""
        first = self._log.first_delivery(event_id)
        with self._lock:
            due = next(self._seen) % PRUNE_EVERY == 0
        if due:
            self.prune()
        return first

    def prune(self) -> int:
        return self._log.forget_before(self._clock() - KEEP)
