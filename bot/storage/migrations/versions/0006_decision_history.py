"""A decision's history (edits and removal of the Slack message it came from), and its removal;
the Slack message meeting notes came from.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meeting_note") as batch:
        batch.add_column(sa.Column("source_ts", sa.String(length=32), nullable=True))
    op.create_index("ix_meeting_note_source", "meeting_note", ["channel_id", "source_ts"])
    with op.batch_alter_table("decision") as batch:
        batch.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "decision_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.String(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decision.id"],
            name=op.f("fk_decision_revision_decision_id_decision"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_revision")),
    )
    op.create_index(
        op.f("ix_decision_revision_decision_id"), "decision_revision", ["decision_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_decision_revision_decision_id"), table_name="decision_revision")
    op.drop_table("decision_revision")
    with op.batch_alter_table("decision") as batch:
        batch.drop_column("removed_at")
    op.drop_index("ix_meeting_note_source", table_name="meeting_note")
    with op.batch_alter_table("meeting_note") as batch:
        batch.drop_column("source_ts")
