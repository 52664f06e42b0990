"""Plain types that cross layers: services return them, Block Kit builders and the CLI render
them. No Slack, database or LLM types in here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal

StoryState = Literal["draft", "approved", "rejected"]
Severity = Literal["error", "warning", "info"]
"""How much a quality finding matters to the reviewer. error: the story should not be approved
as it is (no goal, no verified quote, exact duplicate); warning: probably worth fixing (vague
words, two features in one story); info: worth a glance (a generic role)."""


# A source of the current time (aware, UTC); services take one so tests can fix the clock.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class MessageRef:
    """Where a message the bot posted lives: opaque channel and message ids (Slack's ts)."""

    channel: str
    ts: str


@dataclass(frozen=True)
class Actor:
    """Who asks a service to do something. Services check permissions on it, so Slack, the
    CLI and any later surface obey one rule; the CLI acts as an explicit administrator."""

    user_id: str
    admin: bool = False

    @classmethod
    def cli(cls) -> Actor:
        return cls("cli", admin=True)


def indefinite_article(word: str) -> str:
    """ "an" before a vowel sound as spelled (an accountant, an admin), else "a"."""
    return "an" if word[:1].lower() in "aeiou" else "a"


@dataclass(frozen=True)
class Criterion:
    """One acceptance scenario in Given/When/Then form."""

    given: str
    when: str
    then: str


@dataclass(frozen=True)
class FindingView:
    """One quality finding on a story, for the reviewer (check is a QUS criterion name)."""

    check: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class StoryView:
    id: int
    note_id: int
    project: str
    position: int
    title: str
    role: str
    goal: str
    benefit: str
    criteria: tuple[Criterion, ...]
    verified_quotes: tuple[str, ...]
    missing_quotes: tuple[str, ...]
    open_questions: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    findings: tuple[FindingView, ...] = ()
    unsupported: bool = False
    duplicate_note: str | None = None  # e.g. "Looks like story #12 in the backlog"
    status: StoryState = "draft"
    decided_by: str | None = None
    decided_at: datetime | None = None
    reject_reason: str | None = None

    @property
    def sentence(self) -> str:
        """The story in the template people know: As a …, I want …, so that …."""
        text = f"As {indefinite_article(self.role)} {self.role}, I want {self.goal}"
        return text + (f", so that {self.benefit}." if self.benefit else ".")


@dataclass(frozen=True)
class BatchSummary:
    drafted: int
    approved: int
    rejected: int

    @property
    def waiting(self) -> int:
        return self.drafted - self.approved - self.rejected


@dataclass(frozen=True)
class BatchView:
    """A drafted batch: the stories from one set of meeting notes, and what is left open."""

    note_id: int
    project: str
    project_name: str
    title: str
    meeting_date: date | None
    author_id: str | None
    stories: tuple[StoryView, ...]
    open_questions: tuple[str, ...] = ()
    out_of_scope: tuple[str, ...] = ()
    uncovered_needs: tuple[str, ...] = ()

    @property
    def summary(self) -> BatchSummary:
        states = [s.status for s in self.stories]
        return BatchSummary(len(states), states.count("approved"), states.count("rejected"))


@dataclass(frozen=True)
class StoryEdit:
    """What a reviewer may change in the Edit modal."""

    title: str
    role: str
    goal: str
    benefit: str
    criteria: tuple[Criterion, ...] = field(default_factory=tuple)


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

    @property
    def thread(self) -> MessageRef:
        """Where the asker hears back: the thread the question was asked in."""
        return MessageRef(self.channel, self.thread_ts or self.message_ts or "")
