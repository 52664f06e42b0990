"""Digests: what one window of a project holds, before each side's privacy is applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from bot.domain import MessageRef
from bot.domain.stories import StoryState
from bot.domain.tracker import IssueRef

# --- Digests: what the digest store reads for one window, before the digest service decides
# what each side's channel may see (`source_channel`/`source_private`: where it was said).

DigestSideName = Literal["client", "team"]


@dataclass(frozen=True)
class DigestKey:
    """One digest: each side of a project gets at most one per local date."""

    project: str
    side: DigestSideName
    local_date: date


@dataclass(frozen=True)
class PostedDigest:
    local_date: date
    window_end: datetime | None  # where the next digest's window starts


@dataclass(frozen=True)
class DigestStory:
    id: int
    note_id: int
    title: str
    status: StoryState
    decided_by: str | None
    card: MessageRef | None
    thread_ts: str | None  # the batch message of its notes: the card is a reply in its thread
    created_at: datetime
    source_channel: str | None  # where its meeting notes were sent
    source_private: bool
    issue: IssueRef | None = None  # its issue in the team's tracker, once filed


@dataclass(frozen=True)
class DigestNote:
    """Meeting notes received in the window, with every story drafted from them."""

    id: int
    title: str
    text: str
    meeting_date: date | None
    received_at: datetime
    batch: MessageRef | None
    open_questions: tuple[str, ...]
    stories: tuple[DigestStory, ...]
    source_channel: str | None
    source_private: bool


@dataclass(frozen=True)
class DigestDecision:
    id: int
    text: str
    author_id: str
    at: datetime
    permalink: str | None
    superseded: bool
    source_channel: str | None
    source_private: bool


@dataclass(frozen=True)
class DigestQuestion:
    id: int
    text: str
    asker_id: str
    asked_at: datetime
    message: MessageRef | None  # its thread, or the asking message
    answered: bool
    answer_text: str | None  # the bot's answer, which quotes what was asked
    answer_decision: DigestDecision | None  # a person's answer, recorded as a decision
    source_channel: str
    source_private: bool


@dataclass(frozen=True)
class DigestWrongAnswer:
    """A bot answer someone marked "Wrong or outdated" in the window."""

    question: DigestQuestion  # with the bot's answer text
    citations: tuple[str, ...]  # the passage ids the answer cited
    answer: MessageRef  # the answer message the click was on
    reporters: tuple[str, ...]
    at: datetime  # the latest click

    @property
    def source_channel(self) -> str:
        return self.question.source_channel

    @property
    def source_private(self) -> bool:
        return self.question.source_private


@dataclass(frozen=True)
class DigestMessage:
    """A message of a project channel, kept for the next discussion summary."""

    message: MessageRef
    user_id: str | None
    text: str


@dataclass(frozen=True)
class DigestActivity:
    """Everything one digest window may report."""

    changed: tuple[DigestStory, ...]  # drafted, edited or decided in the window
    waiting: tuple[DigestStory, ...]  # drafts waiting for review, whenever drafted
    decisions: tuple[DigestDecision, ...]  # taken in the window, superseded ones too
    asked: tuple[DigestQuestion, ...]  # asked or answered in the window
    open_questions: tuple[DigestQuestion, ...]  # not answered yet, whenever asked
    notes: tuple[DigestNote, ...]  # received in the window
    discussion: tuple[DigestMessage, ...]  # the team channel's messages in the window
    wrong_answers: tuple[DigestWrongAnswer, ...] = ()  # marked wrong or outdated in the window
