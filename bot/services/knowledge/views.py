"""What a question goes in as and comes out as: the bot's answer with citations, or an
abstention that escalates to the reviewers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AskInput:
    project: str
    channel: str
    asker_id: str
    text: str
    message_ts: str | None = None
    thread_ts: str | None = None
    private: bool = False  # asked in a private channel or a DM: the question stays there


@dataclass(frozen=True)
class Citation:
    number: int
    passage_id: str
    kind: str
    title: str
    excerpt: str
    permalink: str
    author: str
    created_at: datetime | None


@dataclass(frozen=True)
class Answer:
    question_id: int
    text: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Abstention:
    question_id: int
    nearest: tuple[Citation, ...]
    reviewers: tuple[str, ...]
    escalation_channel: str
