"""Bot answers on questions (text and citations); private-source decisions and notes.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("question") as batch:
        batch.add_column(
            sa.Column("source_private", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("answer_text", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("citations", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table("decision") as batch:
        batch.add_column(
            sa.Column(
                "source_private", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


    with op.batch_alter_table("meeting_note") as batch:
        batch.add_column(
            sa.Column(
                "source_private", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("meeting_note") as batch:
        batch.drop_column("source_private")
    with op.batch_alter_table("decision") as batch:
        batch.drop_column("source_private")
    with op.batch_alter_table("question") as batch:
        batch.drop_column("citations")
        batch.drop_column("answer_text")
        batch.drop_column("source_private")
