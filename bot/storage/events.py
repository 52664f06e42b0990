"""Slack retries events it thinks failed; remembering event ids makes handlers run once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from bot.storage._sql import insert_ignore, rowcount
from bot.storage.db import Database
from bot.storage.models import ProcessedEvent
from bot.storage.types import now_utc


def mark_event_processed(
    event_id: str, *, session: Session, received_at: datetime | None = None
) -> bool:
    """True the first time ``event_id`` is seen, False for every repeat.

    Safe when two threads or two replicas receive the same retry at once: exactly one of them
    gets True once its transaction commits (the other waits for it, then gets False).
    """
    row = ProcessedEvent(event_id=event_id, received_at=received_at or now_utc())
    return insert_ignore(session, row, "event_id")


def prune_processed_events(older_than: datetime, *, session: Session) -> int:
    """Forget events received before ``older_than`` (Slack stops retrying after minutes)."""
    stmt = sa.delete(ProcessedEvent).where(col(ProcessedEvent.received_at) < older_than)
    return rowcount(session, stmt)


class SqlEventLog:
    """The processed-event ids behind `services.inbox.EventInbox`; each call one transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def first_delivery(self, event_id: str) -> bool:
        with self._db.session() as session:
            return mark_event_processed(event_id, session=session)

    def forget_before(self, cutoff: datetime) -> int:
        with self._db.session() as session:
            return prune_processed_events(cutoff, session=session)
