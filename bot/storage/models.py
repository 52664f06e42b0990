"""The tables. Every timestamp is aware UTC; every write a retry could repeat has a unique key.

Migrations in ``migrations/`` are generated from this metadata; a test checks they match it.
"""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from bot.storage.types import (
    DecisionOrigin,
    DigestSide,
    DigestStatus,
    FeedbackVerdict,
    NoteSource,
    NoteStatus,
    QuestionStatus,
    ReviewAction,
    StoryStatus,
    StrEnumType,
    UTCDateTime,
    created_field,
    now_utc,
    updated_field,
)

# Deterministic constraint names: SQLite's batch migrations can only drop what has a name.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class ProjectRecord(SQLModel, table=True):
    __tablename__ = "project"

    key: str = Field(primary_key=True, max_length=64)
    name: str
    language: str = Field(default="en", max_length=16)
    created_at: datetime = created_field()
    updated_at: datetime = updated_field()


class MeetingNote(SQLModel, table=True):
    __tablename__ = "meeting_note"
    __table_args__ = (
        sa.UniqueConstraint("project", "dedupe_key"),
        sa.Index("ix_meeting_note_source", "channel_id", "source_ts"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project: str = Field(foreign_key="project.key", max_length=64)
    channel_id: str | None = None
    author_id: str | None = None
    title: str = ""
    meeting_date: date | None = None
    source: NoteSource = Field(sa_type=StrEnumType(NoteSource))
    raw_text: str = Field(sa_type=sa.Text)
    dedupe_key: str = Field(max_length=128)
    status: NoteStatus = Field(default=NoteStatus.received, sa_type=StrEnumType(NoteStatus))
    error: str | None = Field(default=None, sa_type=sa.Text)
    placement_channel: str | None = None
    placement_ts: str | None = None
    # Sent from a private channel: its text may only be cited in that channel.
    source_private: bool = False
    # The Slack message the notes are (message shortcut): edits and deletion follow it.
    source_ts: str | None = Field(default=None, max_length=32)
    # What the drafting found beyond the stories: shown on the batch and in digests.
    open_questions: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    out_of_scope: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    uncovered_needs: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = created_field()
    updated_at: datetime = updated_field()


class Story(SQLModel, table=True):
    __tablename__ = "story"
    __table_args__ = (
        sa.UniqueConstraint("note_id", "position"),
        sa.Index("ix_story_project_status", "project", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="meeting_note.id", index=True)
    project: str = Field(foreign_key="project.key", max_length=64)
    position: int
    title: str
    role: str
    goal: str = Field(sa_type=sa.Text)
    benefit: str = Field(default="", sa_type=sa.Text)
    source_quotes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    open_questions: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    dependencies: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    lint_findings: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    unsupported: bool = False
    duplicate_of: int | None = Field(default=None, foreign_key="story.id")
    status: StoryStatus = Field(default=StoryStatus.draft, sa_type=StrEnumType(StoryStatus))
    decided_by: str | None = None
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reject_reason: str | None = Field(default=None, sa_type=sa.Text)
    card_channel: str | None = None
    card_ts: str | None = None
    # Set while one run posts the review card, so two Retry presses post it once.
    card_claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set by a reviewer; sent to the tracker and the CSV export.
    points: float | None = None
    priority: str | None = Field(default=None, max_length=32)
    # Its issue in the team's tracker (Jira): see bot/services/tracker/push.py.
    issue_key: str | None = Field(default=None, max_length=64)
    issue_url: str | None = None
    issue_pending_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    issue_problem: str | None = Field(default=None, sa_type=sa.Text)
    issue_failures: int = 0
    issue_closed: bool = False
    # The job pushing it now (its key) and until when: two jobs never push one story at once.
    issue_owner: str | None = Field(default=None, max_length=200)
    issue_owner_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    exported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = created_field()
    updated_at: datetime = updated_field()


class AcceptanceCriterion(SQLModel, table=True):
    __tablename__ = "acceptance_criterion"
    __table_args__ = (sa.UniqueConstraint("story_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="story.id", ondelete="CASCADE", index=True)
    position: int
    given: str = Field(sa_type=sa.Text)
    when: str = Field(sa_type=sa.Text)
    then: str = Field(sa_type=sa.Text)


class ReviewEvent(SQLModel, table=True):
    __tablename__ = "review_event"

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="story.id", index=True)
    actor_id: str
    action: ReviewAction = Field(sa_type=StrEnumType(ReviewAction))
    before: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    reason: str | None = Field(default=None, sa_type=sa.Text)
    at: datetime = created_field()


class Question(SQLModel, table=True):
    __tablename__ = "question"
    # message_ts is the asking message: a retried mention stores one question, not two.
    __table_args__ = (
        sa.UniqueConstraint("channel_id", "message_ts"),
        sa.Index("ix_question_project_status", "project", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project: str = Field(foreign_key="project.key", max_length=64)
    channel_id: str
    thread_ts: str | None = None
    message_ts: str | None = None
    asker_id: str
    text: str = Field(sa_type=sa.Text)
    status: QuestionStatus = Field(
        default=QuestionStatus.asked, sa_type=StrEnumType(QuestionStatus)
    )
    # Decision and Question point at each other; the FK is added after both tables exist.
    answer_decision_id: int | None = Field(
        default=None,
        sa_column_args=[
            sa.ForeignKey("decision.id", use_alter=True, name="fk_question_answer_decision")
        ],
    )
    asked_at: datetime = created_field()
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    escalation_channel: str | None = None
    escalation_ts: str | None = None
    # The "Looking…" reply in the asker's thread: a job resumed after its worker died
    # turns that message into the answer instead of posting a second one.
    looking_ts: str | None = None
    # Asked in a private channel or a DM: its text stays there (digests show it redacted).
    source_private: bool = False
    # The bot's own answer when recorded knowledge answered it, with the passages it cited.
    answer_text: str | None = Field(default=None, sa_type=sa.Text)
    citations: list[str] = Field(default_factory=list, sa_type=sa.JSON)


class Decision(SQLModel, table=True):
    __tablename__ = "decision"
    # NULLs never collide, so only decisions taken from a message are de-duplicated.
    __table_args__ = (
        sa.UniqueConstraint("project", "source_channel", "source_ts"),
        sa.Index("ix_decision_project_created_at", "project", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project: str = Field(foreign_key="project.key", max_length=64)
    text: str = Field(sa_type=sa.Text)
    author_id: str
    origin: DecisionOrigin = Field(sa_type=StrEnumType(DecisionOrigin))
    source_channel: str | None = None
    source_ts: str | None = None
    source_permalink: str | None = None
    # Taken from a private channel: only that channel may see it in answers.
    source_private: bool = False
    supersedes_id: int | None = Field(default=None, foreign_key="decision.id")
    superseded_by_id: int | None = Field(default=None, foreign_key="decision.id")
    question_id: int | None = Field(default=None, foreign_key="question.id")
    created_at: datetime = created_field()
    # Its Slack message was deleted: kept as history, out of answers and digests.
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DecisionRevision(SQLModel, table=True):
    """One change to a recorded decision after the fact: its message edited or deleted."""

    __tablename__ = "decision_revision"

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", index=True)
    action: str = Field(max_length=16)  # edited | removed
    before: str = Field(sa_type=sa.Text)
    after: str | None = Field(default=None, sa_type=sa.Text)
    actor_id: str | None = None
    at: datetime = Field(sa_type=UTCDateTime)


class Digest(SQLModel, table=True):
    __tablename__ = "digest"
    __table_args__ = (sa.UniqueConstraint("project", "side", "local_date"),)

    id: int | None = Field(default=None, primary_key=True)
    project: str = Field(foreign_key="project.key", max_length=64)
    side: DigestSide = Field(sa_type=StrEnumType(DigestSide))
    local_date: date
    status: DigestStatus = Field(default=DigestStatus.pending, sa_type=StrEnumType(DigestStatus))
    channel_id: str | None = None
    message_ts: str | None = None
    window_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    window_end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = created_field()
    posted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_event"

    event_id: str = Field(primary_key=True, max_length=64)
    received_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, index=True)


class JobRun(SQLModel, table=True):
    """One job the web side asked for (`bot.jobs`): what, whether it finished, and the lease
    of the worker running it, so a job whose worker died is sent again."""

    __tablename__ = "job_run"
    __table_args__ = (sa.Index("ix_job_run_state_due_at", "state", "due_at"),)

    key: str = Field(primary_key=True, max_length=200)
    kind: str = Field(max_length=64)
    args: str = Field(sa_type=sa.Text)  # JSON: ids and short strings
    state: str = Field(max_length=16)  # queued | running | done | failed
    attempt: int = 0
    due_at: datetime = Field(sa_type=UTCDateTime)
    error: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = created_field()
    updated_at: datetime = updated_field()


class ChannelMessage(SQLModel, table=True):
    __tablename__ = "channel_message"
    __table_args__ = (
        sa.UniqueConstraint("channel_id", "ts"),
        sa.Index("ix_channel_message_project_at", "project", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project: str = Field(foreign_key="project.key", max_length=64)
    channel_id: str
    ts: str = Field(max_length=32)
    thread_ts: str | None = None
    user_id: str | None = None
    text: str = Field(sa_type=sa.Text)
    permalink: str | None = None
    at: datetime = Field(sa_type=UTCDateTime)


class AnswerFeedback(SQLModel, table=True):
    __tablename__ = "answer_feedback"
    # One verdict per person per answer; clicking again changes it rather than adding a vote.
    __table_args__ = (sa.UniqueConstraint("channel_id", "message_ts", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: str
    message_ts: str = Field(max_length=32)
    question_id: int | None = Field(default=None, foreign_key="question.id")
    user_id: str
    verdict: FeedbackVerdict = Field(sa_type=StrEnumType(FeedbackVerdict))
    note: str | None = Field(default=None, sa_type=sa.Text)
    at: datetime = created_field()


class LLMCall(SQLModel, table=True):
    __tablename__ = "llm_call"

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=64)
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    latency_ms: int = 0
    ok: bool = True
    error_kind: str | None = None
    # The project the call was for; None for calls from before migration 0012 or outside one.
    project: str | None = Field(default=None, max_length=64, index=True)
    at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, index=True)


class AssistantThread(SQLModel, table=True):
    """A conversation in the agent pane: the channel the person was viewing (Slack's thread
    context), the project chosen for it, and a question waiting for that choice."""

    __tablename__ = "assistant_thread"
    __table_args__ = (sa.PrimaryKeyConstraint("channel_id", "thread_ts"),)

    channel_id: str = Field(max_length=64)
    thread_ts: str = Field(max_length=32)
    user_id: str = Field(max_length=64)
    viewing_channel: str | None = Field(default=None, max_length=64)
    project: str | None = Field(default=None, max_length=64)
    pending_question: str | None = Field(default=None, sa_type=sa.Text)
    updated_at: datetime = updated_field()


class RecordTranslation(SQLModel, table=True):
    """A record's translation made once by the chat model, keyed by a hash of the target
    language and the exact text (services.knowledge.translation), so re-indexing never asks
    again."""

    __tablename__ = "record_translation"

    key: str = Field(primary_key=True, max_length=64)
    language: str = Field(max_length=32)
    text: str = Field(sa_type=sa.Text)
    created_at: datetime = created_field()
