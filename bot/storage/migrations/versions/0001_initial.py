"""Initial schema: every table of APO Bridge.

Revision ID: 0001
Revises: (none)
Created: 2026-11-23 17:02:22.500171
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "llm_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("total_tokens", sa.Integer(), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error_kind", sa.String(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_call")),
    )
    op.create_index(op.f("ix_llm_call_at"), "llm_call", ["at"])
    op.create_table(
        "processed_event",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_processed_event")),
    )
    op.create_index(op.f("ix_processed_event_received_at"), "processed_event", ["received_at"])
    op.create_table(
        "project",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_project")),
    )
    op.create_table(
        "channel_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.String(), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(), nullable=True),
        sa.Column("user_id", sa.String(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("permalink", sa.String(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project"], ["project.key"], name=op.f("fk_channel_message_project_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_message")),
        sa.UniqueConstraint("channel_id", "ts", name=op.f("uq_channel_message_channel_id_ts")),
    )
    op.create_index(op.f("ix_channel_message_project_at"), "channel_message", ["project", "at"])
    op.create_table(
        "digest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("channel_id", sa.String(), nullable=True),
        sa.Column("message_ts", sa.String(), nullable=True),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project"], ["project.key"], name=op.f("fk_digest_project_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest")),
        sa.UniqueConstraint(
            "project", "side", "local_date", name=op.f("uq_digest_project_side_local_date")
        ),
    )
    op.create_table(
        "meeting_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.String(), nullable=True),
        sa.Column("author_id", sa.String(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("raw_text", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("placement_channel", sa.String(), nullable=True),
        sa.Column("placement_ts", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project"], ["project.key"], name=op.f("fk_meeting_note_project_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_note")),
        sa.UniqueConstraint(
            "project", "dedupe_key", name=op.f("uq_meeting_note_project_dedupe_key")
        ),
    )
    op.create_table(
        "question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.String(), nullable=False),
        sa.Column("thread_ts", sa.String(), nullable=True),
        sa.Column("message_ts", sa.String(), nullable=True),
        sa.Column("asker_id", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answer_decision_id", sa.Integer(), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalation_channel", sa.String(), nullable=True),
        sa.Column("escalation_ts", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project"], ["project.key"], name=op.f("fk_question_project_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question")),
        sa.UniqueConstraint(
            "channel_id", "message_ts", name=op.f("uq_question_channel_id_message_ts")
        ),
    )
    op.create_index(op.f("ix_question_project_status"), "question", ["project", "status"])
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"], ["question.id"], name=op.f("fk_answer_feedback_question_id_question")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_feedback")),
        sa.UniqueConstraint(
            "channel_id",
            "message_ts",
            "user_id",
            name=op.f("uq_answer_feedback_channel_id_message_ts_user_id"),
        ),
    )
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("source_channel", sa.String(), nullable=True),
        sa.Column("source_ts", sa.String(), nullable=True),
        sa.Column("source_permalink", sa.String(), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project"], ["project.key"], name=op.f("fk_decision_project_project")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["question.id"], name=op.f("fk_decision_question_id_question")
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"],
            ["decision.id"],
            name=op.f("fk_decision_superseded_by_id_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["decision.id"], name=op.f("fk_decision_supersedes_id_decision")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
        sa.UniqueConstraint(
            "project",
            "source_channel",
            "source_ts",
            name=op.f("uq_decision_project_source_channel_source_ts"),
        ),
    )
    op.create_index(op.f("ix_decision_project_created_at"), "decision", ["project", "created_at"])
    # question and decision point at each other, so this key can only follow both tables.
    # (batch mode: SQLite has no ALTER TABLE … ADD CONSTRAINT and copies the table instead.)
    with op.batch_alter_table("question") as batch_op:
        batch_op.create_foreign_key(
            "fk_question_answer_decision", "decision", ["answer_decision_id"], ["id"]
        )
    op.create_table(
        "story",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("benefit", sa.Text(), nullable=False),
        sa.Column("source_quotes", sa.JSON(), nullable=False),
        sa.Column("open_questions", sa.JSON(), nullable=False),
        sa.Column("dependencies", sa.JSON(), nullable=False),
        sa.Column("lint_findings", sa.JSON(), nullable=False),
        sa.Column("unsupported", sa.Boolean(), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("card_channel", sa.String(), nullable=True),
        sa.Column("card_ts", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["duplicate_of"], ["story.id"], name=op.f("fk_story_duplicate_of_story")
        ),
        sa.ForeignKeyConstraint(
            ["note_id"], ["meeting_note.id"], name=op.f("fk_story_note_id_meeting_note")
        ),
        sa.ForeignKeyConstraint(
            ["project"], ["project.key"], name=op.f("fk_story_project_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story")),
        sa.UniqueConstraint("note_id", "position", name=op.f("uq_story_note_id_position")),
    )
    op.create_index(op.f("ix_story_note_id"), "story", ["note_id"])
    op.create_index(op.f("ix_story_project_status"), "story", ["project", "status"])
    op.create_table(
        "acceptance_criterion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("given", sa.Text(), nullable=False),
        sa.Column("when", sa.Text(), nullable=False),
        sa.Column("then", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["story.id"],
            name=op.f("fk_acceptance_criterion_story_id_story"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acceptance_criterion")),
        sa.UniqueConstraint(
            "story_id", "position", name=op.f("uq_acceptance_criterion_story_id_position")
        ),
    )
    op.create_index(op.f("ix_acceptance_criterion_story_id"), "acceptance_criterion", ["story_id"])
    op.create_table(
        "review_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.String(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"], ["story.id"], name=op.f("fk_review_event_story_id_story")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_event")),
    )
    op.create_index(op.f("ix_review_event_story_id"), "review_event", ["story_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_review_event_story_id"), table_name="review_event")
    op.drop_table("review_event")
    op.drop_index(op.f("ix_acceptance_criterion_story_id"), table_name="acceptance_criterion")
    op.drop_table("acceptance_criterion")
    op.drop_index(op.f("ix_story_project_status"), table_name="story")
    op.drop_index(op.f("ix_story_note_id"), table_name="story")
    op.drop_table("story")
    op.drop_index(op.f("ix_decision_project_created_at"), table_name="decision")

    with op.batch_alter_table("question") as batch_op:
        batch_op.drop_constraint("fk_question_answer_decision", type_="foreignkey")
    op.drop_table("decision")
    op.drop_table("answer_feedback")
    op.drop_index(op.f("ix_question_project_status"), table_name="question")
    op.drop_table("question")
    op.drop_table("meeting_note")
    op.drop_table("digest")
    op.drop_index(op.f("ix_channel_message_project_at"), table_name="channel_message")
    op.drop_table("channel_message")
    op.drop_table("project")
    op.drop_index(op.f("ix_processed_event_received_at"), table_name="processed_event")
    op.drop_table("processed_event")
    op.drop_index(op.f("ix_llm_call_at"), table_name="llm_call")
    op.drop_table("llm_call")
