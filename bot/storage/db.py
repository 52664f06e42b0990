"""Engines and sessions for SQLite (default, one process) and PostgreSQL (several replicas)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from bot.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///data/apo.db"
# synchronous=NORMAL: in WAL mode a commit no longer waits for an fsync, only checkpoints do.
# A committed transaction still survives the process being killed; only an operating-system
# crash or power cut can lose the last few commits (never corrupt the file). Waiting for the
# disk while holding SQLite's one write lock is what made every other writer, acks included,
# queue up under load (docs/benchmarks.md, ack latency).
_SQLITE_PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "foreign_keys=ON",
    "busy_timeout=5000",
)


def parse_database_url(url: str) -> URL:
    """Parse DATABASE_URL, choosing the psycopg 3 driver for PostgreSQL; ConfigError if unusable."""
    try:
        parsed = sa.make_url(url.strip())
    except ArgumentError as exc:
        raise ConfigError(
            "DATABASE_URL is not a valid database URL. Use for example "
            f"`{DEFAULT_DATABASE_URL}` or `postgresql://user:password@host:5432/apo`.",
            detail=f"cannot parse DATABASE_URL: {exc}",
        ) from None
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"DATABASE_URL uses `{parsed.drivername}`, but only SQLite (`sqlite:///path.db`) "
            "and PostgreSQL (`postgresql://…`) are supported."
        )
    try:
        parsed.get_dialect()
    except NoSuchModuleError:
        raise ConfigError(
            f"DATABASE_URL names the database driver `{parsed.drivername}`, which is not "
            "available. Use `sqlite:///…` or `postgresql://…` (psycopg 3)."
        ) from None
    return parsed


def _is_sqlite_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or "mode=memory" in (url.database or "")


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
    finally:
        cursor.close()


def create_db_engine(url: str) -> Engine:
    """An engine for DATABASE_URL (SQLite or PostgreSQL), ready for threads and retries.

    SQLite: creates the file's folder (relative paths are relative to the working directory),
    and turns on WAL, foreign keys and a 5 s busy timeout on every connection.
    PostgreSQL: ``postgres://`` and ``postgresql://`` use psycopg 3; query parameters such as
    ``?options=-csearch_path%3Dmy_schema`` are passed to the driver unchanged.
    """
    parsed = parse_database_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False}
        if _is_sqlite_memory(parsed):
            # One shared connection, or every session would see its own empty database.
            kwargs["poolclass"] = StaticPool
        elif parsed.query.get("uri") not in ("true", "1"):
            assert parsed.database is not None
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except (ImportError, NoSuchModuleError, ArgumentError) as exc:
        raise ConfigError(
            f"DATABASE_URL could not be used with driver `{parsed.drivername}`: install it or "
            "use `sqlite:///…` / `postgresql://…`.",
            detail=f"create_engine failed: {exc!r}",
        ) from None
    if parsed.get_backend_name() == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_on_connect)
    return engine


def new_session(engine: Engine) -> Session:
    """A session whose objects stay readable after commit and close."""
    return Session(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work: commits when the block succeeds, rolls back when it raises."""
    session = new_session(engine)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class Database:
    """An engine plus the unit-of-work helper; the container builds one per process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_db_engine(url)

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def session(self) -> AbstractContextManager[Session]:
        """``with db.session() as session:`` — commit on success, rollback on error."""
        return session_scope(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
