"""What one person's Home tab shows: per project they belong to, their work and its news."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain import MessageRef


@dataclass(frozen=True)
class WaitingStory:
    """A drafted story no reviewer has decided on yet, and where its card is."""

    id: int
    project: str
    title: str
    sentence: str
    source_channel: str | None
    source_private: bool
    card: MessageRef | None


@dataclass(frozen=True)
class OpenQuestion:
    """A question not answered yet: asked, or escalated to the reviewers."""

    id: int
    project: str
    text: str
    asker_id: str
    channel: str
    private: bool
    asked_at: datetime
    escalation: MessageRef | None
    redacted: bool = False  # asked in a private conversation the viewer is not part of


@dataclass(frozen=True)
class RecentDecision:
    id: int
    project: str
    text: str
    author_id: str
    created_at: datetime
    permalink: str | None
    source_channel: str | None
    source_private: bool


@dataclass(frozen=True)
class NextDigest:
    side: str  # "client" | "team"
    channel: str
    local: datetime  # in the side's own zone
    zone: str


@dataclass(frozen=True)
class ProjectHome:
    key: str
    name: str
    reviewer: bool
    waiting: tuple[WaitingStory, ...]  # only for reviewers
    escalated: tuple[OpenQuestion, ...]  # only for reviewers
    mine: tuple[OpenQuestion, ...]  # the person's own open questions
    decisions: tuple[RecentDecision, ...]
    digests: tuple[NextDigest, ...]


@dataclass(frozen=True)
class HomeView:
    user_id: str
    projects: tuple[ProjectHome, ...]
