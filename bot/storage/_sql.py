"""Dialect-aware statements shared by the query modules (SQLite and PostgreSQL only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Executable
from sqlmodel import Session, SQLModel


def insert_ignore(session: Session, row: SQLModel, *conflict_columns: str) -> bool:
    """Insert ``row`` unless a row with the same ``conflict_columns`` exists; True if inserted.

    ``INSERT … ON CONFLICT DO NOTHING`` is atomic on both databases: two sessions, threads or
    processes racing to insert the same key get exactly one True, without the failed insert
    aborting the surrounding PostgreSQL transaction (as a caught IntegrityError would).
    ``row`` itself is not added to the session; load the stored row afterwards.
    """
    session.flush()  # pending rows (e.g. the project this row points at) go first
    table: Any = type(row).__table__  # type: ignore[attr-defined]
    values = {}
    for column in table.columns:
        value = getattr(row, column.key)
        if column.primary_key and value is None:
            continue  # let the database number it
        values[column.key] = value
    stmt: Any
    if session.get_bind().dialect.name == "postgresql":
        stmt = postgresql.insert(table).values(values)
    else:
        stmt = sqlite.insert(table).values(values)
    # RETURNING, not rowcount: drivers report -1 for some INSERTs (psycopg via SQLAlchemy 2.1).
    stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict_columns)).returning(
        *table.primary_key.columns
    )
    return session.connection().execute(stmt).first() is not None


def rowcount(session: Session, statement: Executable) -> int:
    """Run a Core INSERT/UPDATE/DELETE in the session's transaction; the rows it touched."""
    session.flush()
    result = session.connection().execute(statement)
    return int(getattr(result, "rowcount", 0))
