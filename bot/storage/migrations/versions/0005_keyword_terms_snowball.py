"""The keyword analyser changed (Snowball stemming and published stopword lists in
``bot.retrieval.terms``): on SQLite the keyword table holds analysed terms, so its rows are
emptied, and the bot's start refills them from the vector store (``fill_keywords`` copies
Chroma's documents into an empty keyword table). PostgreSQL keeps the raw text and analyses it
itself: nothing to do there.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # The delete trigger keeps keyword_fts in step.
        op.execute("DELETE FROM keyword_document")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM keyword_document")
