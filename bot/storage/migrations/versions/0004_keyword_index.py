"""Keyword search inside the database: one row per indexed document with its scope columns,
full-text indexed by SQLite FTS5 or by a PostgreSQL tsvector with a GIN index.

On SQLite ``text`` holds the analysed terms (``bot.retrieval.terms``: stopwords removed, English
and Norwegian endings stripped, ticket ids kept whole) and an external-content FTS5 table,
kept in step by triggers, indexes them; an fts5vocab table reads its per-term document counts. On PostgreSQL ``text`` holds the raw text and the
generated ``terms`` column concatenates the built-in ``english`` and ``norwegian`` analyses.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# '-' is part of a token, so "acme-142" (which the analyser emits beside "acme" and "142") is
# one term; the analyser already lower-cased and NFKC-normalised the text, æøå stay as they are.
_FTS5_TOKENIZE = "unicode61 remove_diacritics 0 tokenchars '-'"


def upgrade() -> None:
    op.create_table(
        "keyword_document",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("doc_id", sa.String(), nullable=False, unique=True),
        sa.Column("project", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("source_channel", sa.String(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_index(
        "ix_keyword_document_project_source", "keyword_document", ["project", "source"]
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE keyword_document ADD COLUMN terms tsvector GENERATED ALWAYS AS "
            "(to_tsvector('english'::regconfig, text) || "
            "to_tsvector('norwegian'::regconfig, text)) STORED"
        )
        op.execute(
            "CREATE INDEX ix_keyword_document_terms ON keyword_document USING gin (terms)"
        )
        return
    op.execute(
        "CREATE VIRTUAL TABLE keyword_fts USING fts5(text, content='keyword_document', "
        f"content_rowid='id', tokenize=\"{_FTS5_TOKENIZE}\")"
    )
    # How many documents hold each term: search leaves out terms whose bm25 weight is nil.
    op.execute("CREATE VIRTUAL TABLE keyword_vocab USING fts5vocab(keyword_fts, row)")
    op.execute(
        "CREATE TRIGGER keyword_document_ai AFTER INSERT ON keyword_document BEGIN "
        "INSERT INTO keyword_fts(rowid, text) VALUES (new.id, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER keyword_document_ad AFTER DELETE ON keyword_document BEGIN "
        "INSERT INTO keyword_fts(keyword_fts, rowid, text) VALUES ('delete', old.id, old.text); "
        "END"
    )
    op.execute(
        "CREATE TRIGGER keyword_document_au AFTER UPDATE ON keyword_document BEGIN "
        "INSERT INTO keyword_fts(keyword_fts, rowid, text) VALUES ('delete', old.id, old.text); "
        "INSERT INTO keyword_fts(rowid, text) VALUES (new.id, new.text); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS keyword_document_{trigger}")
        op.execute("DROP TABLE IF EXISTS keyword_vocab")
        op.execute("DROP TABLE IF EXISTS keyword_fts")
    op.drop_index("ix_keyword_document_project_source", table_name="keyword_document")
    op.drop_table("keyword_document")
