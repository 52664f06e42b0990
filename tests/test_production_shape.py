"""The production layout as real processes on this machine: two web processes
(`apo serve --http --web-only`) and two workers (`apo worker`) on one PostgreSQL database,
with a real Chroma server (`chroma run`), JSON logs, and metrics on every process.

One run checks what an operator relies on:
- the same Slack event delivered to both web processes is answered once;
- a decision recorded through one web process is what the other one's question is answered
  from;
- each side's digest goes out exactly once, from the one worker that schedules digests;
- killing that worker hands scheduling to the other within a minute, and it posts the digest
  the first one could not;
- `/metrics` on the web processes and the worker show the work, and no log line of any
  process holds a token, the signing secret or what people wrote.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.storage.migrate import upgrade
from tests.harness.app_server import SIGNING_SECRET
from tests.harness.fake_openai import FakeOpenAI
from tests.harness.fake_slack import FakeSlack, SlackCall
from tests.harness.signer import SlackSigner
from tests.harness.waiting import wait_until

pytestmark = pytest.mark.postgres

TEAM, CLIENT, REVIEWER = "C0TEAM", "C0CLIENT", "U0APO"
EVERY_DAY = "[mon, tue, wed, thu, fri, sat, sun]"
# Both digests are due from midnight UTC, so the first scheduler posts them as it starts.
PROJECTS_YAML = f"""
projects:
  - key: acme
    name: Acme Invoicing
    channels: [{TEAM}, {CLIENT}]
    reviewers: [{REVIEWER}]
    client:
      timezone: UTC
      channel: {CLIENT}
      digest_time: "00:00"
      working_days: {EVERY_DAY}
    team:
      timezone: UTC
      channel: {TEAM}
      digest_time: "00:00"
      working_days: {EVERY_DAY}
"""
DECISION = "Invoices are due 14 days after the invoice date; the client decided this on Monday."
QUESTION = "What is the payment deadline for invoices?"
ANSWER = {
    "answerable": True,
    "answer": "Invoices are due 14 days after the invoice date [1].",
    "cited": [1],
}
BOT_TOKEN = "xoxb-prodshape-0000-secret"
SCHEDULER_GAUGE = "apo_digest_scheduler_leader"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Fleet:
    """Processes started for the test, each logging to its own file; all stopped at the end."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root, self.env = root, env
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, args: list[str], **env: str) -> subprocess.Popen[bytes]:
        log = (self.root / f"{name}.log").open("wb")
        process = subprocess.Popen(
            args, cwd=self.root, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self.processes[name] = process
        return process

    def apo(self, name: str, *args: str, **env: str) -> subprocess.Popen[bytes]:
        return self.start(name, [sys.executable, "-m", "bot", *args], **env)

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    def healthy(self, name: str, url: str, timeout: float = 90) -> None:
        process = self.processes[name]

        def answers() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"{name} exited:\n{self.log(name)[-3000:]}")
            try:
                return httpx.get(url, timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(answers, timeout=timeout, what=f"{name} never became healthy", interval=0.1)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def fleet(
    tmp_path: Path, postgres_url: str, fake_slack: FakeSlack, fake_openai: FakeOpenAI
) -> Iterator[Fleet]:
    (tmp_path / "apo.yaml").write_text(PROJECTS_YAML, encoding="utf-8")
    upgrade(postgres_url)  # `apo migrate`, as the image's entrypoint runs it before each role
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_", "APO_"))}
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.url,
        OPENAI_API_KEY="sk-test-prodshape-key",
        OPENAI_BASE_URL=fake_openai.url,
        APO_CHAT_MODEL="gpt-test",
        APO_LLM_MAX_RETRIES="0",
        DATABASE_URL=postgres_url,
        CHROMA_URL=f"http://127.0.0.1:{free_port()}",
        CHROMA_PATH=str(tmp_path / "unused-chroma"),
        APO_CONFIG=str(tmp_path / "apo.yaml"),
        APO_QUEUE_URL=f"sqlite:///{tmp_path / 'queue.db'}",
        APO_LOG_FORMAT="json",
        APO_LEADER_CHECK_SECONDS="2",
        APO_WORKER_THREADS="2",
    )
    started = Fleet(tmp_path, env)
    try:
        yield started
    finally:
        started.stop()


def metric(url: str, name: str, **labels: str) -> float:
    text = httpx.get(url, timeout=5).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


def digests(slack: FakeSlack, channel: str, *, ok: bool = True) -> list[SlackCall]:
    return [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.args.get("channel") == channel
        and "handover" in str(c.args.get("text", ""))
        and "thread_ts" not in c.args
        and c.failed is not ok
    ]


