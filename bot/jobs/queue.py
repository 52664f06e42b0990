"""The job queue: the one module that imports Huey.

Huey stores queued jobs in SQLite (`queue.db` beside `apo.db`, or `data/queue.db`), so one
machine needs no server; `APO_QUEUE_URL=redis://…` puts the queue in Redis for several
machines (needs the `redis` package). A queued message is only a job's key: what to do is in
the job ledger (`bot.storage.jobs`), which also re-sends a job whose worker died, since Huey
drops a message once a worker has taken it. Web processes only `send`; worker processes also
consume, running each key through the handler they bind.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from huey import Huey, RedisHuey
from huey.consumer import Consumer
from huey.storage import SqliteStorage

from bot.errors import ConfigError
from bot.settings import Settings

log = logging.getLogger(__name__)
_TASK = "apo.run_job"
KeyHandler = Callable[[str], None]


def queue_url(settings: Settings) -> str:
    """`APO_QUEUE_URL`, or a SQLite file next to the SQLite database (else `data/queue.db`)."""
    if settings.queue_url:
        return settings.queue_url
    database = settings.database_url
    if database.startswith("sqlite:///") and database != "sqlite:///:memory:":
        return "sqlite:///" + str(Path(database.removeprefix("sqlite:///")).with_name("queue.db"))
    return "sqlite:///data/queue.db"


class JobQueue:
    """A durable queue of job keys."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._huey = _make_huey(url)
        self._handler: KeyHandler | None = None
        self._task = self._huey.task(name=_TASK)(self._run)

    def send(self, key: str) -> None:
        self._task(key)

    def pending(self) -> int:
        """Jobs waiting for a worker (not counting those already running)."""
        return int(self._huey.pending_count())

    def consumer(self, handler: KeyHandler, *, threads: int) -> JobConsumer:
        """Consumer threads that run each job through `handler` in this process."""
        self._handler = handler
        consumer = _QuietConsumer(
            self._huey,
            workers=threads,
            worker_type="thread",
            periodic=False,
            initial_delay=0.02,
            backoff=1.5,
            max_delay=0.5,
            check_worker_health=False,
        )
        return JobConsumer(consumer)

    def _run(self, key: str) -> None:
        if self._handler is None:
            raise RuntimeError("a job arrived at a queue with no handler bound")
        self._handler(key)


class JobConsumer:
    """Worker threads pulling jobs; `run()` blocks (a worker process's main thread, with Huey's
    signal handling: SIGINT finishes running jobs, SIGTERM stops now), `start()` does not
    (in-process workers in tests)."""

    def __init__(self, consumer: _QuietConsumer) -> None:
        self._consumer = consumer

    def run(self) -> None:
        self._consumer.handle_signals = True
        self._consumer.run()

    def start(self) -> None:
        self._consumer.start()

    def stop(self) -> None:
        self._consumer.stop(graceful=True)


class _QuietConsumer(Consumer):  # type: ignore[misc]
    """Huey's consumer; signal handlers only when it owns the process (main thread)."""

    handle_signals = False

    def _set_signal_handlers(self) -> None:
        if self.handle_signals and threading.current_thread() is threading.main_thread():
            super()._set_signal_handlers()


def _make_huey(url: str) -> Any:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return Huey("apo", storage_class=_QueueStorage, filename=str(path), results=False)
    if url.startswith(("redis://", "rediss://")):
        if importlib.util.find_spec("redis") is None:
            raise ConfigError(
                "APO_QUEUE_URL is a Redis URL but the redis package is not installed "
                "(pip install redis)."
            )
        return RedisHuey("apo", url=url, results=False, blocking=True)
    raise ConfigError(f"APO_QUEUE_URL must start with sqlite:/// or redis:// (got {url!r}).")


class _QueueStorage(SqliteStorage):  # type: ignore[misc]
    """Huey's SQLite storage (WAL) with synchronous=NORMAL: Huey offers only FULL (an fsync
    per message) or OFF (a power cut may corrupt the file). A message lost to a power cut is
    sent again by the sweeper, since its job is in the ledger."""

    def _create_connection(self) -> Any:
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn
