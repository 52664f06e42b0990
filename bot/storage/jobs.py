"""The job ledger (`job_run`): what was asked, whether it finished, and who holds it.

The queue only delivers; this table makes delivery at-least-once. A worker claims a row with a
lease and renews it while it runs; a row whose lease (or first send) has lapsed is taken back
by a sweeper and sent again. The attempt number fences: a worker that stalled past its lease
can no longer renew or finish the row its successor claimed.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.domain.jobs import Job, JobKind, JobState
from bot.storage._sql import insert_ignore, rowcount
from bot.storage.db import Database
from bot.storage.models import JobRun
from bot.storage.types import now_utc

_OPEN = (JobState.queued.value, JobState.running.value)
# A job whose key was never put on the queue (the web side died between its commit and the
# send) is sent by a sweeper after this long.
SEND_GRACE = timedelta(seconds=30)


def record_job(session: Session, job: Job, *, send_by: datetime | None = None) -> bool:
    """Store a new job (queued) inside the caller's unit of work, so it commits with the data
    it acts on (the outbox); the key goes on the queue after the commit. False if the key
    exists. A key never sent is sent by a sweeper after `send_by` (default `SEND_GRACE`)."""
    row = JobRun(
        key=job.key,
        kind=job.kind.value,
        args=json.dumps(job.args, sort_keys=True),
        state=JobState.queued.value,
        due_at=send_by or now_utc() + SEND_GRACE,
    )
    return insert_ignore(session, row, "key")


class SqlJobLedger:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, job: Job, *, send_by: datetime) -> bool:
        """Store a new job (queued, to be sent by `send_by`); False if its key exists."""
        with self._db.session() as session:
            return record_job(session, job, send_by=send_by)

    def claim(self, key: str, *, until: datetime) -> tuple[Job, int] | None:
        """Take a queued job to run, leased until `until`: the job and its attempt number,
        or None if it is running elsewhere, finished, or unknown."""
        with self._db.session() as session:
            claimed = rowcount(
                session,
                sa.update(JobRun)
                .where(col(JobRun.key) == key, col(JobRun.state) == JobState.queued.value)
                .values(state=JobState.running.value, attempt=JobRun.attempt + 1, due_at=until),
            )
            if claimed != 1:
                return None
            row = session.get(JobRun, key, populate_existing=True)
            assert row is not None
            return Job(JobKind(row.kind), key, json.loads(row.args)), row.attempt

    def renew(self, key: str, attempt: int, *, until: datetime) -> bool:
        return self._set(key, attempt, state=JobState.running, due_at=until)

    def finish(self, key: str, attempt: int) -> bool:
        return self._set(key, attempt, state=JobState.done)

    def fail(self, key: str, attempt: int, error: str) -> bool:
        return self._set(key, attempt, state=JobState.failed, error=error)

    def retry(self, key: str, attempt: int, *, at: datetime, error: str) -> bool:
        """Back to the queue, for the sweeper to send again at `at`."""
        return self._set(key, attempt, state=JobState.queued, due_at=at, error=error)

    def lapsed(self, now: datetime) -> list[tuple[str, str, int]]:
        """(key, state, attempt) of open jobs past their lease or send deadline."""
        with self._db.session() as session:
            rows = session.exec(
                select(JobRun.key, JobRun.state, JobRun.attempt).where(
                    col(JobRun.state).in_(_OPEN), col(JobRun.due_at) < now
                )
            ).all()
            return [(key, state, attempt) for key, state, attempt in rows]

    def take_back(self, key: str, attempt: int, *, now: datetime, until: datetime) -> bool:
        """Queue a lapsed job again (one sweeper wins); True if this caller should send it."""
        with self._db.session() as session:
            return (
                rowcount(
                    session,
                    sa.update(JobRun)
                    .where(
                        col(JobRun.key) == key,
                        col(JobRun.attempt) == attempt,
                        col(JobRun.state).in_(_OPEN),
                        col(JobRun.due_at) < now,
                    )
                    .values(state=JobState.queued.value, due_at=until),
                )
                == 1
            )

    def open_jobs(self, kind: JobKind) -> list[Job]:
        """Jobs of `kind` not finished yet (queued or running)."""
        with self._db.session() as session:
            rows = session.exec(
                select(JobRun).where(col(JobRun.kind) == kind.value, col(JobRun.state).in_(_OPEN))
            ).all()
            return [Job(kind, row.key, json.loads(row.args)) for row in rows]

    def stop_workspace(self, team_id: str) -> int:
        """Fail every open job queued for `team_id`'s workspace (jobs carry it as `team`), so
        no worker runs or retries them; a running one can no longer finish or renew."""
        with self._db.session() as session:
            rows = session.exec(select(JobRun).where(col(JobRun.state).in_(_OPEN))).all()
            keys = [row.key for row in rows if json.loads(row.args).get("team") == team_id]
            if not keys:
                return 0
            return rowcount(
                session,
                sa.update(JobRun)
                .where(col(JobRun.key).in_(keys), col(JobRun.state).in_(_OPEN))
                .values(state=JobState.failed.value, error="the workspace uninstalled the app"),
            )

    def open_count(self) -> int:
        with self._db.session() as session:
            return len(session.exec(select(JobRun.key).where(col(JobRun.state).in_(_OPEN))).all())

    def state(self, key: str) -> tuple[JobState, int] | None:
        with self._db.session() as session:
            row = session.get(JobRun, key)
            return None if row is None else (JobState(row.state), row.attempt)

    def _set(
        self,
        key: str,
        attempt: int,
        *,
        state: JobState,
        due_at: datetime | None = None,
        error: str | None = None,
    ) -> bool:
        values: dict[str, object] = {"state": state.value, "error": error}
        if due_at is not None:
            values["due_at"] = due_at
        with self._db.session() as session:
            stmt = (
                sa.update(JobRun)
                .where(
                    col(JobRun.key) == key,
                    col(JobRun.attempt) == attempt,
                    col(JobRun.state) == JobState.running.value,
                )
                .values(**values)
            )
            return rowcount(session, stmt) == 1
