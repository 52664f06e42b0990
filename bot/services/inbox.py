"""Slack delivers an event again when it thinks we were slow; each event is handled once."""

from __future__ import annotations

from bot.storage.db import Database
from bot.storage.events import mark_event_processed


class EventInbox:
    def __init__(self, db: Database) -> None:
        self._db = db

    def first_delivery(self, event_id: str) -> bool:
        """True the first time an event id is seen, False for every repeat (any replica)."""
        with self._db.session() as session:
            return mark_event_processed(event_id, session=session)
