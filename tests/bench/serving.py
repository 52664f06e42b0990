"""What the ack benchmarks share: the fakes, a served process, signed requests, memory.

Everything here drives real processes through the CLI, environment variables and the fakes of
`tests/harness/`, so it measures whatever `apo serve --http` is (one process, or web plus
workers), never its internals.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.bench.startup import CONTRACT_NAMES, rss_mb, wait_healthy, wait_idle
from tests.harness.app_server import PROJECTS_YAML
from tests.harness.fake_openai import FakeOpenAI
from tests.harness.signer import FORM, JSON, SlackSigner

ROOT = Path(__file__).resolve().parents[2]
SIGNING_SECRET = "bench-signing-secret"
TEAM_CHANNEL = "C0TEAM"
DEVELOPER = "U0DEV"
REVIEWER = "U0APO"
DRAFT_EN = json.loads((ROOT / "tests/data/draft_en.json").read_text(encoding="utf-8"))
DRAFT_NO = json.loads((ROOT / "tests/data/draft_no.json").read_text(encoding="utf-8"))
ANSWER = "Invoices are due 14 days after the invoice date [1]."
SUMMARY = "The team agreed on the overdue list and asked about currencies [1]."


def estimate_tokens(text: str) -> int:
    """OpenAI's rule of thumb, about four characters a token: close enough for cost shares."""
    return max(1, round(len(text) / 4))


def schema_fields(request: dict[str, Any]) -> set[str]:
    fmt = request.get("response_format") or {}
    schema = (fmt.get("json_schema") or {}).get("schema") or {}
    return set((schema.get("properties") or {}).keys())


def prompt_text(request: dict[str, Any]) -> str:
    return "\n".join(str(m.get("content") or "") for m in request.get("messages", []))


