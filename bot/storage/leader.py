"""Electing one scheduler among replicas: a PostgreSQL advisory lock held on a dedicated
connection; SQLite (embedded, one process) needs no election."""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

logger = logging.getLogger(__name__)
_LOCK_NAME = "apo-bridge:digest-scheduler"


class LeaderLock(Protocol):
    def is_leader(self) -> bool: ...

    def release(self) -> None: ...


class SingleProcessLeader:
    """Always the leader: SQLite is used embedded by one process, so there is no one to elect."""

    def is_leader(self) -> bool:
        return True

    def release(self) -> None:
        return None


def stable_lock_key(*parts: str) -> int:
    """A signed 64-bit advisory-lock key that is the same in every process and Python version."""
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class PostgresAdvisoryLeader:
    """Leadership = holding a session-level advisory lock on a connection kept open for it.

    The lock lives exactly as long as that server session, so a crashed replica's leadership
    ends with its connection and another replica takes over the next time it asks. By default
    the key is derived from the current schema: deployments sharing one database in separate
    schemas each elect their own leader instead of blocking one another.
    """

    def __init__(self, engine: Engine, key: int | None = None) -> None:
        self._engine = engine
        self._key = key
        self._conn: Connection | None = None
        self._held_key: int | None = None
        # SQLAlchemy connections are not thread-safe, and jobs run on a thread pool.
        self._lock = threading.Lock()

    def is_leader(self) -> bool:
        with self._lock:
            if self._conn is not None and self._alive(self._conn):
                return True
            return self._try_acquire()

    def release(self) -> None:
        with self._lock:
            conn, key = self._conn, self._held_key
            self._conn = self._held_key = None
            if conn is None:
                return
            try:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.close()
            except SQLAlchemyError:
                # Never hand a connection that may still hold the lock back to the pool;
                # discarding it ends its server session, which frees the lock.
                conn.invalidate()
                conn.close()

    def _alive(self, conn: Connection) -> bool:
        try:
            conn.execute(sa.text("SELECT 1"))
        except SQLAlchemyError as exc:
            logger.warning("Lost the digest scheduler's leader connection: %s", exc)
            conn.invalidate()
            conn.close()
            self._conn = self._held_key = None
            return False
        return True

    def _try_acquire(self) -> bool:
        conn: Connection | None = None
        try:
            # Autocommit: the lock is session-level, and an idle open transaction could be
            # ended by idle_in_transaction_session_timeout, taking the connection with it.
            conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            key = self._key
            if key is None:
                schema = conn.execute(sa.text("SELECT coalesce(current_schema(), '')"))
                key = stable_lock_key(_LOCK_NAME, str(schema.scalar_one()))
            got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
            if got.scalar_one():
                self._conn, self._held_key = conn, key
                return True
            conn.close()
        except SQLAlchemyError as exc:
            logger.warning("Could not ask PostgreSQL for scheduler leadership: %s", exc)
            if conn is not None:
                conn.invalidate()
                conn.close()
        return False


def leader_for(engine: Engine) -> LeaderLock:
    """An advisory-lock election on PostgreSQL (several replicas); none needed on SQLite."""
    if engine.dialect.name == "postgresql":
        return PostgresAdvisoryLeader(engine)
    return SingleProcessLeader()
