"""Slack delivers an event again when it thinks we were slow; each event is handled once."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

from bot.storage.db import Database
from bot.storage.events import mark_event_processed, prune_processed_events
from bot.storage.types import now_utc

# Slack retries within minutes; a week of ids is ample, and pruning keeps the table small.
KEEP = timedelta(days=7)
PRUNE_EVERY = 1000


class EventInbox:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._seen = itertools.count(1)
        self._lock = threading.Lock()

    def first_delivery(self, event_id: str) -> bool:
        """True the first time an event id is seen, False for every repeat (any replica)."""
        with self._db.session() as session:
            first = mark_event_processed(event_id, session=session)
        with self._lock:
            due = next(self._seen) % PRUNE_EVERY == 0
        if due:
            self.prune()
        return first

    def prune(self) -> int:
        with self._db.session() as session:
            return prune_processed_events(now_utc() - KEEP, session=session)
