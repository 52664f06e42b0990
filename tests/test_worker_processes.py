"""The web side and the workers as real processes: `apo serve --web-only` queues the slow work
and acks, `apo worker` runs it, and plain `apo serve` starts its own worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from bot.domain.jobs import JobState
from bot.jobs.queue import JobQueue
from bot.jobs.runner import LedgerSender
from bot.jobs.worker import digest_job
from bot.storage.db import Database
from bot.storage.jobs import SqlJobLedger
from tests.harness.app_server import PROJECTS_YAML, REVIEWER, SIGNING_SECRET, TEAM_CHANNEL
from tests.harness.fake_openai import FakeOpenAI
from tests.harness.fake_slack import FakeSlack, SlackCall
from tests.harness.signer import SlackSigner
from tests.harness.waiting import wait_until
from tests.story_e2e import batch, story

QUOTE = "The accountant wants to export the monthly report to PDF."
ONE_STORY = batch(story("Export report", "to export the monthly report to PDF", [QUOTE]))


@pytest.fixture
def env(
    tmp_path: Path, fake_slack: FakeSlack, fake_openai: FakeOpenAI, migrated_url: str
) -> dict[str, str]:
    """Every process on one database: SQLite, and PostgreSQL when configured (the ledger
    lives there; the queue stays a SQLite file on this one machine)."""
    (tmp_path / "apo.yaml").write_text(PROJECTS_YAML, encoding="utf-8")
    database = migrated_url
    values = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))}
    values.update(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.url,
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=fake_openai.url,
        APO_CHAT_MODEL="gpt-test",
        APO_LLM_MAX_RETRIES="0",
        DATABASE_URL=database,
        CHROMA_PATH=str(tmp_path / "chroma"),
        APO_CONFIG=str(tmp_path / "apo.yaml"),
        APO_QUEUE_URL=f"sqlite:///{tmp_path / 'queue.db'}",
    )
    return values


class Processes:
    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self._cwd, self._env = cwd, env
        self._started: list[subprocess.Popen[str]] = []

    def apo(self, *args: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            cwd=self._cwd,
            env=self._env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._started.append(process)
        return process

    def serve(self, *extra: str) -> tuple[subprocess.Popen[str], SlackSigner]:
        port = _free_port()
        process = self.apo("serve", "--http", "--host", "127.0.0.1", "--port", str(port), *extra)
        base = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"apo serve exited: {process.communicate()[1]}")
            try:
                return httpx.get(base + "/healthz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(healthy, timeout=60, what="apo serve never became healthy", interval=0.05)
        return process, SlackSigner(base + "/slack/events", SIGNING_SECRET)

    def stop(self) -> None:
        for process in self._started:
            process.terminate()
        for process in self._started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def processes(tmp_path: Path, env: dict[str, str]) -> Iterator[Processes]:
    started = Processes(tmp_path, env)
    try:
        yield started
    finally:
        started.stop()


def cards(slack: FakeSlack, count: int) -> list[SlackCall]:
    return slack.wait_for(
        "chat.postMessage", count=count, timeout=60, predicate=lambda c: "thread_ts" in c.args
    )


def test_web_only_acks_and_the_job_waits_for_a_worker(
    processes: Processes, env: dict[str, str], fake_slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    fake_openai.queue_json(ONE_STORY)
    _, signer = processes.serve("--web-only")
    queue = JobQueue(env["APO_QUEUE_URL"])

    response = signer.command("/story", QUOTE, channel_id=TEAM_CHANNEL)

    assert response.status_code == 200
    wait_until(lambda: queue.pending() == 1, timeout=10, what="the draft was never queued")
    assert fake_openai.requests == []
    assert fake_slack.calls_to("chat.postMessage") == []

    worker = processes.apo("worker", "--threads", "1")
    [card] = cards(fake_slack, 1)
    assert "Export report" in str(card.args["blocks"])
    # (Its own catch-up digests are jobs too, so the queue empties a little later.)
    wait_until(lambda: queue.pending() == 0, timeout=30, what="the worker left jobs queued")
    assert worker.poll() is None, "the worker should keep running, waiting for more jobs"


def test_serve_starts_its_own_worker(
    processes: Processes, fake_slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    fake_openai.queue_json(ONE_STORY)
    _, signer = processes.serve()

    assert signer.command("/story", QUOTE, channel_id=TEAM_CHANNEL).status_code == 200

    [card] = cards(fake_slack, 1)
    assert "Export report" in str(card.args["blocks"])


def test_a_worker_killed_mid_draft_is_replaced_and_the_draft_posted_once(
    processes: Processes,
    env: dict[str, str],
    fake_slack: FakeSlack,
    fake_openai: FakeOpenAI,
) -> None:
    env.update(APO_JOB_LEASE_SECONDS="2", APO_JOB_SWEEP_SECONDS="0.2")
    fake_openai.set_default_json(ONE_STORY)
    fake_openai.hold()
    _, signer = processes.serve("--web-only")
    first = processes.apo("worker", "--threads", "1")

    assert signer.command("/story", QUOTE, channel_id=TEAM_CHANNEL).status_code == 200
    wait_until(lambda: fake_openai.requests, timeout=60, what="the worker never asked the model")
    os.kill(first.pid, signal.SIGKILL)  # mid-draft: the model has the request, no answer yet
    first.wait(timeout=10)
    fake_openai.release()
    processes.apo("worker", "--threads", "1")

    [card] = cards(fake_slack, 1)
    ledger = SqlJobLedger(Database(env["DATABASE_URL"]))
    wait_until(
        lambda: ledger.state("draft:note:1:first") == (JobState.done, 2),
        timeout=30,
        what="the second worker never finished the draft",
    )
    assert "Export report" in str(card.args["blocks"])
    # (A worker also posts the day's digests it finds due on start; they are not counted.)
    posted = [
        c
        for c in fake_slack.calls_to("chat.postMessage")
        if c.args["channel"] == TEAM_CHANNEL and "handover" not in c.args.get("text", "")
    ]
    assert len([c for c in posted if "thread_ts" in c.args]) == 1, "one set of cards"
    assert len([c for c in posted if "thread_ts" not in c.args]) == 1, "one batch message"
    assert "notes_retry" not in str([c.args for c in fake_slack.calls]), "no Retry shown"


DUE_DATE = "Invoices are due 14 days after the invoice date; the client decided this on Monday."
ANSWER = {
    "answerable": True,
    "answer": "Invoices are due 14 days after the invoice date [1].",
    "cited": [1],
}


def test_a_worker_killed_mid_answer_is_replaced_and_answers_once(
    processes: Processes,
    env: dict[str, str],
    fake_slack: FakeSlack,
    fake_openai: FakeOpenAI,
) -> None:
    env.update(APO_JOB_LEASE_SECONDS="2", APO_JOB_SWEEP_SECONDS="0.2")
    _, signer = processes.serve("--web-only")
    # Recording a decision runs on the web side; it is what the answer will cite.
    signer.command("/decision", DUE_DATE, user_id=REVIEWER, channel_id=TEAM_CHANNEL)
    fake_slack.wait_for(
        "chat.update", timeout=60, predicate=lambda c: "recorded by" in str(c.args.get("text"))
    )
    fake_openai.set_default_json(ANSWER)
    fake_openai.hold()
    first = processes.apo("worker", "--threads", "1")

    signer.app_mention(
        "What is the payment deadline for invoices?", channel=TEAM_CHANNEL, ts="1700000500.000100"
    )
    wait_until(lambda: fake_openai.requests, timeout=60, what="the worker never asked the model")
    os.kill(first.pid, signal.SIGKILL)  # mid-answer: "Looking…" is posted, the model thinking
    first.wait(timeout=10)
    fake_openai.release()
    processes.apo("worker", "--threads", "1")

    ledger = SqlJobLedger(Database(env["DATABASE_URL"]))
    wait_until(
        lambda: ledger.state(f"answer:{TEAM_CHANNEL}:1700000500.000100") == (JobState.done, 2),
        timeout=60,
        what="the second worker never finished the answer",
    )
    in_thread = [
        c
        for c in fake_slack.calls_to("chat.postMessage")
        if c.args.get("thread_ts") == "1700000500.000100"
    ]
    [looking] = in_thread  # one "Looking…", not one per attempt: the answer replaces it
    assert "Looking" in looking.args["text"]
    answers = [c for c in fake_slack.calls_to("chat.update") if "date [1]" in str(c.args)]
    [answer] = answers
    assert answer.args["channel"] == TEAM_CHANNEL


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_a_worker_killed_while_posting_a_digest_is_replaced_and_it_is_posted_once(
    processes: Processes, env: dict[str, str], fake_slack: FakeSlack
) -> None:
    """Killed after Slack took the digest but before its ts was saved: the next worker finds
    it by its metadata and keeps it, so the channel gets one digest."""
    env.update(APO_JOB_LEASE_SECONDS="2", APO_JOB_SWEEP_SECONDS="0.2")
    day = "2026-03-24"  # not today, so the workers' own catch-up digests are told apart

    def this_digest(args: dict[str, Any]) -> bool:
        payload = (args.get("metadata") or {}).get("event_payload") or {}
        return bool(payload.get("digest") == f"acme:team:{day}")

    fake_slack.hold("chat.postMessage", this_digest)
    first = processes.apo("worker", "--threads", "1")
    db = Database(env["DATABASE_URL"])
    key = f"digest:acme:team:{day}"
    LedgerSender(SqlJobLedger(db), JobQueue(env["APO_QUEUE_URL"])).send(
        digest_job("acme", "team", date.fromisoformat(day))
    )
    wait_until(lambda: fake_slack.held, timeout=60, what="the worker never posted the digest")
    os.kill(first.pid, signal.SIGKILL)  # mid-post: Slack has the message, the worker no ts
    first.wait(timeout=10)
    fake_slack.release()  # Slack answers a worker that is gone; the digest is in the channel
    processes.apo("worker", "--threads", "1")

    ledger = SqlJobLedger(db)
    wait_until(
        lambda: ledger.state(key) == (JobState.done, 2),
        timeout=60,
        what="the second worker never finished the digest",
    )
    posted = [c for c in fake_slack.calls_to("chat.postMessage") if this_digest(c.args)]
    [digest] = posted  # one digest in the channel, not one per worker
    assert digest.args["channel"] == TEAM_CHANNEL
    with db.engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT status, message_ts FROM digest WHERE local_date = :day"),
            {"day": date.fromisoformat(day)},
        ).one()
    assert tuple(stored) == ("posted", digest.response["ts"]), "the adopted message is the one"
    db.dispose()
