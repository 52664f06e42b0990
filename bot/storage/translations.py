"""The translation cache: one row per (language, record text), written once."""

from __future__ import annotations

from sqlmodel import Session

from bot.storage._sql import insert_ignore
from bot.storage.db import Database
from bot.storage.models import RecordTranslation


class TranslationStore:
    """A :class:`~bot.services.knowledge.ports.TranslationCache` in the bot's database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: str) -> str | None:
        with self._db.session() as session:
            row = session.get(RecordTranslation, key)
            return None if row is None else row.text

    def put(self, key: str, language: str, text: str) -> None:
        with self._db.session() as session:
            _put(session, RecordTranslation(key=key, language=language, text=text))


def _put(session: Session, row: RecordTranslation) -> None:
    # Two workers translating the same text at once: the first one's row stays.
    insert_ignore(session, row, "key")


__all__ = ["TranslationStore"]
