"""Batch-level drafting results on meeting notes: open questions, out of scope, uncovered needs.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("open_questions", "out_of_scope", "uncovered_needs")


def upgrade() -> None:
    with op.batch_alter_table("meeting_note") as batch:
        for name in COLUMNS:
            batch.add_column(
                sa.Column(name, sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
            )


def downgrade() -> None:
    with op.batch_alter_table("meeting_note") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
