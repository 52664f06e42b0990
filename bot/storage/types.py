"""Column types and fixed vocabularies shared by the tables.

Two portable column types keep SQLite and PostgreSQL behaving the same:

* :class:`UTCDateTime` stores timezone-aware datetimes as UTC and always hands back aware UTC
  values (SQLite has no time zones and would otherwise return naive datetimes).
* :class:`StrEnumType` stores a ``str`` enum's *value* in a plain ``VARCHAR`` (no PostgreSQL
  ``CREATE TYPE``, so adding a member later needs no migration) and hands back the enum member.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


def now_utc() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that refuses naive input and returns aware UTC values."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            # A naive time is ambiguous (whose local time?); refusing it catches the bug early.
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def created_field() -> Any:
    """A NOT NULL UTC timestamp set when the row is created."""
    return Field(default_factory=now_utc, sa_type=UTCDateTime)


def updated_field() -> Any:
    """A NOT NULL UTC timestamp set on insert and refreshed by every UPDATE."""
    return Field(
        default_factory=now_utc, sa_type=UTCDateTime, sa_column_kwargs={"onupdate": now_utc}
    )


class StrEnumType(TypeDecorator[enum.Enum]):
    """A ``str`` enum stored by value in a ``VARCHAR(length)``."""

    impl = sa.String
    cache_ok = True

    def __init__(self, enum_class: type[enum.Enum], length: int = 16) -> None:
        super().__init__(length=length)
        self.enum_class = enum_class
        self.length = length

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        # Validates plain strings too: an unknown value fails here, not in a later read.
        return str(self.enum_class(value).value)

    def process_result_value(self, value: Any, dialect: Dialect) -> enum.Enum | None:
        if value is None:
            return None
        return self.enum_class(value)

    def __repr__(self) -> str:
        return f"StrEnumType({self.enum_class.__name__}, length={self.length})"


class NoteSource(enum.StrEnum):
    inline = "inline"
    modal = "modal"
    message = "message"
    file = "file"
    cli = "cli"


class NoteStatus(enum.StrEnum):
    received = "received"
    drafting = "drafting"
    drafted = "drafted"
    failed = "failed"
    removed = "removed"  # its Slack message was deleted


class StoryStatus(enum.StrEnum):
    draft = "draft"
    approved = "approved"
    rejected = "rejected"


class ReviewAction(enum.StrEnum):
    created = "created"
    edited = "edited"
    approved = "approved"
    rejected = "rejected"
    reopened = "reopened"


class DecisionOrigin(enum.StrEnum):
    command = "command"
    shortcut = "shortcut"
    reaction = "reaction"
    cli = "cli"
    answer = "answer"


class QuestionStatus(enum.StrEnum):
    asked = "asked"
    answered = "answered"
    escalated = "escalated"


class DigestSide(enum.StrEnum):
    client = "client"
    team = "team"


class DigestStatus(enum.StrEnum):
    pending = "pending"
    posted = "posted"
    failed = "failed"


class FeedbackVerdict(enum.StrEnum):
    helpful = "helpful"
    wrong = "wrong"
