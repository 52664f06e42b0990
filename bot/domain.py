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


# --- stories: what storage keeps of notes and drafted stories ------------------------------

NoteState = Literal["received", "drafting", "drafted", "failed"]


@dataclass(frozen=True)
class StoryContent:
    """A drafted story as checked and stored: the text, its grounds and what the checks found."""

    title: str
    role: str
    goal: str
    benefit: str = ""
    criteria: tuple[Criterion, ...] = ()
    source_quotes: tuple[str, ...] = ()
    open_questions: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    findings: tuple[FindingView, ...] = ()
    unsupported: bool = False
    duplicate_of: int | None = None  # an approved story it looks like


@dataclass(frozen=True)
class StoredStory:
    id: int
    note_id: int
    project: str
    position: int
    content: StoryContent
    status: StoryState = "draft"
    decided_by: str | None = None
    decided_at: datetime | None = None
    reject_reason: str | None = None
    card: MessageRef | None = None  # its review card in Slack, once posted


@dataclass(frozen=True)
class StoredNote:
    """Meeting notes as received, and what drafting found beyond the stories."""

    id: int
    project: str
    text: str
    status: NoteState
    title: str
    meeting_date: date | None
    author_id: str | None
    channel_id: str | None
    private: bool
    created_at: datetime
    placement: MessageRef | None = None  # the batch's top message in Slack
    open_questions: tuple[str, ...] = ()
    out_of_scope: tuple[str, ...] = ()
    uncovered_needs: tuple[str, ...] = ()


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
