"""The real bot, built by the real container, serving HTTP on loopback against the fakes."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from slack_bolt import App

from bot.container import Container, build_container
from bot.jobs.queue import JobQueue, queue_url
from bot.jobs.runner import LedgerSender
from bot.jobs.worker import Worker, start_worker
from bot.serve import workspaces_of
from bot.settings import Settings
from bot.slack.app import create_app
from bot.slack.client import make_web_client
from bot.slack.executor import ListenerExecutor
from bot.slack.http_server import EVENTS_PATH, bind, create_web_app, make_server
from bot.storage.jobs import SqlJobLedger
from tests.harness.fake_openai import FakeOpenAI
from tests.harness.fake_slack import FakeSlack
from tests.harness.signer import SlackSigner
from tests.harness.waiting import wait_until

SIGNING_SECRET = "test-signing-secret"
TEAM_CHANNEL = "C0TEAM"
CLIENT_CHANNEL = "C0CLIENT"
DEVELOPER = "U0DEV"
REVIEWER = "U0APO"
PRIVATE_CHANNEL = "C0SECRET"  # a private channel of acme (see private_channels())
OTHER_PROJECT_CHANNEL = "G0GLOBEX"

PROJECTS_YAML = """
projects:
  - key: acme
    name: Acme Invoicing
    channels: [C0TEAM, C0CLIENT, C0SECRET]
    reviewers: [U0APO, U0PO]
    client:
      timezone: Europe/Oslo
      channel: C0CLIENT
      digest_time: "08:30"
    team:
      timezone: Asia/Bangkok
      channel: C0TEAM
      digest_time: "09:00"
  - key: globex
    name: Globex Portal
    channels: [G0GLOBEX]
    reviewers: [U0GLOBEXPO]
    client:
      timezone: Europe/Oslo
      channel: C0GLOBEXCL
    team:
      timezone: Asia/Bangkok
      channel: C0GLOBEXTM
"""


def bot_settings(
    tmp: Path, slack: FakeSlack, openai: FakeOpenAI, db_url: str | None = None, **extra: Any
) -> Settings:
    config = tmp / "apo.yaml"
    if not config.exists():
        config.write_text(PROJECTS_YAML, encoding="utf-8")
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.url,
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": openai.url,
        "APO_CHAT_MODEL": "gpt-test",
        "APO_LLM_TIMEOUT": 5,
        "APO_LLM_MAX_RETRIES": 1,
        "DATABASE_URL": db_url or f"sqlite:///{tmp / 'apo.db'}",
        "CHROMA_PATH": str(tmp / "chroma"),
        "APO_CONFIG": str(config),
        "APO_QUEUE_URL": f"sqlite:///{tmp / 'queue.db'}",
        **extra,
    }
    # _env_file=None: a developer's own .env must never leak into a test.
    return Settings(_env_file=None, **values)


@dataclass
class RunningBot:
    container: Container
    app: App
    base_url: str
    signer: SlackSigner
    slack: FakeSlack
    openai: FakeOpenAI
    server: uvicorn.Server
    thread: threading.Thread
    ledger: SqlJobLedger
    worker: Worker
    _signers: list[SlackSigner] = field(default_factory=list)

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.base_url + path, timeout=10)

    def wait_until_idle(self, timeout: float = 20) -> None:
        """Wait until the bot has finished all the work the requests answered so far started.

        Bolt submits a listener's work after the ack to its executor before it answers the
        request, so once `signer` has returned, that work is counted until it ends; a listener
        records the jobs it queues in the ledger before it ends, and they stay open there until
        a worker has finished them.
        """
        executor = self.app.listener_runner.listener_executor
        assert isinstance(executor, ListenerExecutor)
        deadline = time.monotonic() + timeout
        if not executor.wait_until_idle(timeout):
            raise AssertionError(f"{executor.in_flight} listener(s) still running after {timeout}s")
        wait_until(
            lambda: self.ledger.open_count() == 0,
            timeout=max(deadline - time.monotonic(), 0.1),
            what="jobs still open",
            interval=0.02,
        )

    def signer_for(self, team_id: str, bot_user_id: str = "UBOT") -> SlackSigner:
        """Requests from another workspace (closed with the bot)."""
        signer = SlackSigner(
            self.base_url + EVENTS_PATH,
            SIGNING_SECRET,
            team_id=team_id,
            bot_user_id=bot_user_id,
            default_response_url=self.slack.response_url(f"from-{team_id}"),
        )
        self._signers.append(signer)
        return signer

    def assert_no_call(self, method: str) -> None:
        """Fail if the bot called `method`, once everything it was asked to do has finished."""
        self.wait_until_idle()
        self.slack.assert_no_call(method, within=0)

    def stop(self) -> None:
        self.signer.close()
        for signer in self._signers:
            signer.close()
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.worker.stop()
        self.container.db.dispose()


def private_channels(slack: FakeSlack, *private: str) -> None:
    """Make conversations.info report these channels as private, like Slack does."""

    def info(args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel"))
        return {"ok": True, "channel": {"id": channel, "is_private": channel in private}}

    slack.set_handler("conversations.info", info)


def start_bot(settings: Settings, slack: FakeSlack, openai: FakeOpenAI) -> RunningBot:
    private_channels(slack, PRIVATE_CHANNEL)
    container = build_container(settings)
    ledger = SqlJobLedger(container.db)
    queue = JobQueue(queue_url(settings))
    app = create_app(
        settings,
        container.services,
        LedgerSender(ledger, queue),
        workspaces=workspaces_of(container),
        services_for=container.services_for,
    )
    # Several workspaces: each job's token comes from its workspace's installation.
    slack_clients = container.slack_clients() if settings.slack_oauth else make_web_client(settings)
    worker = start_worker(container, slack_clients, queue, threads=2)
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    web_app = create_web_app(app, container.health, signing_secret=SIGNING_SECRET)
    server = make_server(web_app, log_level="warning")
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    wait_until(
        lambda: server.started or not thread.is_alive(),
        timeout=10,
        what="the bot's HTTP server did not start",
    )
    if not server.started:
        raise RuntimeError("the bot's HTTP server stopped while starting")
    base_url = f"http://127.0.0.1:{port}"
    signer = SlackSigner(
        base_url + EVENTS_PATH, SIGNING_SECRET, default_response_url=slack.response_url("default")
    )
    return RunningBot(
        container, app, base_url, signer, slack, openai, server, thread, ledger, worker
    )
