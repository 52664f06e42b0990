"""The job ledger and its runner and sweeper, driven by hand: claims, leases, retries with
backoff, giving up, and sending again what a dead worker left (on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bot.domain.jobs import Job, JobKind, JobState
from bot.errors import BotError
from bot.jobs.runner import JobHandler, JobRunner, LedgerSender, Sweeper
from bot.storage.db import Database
from bot.storage.jobs import SqlJobLedger
from bot.storage.projects import upsert_project
from bot.storage.story_store import SqlStoryStore
from bot.storage.types import now_utc
from tests.fakes import FixedClock

KEY = "draft:note:7:first"
JOB = Job(JobKind.DRAFT_BATCH, KEY, {"note_id": 7, "channel": "C1"})


class SentKeys:
    def __init__(self) -> None:
        self.keys: list[str] = []

    def send(self, key: str) -> None:
        self.keys.append(key)


@pytest.fixture
def ledger(migrated_url: str) -> Iterator[SqlJobLedger]:
    db = Database(migrated_url)
    try:
        yield SqlJobLedger(db)
    finally:
        db.dispose()


def runner(
    ledger: SqlJobLedger, clock: FixedClock, handler: JobHandler, gave_up: list[str] | None = None
) -> JobRunner:
    return JobRunner(
        ledger,
        handler,
        lease_seconds=10,
        max_attempts=3,
        gave_up=lambda: (gave_up if gave_up is not None else []).append("gave up"),
        clock=clock,
    )


def sweeper(
    ledger: SqlJobLedger, clock: FixedClock, queue: SentKeys, gave_up: list[str] | None = None
) -> Sweeper:
    return Sweeper(
        ledger,
        queue,
        interval=1,
        lease_seconds=10,
        max_attempts=3,
        gave_up=lambda: (gave_up if gave_up is not None else []).append("gave up"),
        clock=clock,
    )


def test_a_key_is_recorded_and_sent_once(ledger: SqlJobLedger) -> None:
    queue = SentKeys()
    sender = LedgerSender(ledger, queue)

    sender.send(JOB)
    sender.send(JOB)  # Slack's retry, a double click

    assert queue.keys == [KEY]
    assert ledger.state(KEY) == (JobState.queued, 0)


def test_a_job_runs_once_with_its_args(ledger: SqlJobLedger) -> None:
    clock, ran = FixedClock(), []
    ledger.record(JOB, send_by=clock.now)
    run = runner(ledger, clock, lambda job, attempt: ran.append((job, attempt)))

    run(KEY)
    run(KEY)  # a second copy of the message

    assert ran == [(JOB, 1)]
    assert ledger.state(KEY) == (JobState.done, 1)


def test_a_bot_error_is_final_and_other_errors_back_off_then_give_up(
    ledger: SqlJobLedger,
) -> None:
    clock, queue, gave_up = FixedClock(), SentKeys(), list[str]()
    ledger.record(JOB, send_by=clock.now)
    ledger.record(Job(JobKind.ANSWER_QUESTION, "answer:C1:1"), send_by=clock.now)

    def fail(job: Job, attempt: int) -> None:
        if job.kind is JobKind.ANSWER_QUESTION:
            raise BotError("That question is too long.")
        raise TimeoutError("the model did not answer")

    run, sweep = runner(ledger, clock, fail, gave_up), sweeper(ledger, clock, queue)
    run("answer:C1:1")
    assert ledger.state("answer:C1:1") == (JobState.failed, 1)

    run(KEY)
    assert ledger.state(KEY) == (JobState.queued, 1)
    clock.advance(seconds=1.9)
    sweep.sweep()
    assert queue.keys == []  # the first retry waits 2 s
    clock.advance(seconds=0.2)
    sweep.sweep()
    assert queue.keys == [KEY]
    run(KEY)
    clock.advance(seconds=6.1)  # then 6 s
    sweep.sweep()
    run(KEY)

    assert queue.keys == [KEY, KEY]
    assert ledger.state(KEY) == (JobState.failed, 3)
    assert gave_up == ["gave up"]  # once, at the end (the BotError was shown by its service)


def test_a_lapsed_lease_is_sent_again_and_fences_the_old_worker(ledger: SqlJobLedger) -> None:
    clock, queue = FixedClock(), SentKeys()
    ledger.record(JOB, send_by=clock.now)
    claimed = ledger.claim(KEY, until=clock.now.replace(second=10))  # worker A, then it dies
    assert claimed is not None and claimed[1] == 1

    clock.advance(seconds=11)
    sweeper(ledger, clock, queue).sweep()
    assert queue.keys == [KEY]
    ran: list[int] = []
    runner(ledger, clock, lambda job, attempt: ran.append(attempt))(KEY)  # worker B

    assert ran == [2]
    assert ledger.state(KEY) == (JobState.done, 2)
    assert not ledger.finish(KEY, 1)  # A, back from a stall, cannot overwrite B's result


def test_a_job_that_kills_its_worker_every_time_ends_failed(ledger: SqlJobLedger) -> None:
    clock, queue, gave_up = FixedClock(), SentKeys(), list[str]()
    ledger.record(JOB, send_by=clock.now)
    sweep = sweeper(ledger, clock, queue, gave_up)
    for _ in range(3):
        assert ledger.claim(KEY, until=clock.now) is not None  # then the worker dies
        clock.advance(seconds=1)
        sweep.sweep()

    assert queue.keys == [KEY, KEY]
    assert ledger.state(KEY) == (JobState.failed, 3)
    assert gave_up == ["gave up"]


def test_a_message_never_sent_is_sent_by_the_sweeper(ledger: SqlJobLedger) -> None:
    clock, queue = FixedClock(), SentKeys()
    ledger.record(JOB, send_by=clock.now)  # the web side died before queueing the key

    clock.advance(seconds=1)
    sweeper(ledger, clock, queue).sweep()

    assert queue.keys == [KEY]
    assert ledger.open_jobs(JobKind.DRAFT_BATCH) == [JOB]


def draft(note_id: int) -> Job:
    return Job(JobKind.DRAFT_BATCH, f"draft:note:{note_id}:first", {"note_id": note_id})


def save(store: SqlStoryStore, delivery: str, job: Callable[[int], Job]) -> tuple[int, bool]:
    return store.save_note(
        "acme",
        "We agreed on 14 days.",
        source="inline",
        delivery_id=delivery,
        channel_id="C1",
        author_id="U1",
        private=False,
        job=job,
    )


def test_notes_and_their_drafting_job_commit_together(migrated_url: str) -> None:
    """The outbox: a note is never stored without the job that drafts it, and a repeated
    delivery stores neither again; the sweeper sends a job whose key never reached the
    queue."""
    db = Database(migrated_url)
    try:
        with db.session() as session:
            upsert_project("acme", "Acme", language="en", session=session)
        store, ledger = SqlStoryStore(db), SqlJobLedger(db)

        def broken(note_id: int) -> Job:
            raise RuntimeError("the process died between the two writes")

        with pytest.raises(RuntimeError):
            save(store, "d1", broken)
        note_id, created = save(store, "d1", draft)  # Slack's retry of the same delivery
        again, created_again = save(store, "d1", draft)

        assert created and not created_again and again == note_id
        assert ledger.open_jobs(JobKind.DRAFT_BATCH) == [draft(note_id)]
        clock, queue = FixedClock(now_utc()), SentKeys()
        clock.advance(seconds=31)  # nobody put the key on the queue
        sweeper(ledger, clock, queue).sweep()
        assert queue.keys == [draft(note_id).key]
    finally:
        db.dispose()
