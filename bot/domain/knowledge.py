"""Knowledge: decisions, questions and their escalations to reviewers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain import MessageRef

# --- Knowledge: decisions, questions and their escalations to reviewers ---------------------


@dataclass(frozen=True)
class DecisionInput:
    project: str
    text: str
    author_id: str
    origin: str  # command | shortcut | reaction | cli | answer
    source_channel: str | None = None
    source_ts: str | None = None
    permalink: str | None = None
    private: bool = False
    supersedes_id: int | None = None
    question_id: int | None = None
    question_text: str | None = None  # indexed with an answer so the question finds it again


@dataclass(frozen=True)
class DecisionView:
    id: int
    project: str
    text: str
    author_id: str
    origin: str
    permalink: str | None
    source_channel: str | None
    created_at: datetime
    supersedes_id: int | None
    superseded_by_id: int | None
    private: bool = False
    question_id: int | None = None  # the escalated question it answers
    removed: bool = False  # its Slack message was deleted


@dataclass(frozen=True)
class QuestionView:
    """A question asked of the bot, where it was asked and where its escalation went."""

    id: int
    project: str
    channel: str
    text: str
    asker_id: str
    thread_ts: str | None
    message_ts: str | None
    private: bool
    answered: bool
    answer_text: str | None = None
    escalation: MessageRef | None = None
    looking: MessageRef | None = None  # the "Looking…" reply while it is being answered

    @property
    def thread(self) -> MessageRef:
        """Where the asker hears back: the thread the question was asked in."""
        return MessageRef(self.channel, self.thread_ts or self.message_ts or "")


@dataclass(frozen=True)
class PaneThread:
    """A conversation in the agent pane (a thread in the person's DM with the bot)."""

    channel: str
    thread_ts: str
    user_id: str
    viewing_channel: str | None = None  # the channel open beside the pane, per Slack
    project: str | None = None  # chosen for this conversation, once known
    pending_question: str | None = None  # asked before the project was known
