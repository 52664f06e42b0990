"""A story's review card is claimed before it is posted, so two Retry presses on a failed
batch post it once (and a claim whose run died is taken over once it is stale).

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("story", sa.Column("card_claimed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("story") as batch:
        batch.drop_column("card_claimed_at")
