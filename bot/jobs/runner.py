"""At-least-once jobs on an at-most-once queue: the ledger row is written before the message is
sent, a worker claims it with a lease it renews while running, and a sweeper sends again what a
dead worker (or a lost send) left open. Handlers make a repeat harmless (the note's drafting
claim, the question's status), so the user sees one result.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

from bot.domain import Clock, utc_now
from bot.domain.jobs import Job, JobState
from bot.errors import BotError
from bot.ops import metrics
from bot.ops.logs import correlation
from bot.storage.jobs import SEND_GRACE, SqlJobLedger

log = logging.getLogger(__name__)
# Seconds before a failed attempt runs again: 2, 6, 18, …
_BACKOFF_FIRST, _BACKOFF_FACTOR = 2.0, 3.0

JobHandler = Callable[[Job, int], None]


class KeyQueue(Protocol):
    """Where keys are sent for a worker to claim (`bot.jobs.queue.JobQueue`)."""

    def send(self, key: str) -> None: ...


class LedgerSender:
    """The `JobSender` of the web side: record the job, then queue its key (once per key)."""

    def __init__(self, ledger: SqlJobLedger, queue: KeyQueue, *, clock: Clock = utc_now) -> None:
        self._ledger = ledger
        self._queue = queue
        self._clock = clock

    def send(self, job: Job) -> None:
        if self._ledger.record(job, send_by=self._clock() + SEND_GRACE):
            self._queue.send(job.key)
            metrics.job_queued(str(job.kind))

    def enqueue(self, job: Job) -> None:
        self._queue.send(job.key)
        metrics.job_queued(str(job.kind))


class JobRunner:
    """Runs one key: claim, keep the lease while the handler runs, then finish. A `BotError`
    is final (the service has shown it); anything else is tried again with backoff until
    `max_attempts`, then left failed in the ledger and the log, and `gave_up` runs (so the
    user sees an error with Retry instead of a progress message that never ends)."""

    def __init__(
        self,
        ledger: SqlJobLedger,
        handler: JobHandler,
        *,
        lease_seconds: float,
        max_attempts: int,
        gave_up: Callable[[], None] = lambda: None,
        clock: Clock = utc_now,
    ) -> None:
        self._ledger = ledger
        self._handler = handler
        self._gave_up = gave_up
        self._lease = timedelta(seconds=lease_seconds)
        self._max_attempts = max_attempts
        self._clock = clock

    def __call__(self, key: str) -> None:
        claimed = self._ledger.claim(key, until=self._clock() + self._lease)
        if claimed is None:
            return  # finished, running elsewhere, or a copy of a message already handled
        job, attempt = claimed
        with correlation(job_id=key, kind=str(job.kind)):
            self._run(job, attempt)

    def _run(self, job: Job, attempt: int) -> None:
        key, kind = job.key, str(job.kind)
        stop = threading.Event()
        heartbeat = threading.Thread(
            target=self._renew, args=(key, attempt, stop), name=f"lease-{key}", daemon=True
        )
        heartbeat.start()
        metrics.job_started(kind)
        started, outcome = time.monotonic(), "failed"
        try:
            self._handler(job, attempt)
        except BotError as exc:
            log.warning("job %s failed: %s", key, exc)
            self._ledger.fail(key, attempt, exc.user_message)
        except Exception as exc:
            outcome = self._failed_attempt(key, attempt, exc)
        else:
            self._ledger.finish(key, attempt)
            outcome = "done"
        finally:
            stop.set()
            metrics.job_ended(kind, outcome, time.monotonic() - started)

    def _failed_attempt(self, key: str, attempt: int, exc: Exception) -> str:
        if attempt >= self._max_attempts:
            log.exception("job %s failed on attempt %s; giving up", key, attempt)
            self._ledger.fail(key, attempt, repr(exc))
            self._gave_up()
            return "failed"
        delay = timedelta(seconds=_BACKOFF_FIRST * _BACKOFF_FACTOR ** (attempt - 1))
        log.warning("job %s failed on attempt %s (%r); again in %s", key, attempt, exc, delay)
        self._ledger.retry(key, attempt, at=self._clock() + delay, error=repr(exc))
        return "retry"

    def _renew(self, key: str, attempt: int, stop: threading.Event) -> None:
        while not stop.wait(self._lease.total_seconds() / 4):
            if not self._ledger.renew(key, attempt, until=self._clock() + self._lease):
                return  # finished, or taken over after this worker stalled past its lease


class Sweeper:
    """Every `interval`: open jobs past their lease or send deadline are queued again, or,
    on their last attempt, marked failed (a job that kills its worker every time ends)."""

    def __init__(
        self,
        ledger: SqlJobLedger,
        queue: KeyQueue,
        *,
        interval: float,
        lease_seconds: float,
        max_attempts: int,
        gave_up: Callable[[], None] = lambda: None,
        clock: Clock = utc_now,
    ) -> None:
        self._ledger = ledger
        self._queue = queue
        self._gave_up = gave_up
        self._interval = interval
        self._lease = timedelta(seconds=lease_seconds)
        self._max_attempts = max_attempts
        self._clock = clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="job-sweeper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def sweep(self) -> None:
        now = self._clock()
        gave_up = False
        for key, state, attempt in self._ledger.lapsed(now):
            if state == JobState.running and attempt >= self._max_attempts:
                log.error("job %s: its worker stopped on the last attempt; giving up", key)
                gave_up |= self._ledger.fail(key, attempt, "the worker running it stopped")
            elif self._ledger.take_back(key, attempt, now=now, until=now + self._lease):
                log.info("job %s (attempt %s) lapsed; sending it again", key, attempt)
                self._queue.send(key)
        if gave_up:
            self._gave_up()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.sweep()
            except Exception:  # a database hiccup must not end the sweeping
                log.exception("sweeping the job ledger failed")
