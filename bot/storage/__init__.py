"""Storage: SQLModel tables, plain query functions, Alembic migrations.

Every query function takes the session as a keyword argument and leaves committing to the
caller's unit of work::

    db = Database(settings.database_url)
    with db.session() as session:
        note, created = save_meeting_note("acme", text, source=NoteSource.inline,
                                          dedupe_key=key, session=session)

Schema changes go through Alembic: ``bot.storage.migrate.upgrade(url)`` (``apo migrate``).
Objects returned stay readable after the session closes (``expire_on_commit=False``).
"""

from bot.storage.db import (
    DEFAULT_DATABASE_URL,
    Database,
    create_db_engine,
    new_session,
    parse_database_url,
    session_scope,
)
from bot.storage.decisions import (
    AlreadySuperseded,
    add_decision,
    get_decision,
    list_decisions,
    supersede,
)
from bot.storage.digest_claims import (
    claim_digest,
    get_digest,
    last_posted_digest,
    mark_digest_failed,
    mark_digest_posted,
)
from bot.storage.events import mark_event_processed, prune_processed_events
from bot.storage.messages import add_channel_message, list_channel_messages, ts_to_datetime
from bot.storage.models import (
    AcceptanceCriterion,
    AnswerFeedback,
    ChannelMessage,
    Decision,
    Digest,
    LLMCall,
    MeetingNote,
    ProcessedEvent,
    Project,
    Question,
    ReviewEvent,
    Story,
)
from bot.storage.notes import (
    get_note,
    note_dedupe_key,
    notes_between,
    notes_with_status,
    save_meeting_note,
    set_note_findings,
    set_note_placement,
    set_note_status,
    start_drafting,
)
from bot.storage.projects import get_project, list_projects, upsert_project
from bot.storage.questions import (
    add_question,
    answer_question,
    claim_for_answer,
    escalate_question,
    get_question,
    list_questions,
    open_questions,
    question_by_escalation,
    record_answer_feedback,
    record_bot_answer,
    release_answer_claim,
    thread_questions,
)
from bot.storage.reviews import (
    AlreadyDecided,
    decide_story,
    edit_story,
    list_review_events,
    record_review_event,
)
from bot.storage.stories import (
    add_stories,
    criteria_for_stories,
    get_story,
    list_criteria,
    list_stories,
    replace_criteria,
    set_story_card,
    story_snapshot,
)
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
    now_utc,
)
from bot.storage.usage import UsageTotals, record_llm_call, usage_totals

__all__ = [
    "DEFAULT_DATABASE_URL",
    "AcceptanceCriterion",
    "AlreadyDecided",
    "AlreadySuperseded",
    "AnswerFeedback",
    "ChannelMessage",
    "Database",
    "Decision",
    "DecisionOrigin",
    "Digest",
    "DigestSide",
    "DigestStatus",
    "FeedbackVerdict",
    "LLMCall",
    "MeetingNote",
    "NoteSource",
    "NoteStatus",
    "ProcessedEvent",
    "Project",
    "Question",
    "QuestionStatus",
    "ReviewAction",
    "ReviewEvent",
    "Story",
    "StoryStatus",
    "UsageTotals",
    "add_channel_message",
    "add_decision",
    "add_question",
    "add_stories",
    "answer_question",
    "claim_digest",
    "claim_for_answer",
    "create_db_engine",
    "criteria_for_stories",
    "decide_story",
    "edit_story",
    "escalate_question",
    "get_decision",
    "get_digest",
    "get_note",
    "get_project",
    "get_question",
    "get_story",
    "last_posted_digest",
    "list_channel_messages",
    "list_criteria",
    "list_decisions",
    "list_projects",
    "list_questions",
    "list_review_events",
    "list_stories",
    "mark_digest_failed",
    "mark_digest_posted",
    "mark_event_processed",
    "new_session",
    "note_dedupe_key",
    "notes_between",
    "notes_with_status",
    "now_utc",
    "open_questions",
    "parse_database_url",
    "prune_processed_events",
    "question_by_escalation",
    "record_answer_feedback",
    "record_bot_answer",
    "record_llm_call",
    "record_review_event",
    "release_answer_claim",
    "replace_criteria",
    "save_meeting_note",
    "session_scope",
    "set_note_findings",
    "set_note_placement",
    "set_note_status",
    "set_story_card",
    "start_drafting",
    "story_snapshot",
    "supersede",
    "thread_questions",
    "ts_to_datetime",
    "upsert_project",
    "usage_totals",
]