class BenchModel(FakeOpenAI):
    """A model that answers every structured call by its schema, after `latency` seconds, and
    reports usage tokens in proportion to the prompt and answer lengths."""

    name = "bench-openai"

    def __init__(self, latency: float) -> None:
        super().__init__()
        self.latency = latency

    def _chat(self, request: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._cond:
            self._requests.append(request)
            self._cond.notify_all()
        self._stopping.wait(self.latency)
        fields = schema_fields(request)
        if "stories" in fields:
            notes = prompt_text(request)
            content: Any = DRAFT_NO if "Resepsjonen" in notes or "skal" in notes else DRAFT_EN
        elif "answerable" in fields:
            content = {"answerable": True, "answer": ANSWER, "cited": [1]}
        elif "summary" in fields:
            content = {"summary": SUMMARY, "cited": [1]}
        else:  # a minimal app's plain call
            content = {"reply": "ok"}
        text = json.dumps(content)
        usage = (estimate_tokens(prompt_text(request)), estimate_tokens(text))
        return self._completion(text, "stop", usage)(request)


def bench_env(tmp: Path, slack_url: str, openai_url: str, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CONTRACT_NAMES}
    config = tmp / "apo.yaml"
    config.write_text(PROJECTS_YAML, encoding="utf-8")
    env.update(
        APO_CONFIG=str(config),
        DATABASE_URL=database_url,
        CHROMA_PATH=str(tmp / "chroma"),
        APO_LOG_LEVEL="WARNING",
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack_url,
        OPENAI_API_KEY="sk-bench",
        OPENAI_BASE_URL=openai_url,
        APO_CHAT_MODEL="gpt-test",
        APO_LLM_TIMEOUT="60",
    )
    return env


@dataclass
class Served:
    process: subprocess.Popen[str]
    base_url: str
    healthy_after: float  # seconds from the process start to a healthy /healthz

    @property
    def events_url(self) -> str:
        return self.base_url + "/slack/events"


@contextmanager
def served(command: Sequence[str], env: dict[str, str], cwd: Path, port: int) -> Iterator[Served]:
    """Run `command` (listening on `port`) until it answers /healthz; stop it afterwards."""
    started = time.perf_counter()
    log = open(cwd / f"server-{port}.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        list(command), cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_healthy(process, base, timeout=90)
        except (RuntimeError, AssertionError) as exc:
            log.flush()
            tail = (cwd / f"server-{port}.log").read_text()[-3000:]
            raise RuntimeError(f"{' '.join(command)}: {exc}:\n{tail}") from exc
        yield Served(process, base, time.perf_counter() - started)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def apo_serve(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bot",
        "serve",
        "--http",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


# -- memory of a process tree -----------------------------------------------------------------


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found.append(int(child))
            found += descendants(int(child))
    return found


def tree_rss(pid: int) -> dict[int, float]:
    """Resident MB of the process and of each process it started."""
    sizes = {}
    for each in [pid, *descendants(pid)]:
        try:
            sizes[each] = rss_mb(each)
        except (OSError, RuntimeError):
            continue
    return sizes


def describe_rss(sizes: dict[int, float], root: int) -> str:
    main = f"{sizes.get(root, 0):.0f} MB"
    others = [f"{mb:.0f}" for pid, mb in sizes.items() if pid != root]
    return (
        main
        if not others
        else f"{main} (+ {len(others)} child process(es): {', '.join(others)} MB)"
    )


def settle(pid: int) -> None:
    wait_idle(pid, quiet=1.0, timeout=30)


# -- signed Slack requests, built before the clock starts ------------------------------------


@dataclass(frozen=True)
class Signed:
    kind: str
    body: str
    headers: dict[str, str]


def signed(signer: SlackSigner, body: str, content_type: str) -> Signed:
    ts = int(time.time())
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signer.sign(ts, body),
    }
    return Signed("", body, headers)


def story_command(signer: SlackSigner, notes: str, response_url: str) -> Signed:
    form = {
        "token": "verification-token",
        "team_id": signer.team_id,
        "team_domain": signer.team_domain,
        "channel_id": TEAM_CHANNEL,
        "channel_name": "team",
        "user_id": DEVELOPER,
        "user_name": "dev",
        "command": "/story",
        "text": notes,
        "api_app_id": signer.api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex}",
    }
    request = signed(signer, urlencode(form), FORM)
    return Signed("story", request.body, request.headers)


def message_event(signer: SlackSigner, kind: str, text: str, ts: str) -> Signed:
    event = {
        "type": kind,
        "user": DEVELOPER,
        "text": text,
        "ts": ts,
        "team": signer.team_id,
        "channel": TEAM_CHANNEL,
        "event_ts": ts,
        "client_msg_id": str(uuid.uuid4()),
    }
    if kind == "message":
        event["channel_type"] = "channel"
    envelope = {
        "token": "verification-token",
        "team_id": signer.team_id,
        "api_app_id": signer.api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:16].upper()}",
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": signer.team_id, "user_id": signer.bot_user_id, "is_bot": True}
        ],
    }
    request = signed(signer, json.dumps(envelope), JSON)
    return Signed("mention" if kind == "app_mention" else kind, request.body, request.headers)


def mention(signer: SlackSigner, question: str, ts: str) -> Signed:
    return message_event(signer, "app_mention", f"<@{signer.bot_user_id}> {question}", ts)


# -- figures ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Acks:
    seconds: tuple[float, ...]
    statuses: tuple[int, ...]  # 0: no HTTP answer at all

    @property
    def failures(self) -> int:
        return sum(1 for status in self.statuses if status != 200)

    @property
    def p50(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p99(self) -> float:
        return percentile(self.seconds, 0.99)

    @property
    def worst(self) -> float:
        return max(self.seconds)

    def over(self, limit: float) -> int:
        return sum(1 for s in self.seconds if s > limit)

    def __str__(self) -> str:
        wrong = Counter(status for status in self.statuses if status != 200)
        failed = "".join(f"; {n} answered HTTP {status}" for status, n in sorted(wrong.items()))
        return (
            f"p50 {self.p50 * 1000:.0f} ms, p99 {self.p99 * 1000:.0f} ms, max "
            f"{self.worst * 1000:.0f} ms, {self.over(3.0)} over 3 s{failed}"
        )


async def _send(client: httpx.AsyncClient, url: str, request: Signed) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        response = await client.post(url, content=request.body, headers=request.headers)
        status = response.status_code
    except httpx.TransportError:
        status = 0
    return time.perf_counter() - started, status


async def burst(url: str, requests: Sequence[Signed]) -> Acks:
    """Send every request at once (one connection each) and time each HTTP answer."""
    import asyncio

    limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        results = await asyncio.gather(*(_send(client, url, r) for r in requests))
    return Acks(tuple(s for s, _ in results), tuple(status for _, status in results))
