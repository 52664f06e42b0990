"""Stories reach the team's tracker: each story's issue (key, link, a push whose outcome is
unknown, the last problem, failures, closed, the job pushing it), its story points and priority, and when it was
last exported as CSV.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    "points",
    "priority",
    "issue_key",
    "issue_url",
    "issue_pending_at",
    "issue_problem",
    "issue_failures",
    "issue_closed",
    "issue_owner",
    "issue_owner_until",
    "exported_at",
)


def upgrade() -> None:
    with op.batch_alter_table("story") as batch:
        batch.add_column(sa.Column("points", sa.Float(), nullable=True))
        batch.add_column(sa.Column("priority", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("issue_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("issue_url", sa.String(), nullable=True))
        batch.add_column(
            sa.Column("issue_pending_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("issue_problem", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("issue_failures", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("issue_closed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("issue_owner", sa.String(length=200), nullable=True))
        batch.add_column(
            sa.Column("issue_owner_until", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("story") as batch:
        for name in reversed(_COLUMNS):
            batch.drop_column(name)
