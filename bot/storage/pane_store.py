"""`SqlPaneThreads`: agent pane conversations (Bolt's thread context, kept in our database so
every replica and worker sees the same one)."""

from __future__ import annotations

from bot.domain.knowledge import PaneThread
from bot.storage.db import Database
from bot.storage.models import AssistantThread
from bot.storage.types import now_utc


class SqlPaneThreads:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, channel: str, thread_ts: str) -> PaneThread | None:
        with self._db.session() as session:
            row = session.get(AssistantThread, (channel, thread_ts))
            if row is None:
                return None
            return PaneThread(
                row.channel_id,
                row.thread_ts,
                row.user_id,
                row.viewing_channel,
                row.project,
                row.pending_question,
            )

    def save(self, thread: PaneThread) -> None:
        with self._db.session() as session:
            row = session.get(AssistantThread, (thread.channel, thread.thread_ts))
            if row is None:
                row = AssistantThread(
                    channel_id=thread.channel, thread_ts=thread.thread_ts, user_id=thread.user_id
                )
            row.user_id = thread.user_id
            row.viewing_channel = thread.viewing_channel
            row.project = thread.project
            row.pending_question = thread.pending_question
            row.updated_at = now_utc()
            session.add(row)
