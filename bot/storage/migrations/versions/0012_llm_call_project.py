"""The project each model call was for, so `apo stats` can show usage and cost per project.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("llm_call", sa.Column("project", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_llm_call_project"), "llm_call", ["project"])


def downgrade() -> None:
    op.drop_index(op.f("ix_llm_call_project"), table_name="llm_call")
    with op.batch_alter_table("llm_call") as batch:
        batch.drop_column("project")