def test_two_web_processes_two_workers_one_postgres_and_a_chroma_server(
    fleet: Fleet, fake_slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    # The team channel refuses digests until the first scheduler is gone: its team digest
    # fails, and the worker that takes over must post it.
    refuse_team_digests = threading.Event()
    refuse_team_digests.set()

    def post_message(args: dict[str, Any]) -> dict[str, Any]:
        if (
            refuse_team_digests.is_set()
            and args.get("channel") == TEAM
            and "handover" in str(args.get("text", ""))
        ):
            return {"ok": False, "error": "channel_not_found"}
        return fake_slack._default_answer("chat.postMessage", args)

    fake_slack.set_handler("chat.postMessage", post_message)
    chroma_url = fleet.env["CHROMA_URL"]
    fleet.start(
        "chroma",
        [
            str(Path(sys.executable).parent / "chroma"),
            "run",
            "--path",
            str(fleet.root / "chroma"),
            "--host",
            "127.0.0.1",
            "--port",
            chroma_url.rsplit(":", 1)[1],
        ],
    )
    fleet.healthy("chroma", chroma_url + "/api/v2/heartbeat")
    web = {}
    for name in ("web-a", "web-b"):
        port = free_port()
        fleet.apo(name, "serve", "--http", "--web-only", "--host", "127.0.0.1", "--port", str(port))
        web[name] = f"http://127.0.0.1:{port}"
    for name, base in web.items():
        fleet.healthy(name, base + "/healthz")
    signer_a = SlackSigner(web["web-a"] + "/slack/events", SIGNING_SECRET)
    signer_b = SlackSigner(web["web-b"] + "/slack/events", SIGNING_SECRET)

    # A decision recorded through web A (indexed into the Chroma server and PostgreSQL) …
    assert (
        signer_a.command("/decision", DECISION, user_id=REVIEWER, channel_id=TEAM).status_code
        == 200
    )
    fake_slack.wait_for(
        "chat.update", timeout=60, predicate=lambda c: "recorded by" in str(c.args.get("text"))
    )

    workers = {}
    for name in ("worker-1", "worker-2"):
        port = free_port()
        fleet.apo(name, "worker", APO_METRICS_PORT=str(port))
        workers[name] = f"http://127.0.0.1:{port}"
    for name, base in workers.items():
        fleet.healthy(name, base + "/healthz")

    # … answers a question asked through web B; the same event also reaches web A (a load
    # balancer retrying on another replica) and is answered once.
    fake_openai.set_default_json(ANSWER)
    ts = "1700000900.000100"
    event = {
        "type": "app_mention",
        "user": "U0DEV",
        "text": f"<@UBOT> {QUESTION}",
        "channel": TEAM,
        "ts": ts,
        "event_ts": ts,
    }
    assert signer_b.event(event, event_id="EvPRODSHAPE1").status_code == 200
    assert signer_a.event(event, event_id="EvPRODSHAPE1").status_code == 200
    [answer] = fake_slack.wait_for(
        "chat.update", timeout=60, predicate=lambda c: "date [1]" in str(c.args.get("text", ""))
    )
    assert answer.args["channel"] == TEAM

    # One worker leads the digest scheduling; it posts the client's digest and fails the team's.
    def leader() -> str | None:
        alive = {n: b for n, b in workers.items() if fleet.processes[n].poll() is None}
        leading = [n for n, b in alive.items() if metric(b + "/metrics", SCHEDULER_GAUGE)]
        assert len(leading) <= 1, f"two schedulers at once: {leading}"
        return leading[0] if leading else None

    first = wait_until(leader, timeout=30, what="no worker became the digest scheduler")
    wait_until(lambda: digests(fake_slack, CLIENT), timeout=60, what="no client digest")
    wait_until(lambda: digests(fake_slack, TEAM, ok=False), timeout=60, what="no team attempt")

    # Killing it hands scheduling to the other worker within a minute, which posts the team
    # digest the first one could not (and not the client's again).
    refuse_team_digests.clear()
    killed_at = datetime.now(UTC)
    os.kill(fleet.processes[first].pid, signal.SIGKILL)
    fleet.processes[first].wait(timeout=10)
    [second] = [n for n in workers if n != first]
    wait_until(lambda: leader() == second, timeout=60, what="scheduling was not handed over")
    handed_over = (datetime.now(UTC) - killed_at).total_seconds()
    wait_until(lambda: digests(fake_slack, TEAM), timeout=60, what="no team digest after hand-over")
    assert handed_over < 60

    # Exactly one reply to the question and one digest per side, over the whole run.
    in_thread = [
        c for c in fake_slack.calls_to("chat.postMessage") if c.args.get("thread_ts") == ts
    ]
    assert len(in_thread) == 1, "one 'Looking…' reply, turned into the one answer"
    assert len(digests(fake_slack, CLIENT)) == 1
    assert len(digests(fake_slack, TEAM)) == 1

    # The metrics saw the work.
    served = sum(
        metric(base + "/metrics", "apo_slack_requests_total", kind=kind)
        for base in web.values()
        for kind in ("command", "event")
    )
    assert served >= 3
    assert metric(web["web-b"] + "/metrics", "apo_jobs_queued_total") >= 1
    survivor = workers[second] + "/metrics"
    assert metric(survivor, "apo_digests_posted_total", side="team") == 1
    assert metric(survivor, "apo_jobs_running") == 0

    # The logs: JSON lines with correlation ids; no token, secret or message text.
    fleet.stop()
    secrets_and_bodies = [
        BOT_TOKEN,
        SIGNING_SECRET,
        "sk-test-prodshape-key",
        DECISION,
        DECISION[:40],
        QUESTION,
        ANSWER["answer"],
    ]
    lines = []
    for name in ("web-a", "web-b", "worker-1", "worker-2"):
        text = fleet.log(name)
        for secret in secrets_and_bodies:
            assert secret not in text, f"{name}'s log holds {secret[:20]!r}…"
        lines += [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert lines, "the processes logged JSON"
    assert any("job_id" in line for line in lines), "job lines carry their job id"
