"""The real bot, built by the real container, serving HTTP on loopback against the fakes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from slack_bolt import App

from bot.container import Container, build_container
from bot.domain.jobs import Job
from bot.jobs.queue import JobConsumer, JobQueue, queue_url
from bot.jobs.worker import start_worker
from bot.settings import Settings
from bot.slack.app import create_app
from bot.slack.client import make_web_client
from bot.slack.executor import ListenerExecutor
from bot.slack.http_server import EVENTS_PATH, bind, create_web_app, make_server
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


class CountedJobs:
    """The real queue, counting jobs sent and not finished yet: the bot's web side and an
    in-process worker share this process, so "no job left" is known exactly."""

    def __init__(self, queue: JobQueue) -> None:
        self.queue = queue
        self._changed = threading.Condition()
        self._open = 0

    def send(self, job: Job) -> None:
        with self._changed:
            self._open += 1
        try:
            self.queue.send(job)
        except BaseException:
            self._finished()
            raise

    def counting(self, handler: Callable[[Job], None]) -> Callable[[Job], None]:
        def run(job: Job) -> None:
            try:
                handler(job)
            finally:
                self._finished()

        return run

    @property
    def open(self) -> int:
        with self._changed:
            return self._open

    def wait_until_idle(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._open == 0, timeout)

    def _finished(self) -> None:
        with self._changed:
            self._open -= 1
            self._changed.notify_all()


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
    jobs: CountedJobs
    worker: JobConsumer

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.base_url + path, timeout=10)

    def wait_until_idle(self, timeout: float = 20) -> None:
        """Wait until the bot has finished all the work the requests answered so far started.

        Bolt submits a listener's work after the ack to its executor before it answers the
        request, so once `signer` has returned, that work is counted until it ends; a listener
        counts the jobs it queues before it ends, and they are counted until a worker is done.
        """
        executor = self.app.listener_runner.listener_executor
        assert isinstance(executor, ListenerExecutor)
        deadline = time.monotonic() + timeout
        while True:
            if not executor.wait_until_idle(max(deadline - time.monotonic(), 0)):
                raise AssertionError(
                    f"{executor.in_flight} listener(s) still running after {timeout}s"
                )
            if not self.jobs.wait_until_idle(max(deadline - time.monotonic(), 0)):
                raise AssertionError(f"{self.jobs.open} job(s) still open after {timeout}s")
            if executor.in_flight == 0:
                return

    def assert_no_call(self, method: str) -> None:
        """Fail if the bot called `method`, once everything it was asked to do has finished."""
        self.wait_until_idle()
        self.slack.assert_no_call(method, within=0)

    def stop(self) -> None:
        self.signer.close()
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
    jobs = CountedJobs(JobQueue(queue_url(settings)))
    app = create_app(settings, container.services, jobs)
    worker = start_worker(
        container, make_web_client(settings), jobs.queue, threads=2, wrap=jobs.counting
    )
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = make_server(create_web_app(app, container.health), log_level="warning")
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
    return RunningBot(container, app, base_url, signer, slack, openai, server, thread, jobs, worker)
