"""Serving benchmark: ack latency under load, first visible feedback, pipeline overhead, memory,
cold start and model cost of `apo serve --http`, with a minimal Bolt app as the reference line.

    .venv/bin/python -m tests.bench.acks [--sizes 50,100] [--latency 3] [--no-reference]

Starts the real `apo serve --http` as a subprocess against the fake Slack and a fake OpenAI
server answering every call after `--latency` seconds (loopback only), on SQLite and, when
APO_TEST_POSTGRES_URL is set, on PostgreSQL. It then

1. sends /story commands and @-mentions one at a time and times, from the request, the first
   `chat.postMessage` and the final post, and reads the `llm_call` rows the bot records
   (calls and tokens per /story, per answer, and per digest posted by `apo digest`);
2. sends bursts of 50 and 100 concurrent signed requests, half /story and half mentions, and
   times each HTTP ack; then waits for all the work they started and reads the memory.

The prompts the fake model received give the share of each prompt that is a stable prefix
(the same for every call, so a provider can cache it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa

from tests.bench.keyword_scale import postgres_schema
from tests.bench.report import Figure, print_figures
from tests.bench.serving import (
    ROOT,
    SIGNING_SECRET,
    Acks,
    BenchModel,
    Signed,
    apo_serve,
    bench_env,
    burst,
    describe_rss,
    mention,
    message_event,
    prompt_text,
    schema_fields,
    served,
    settle,
    story_command,
    tree_rss,
)
from tests.bench.startup import free_port
from tests.harness.fake_slack import FakeSlack, SlackCall
from tests.harness.signer import SlackSigner, new_ts
from tests.harness.waiting import wait_until

SECTION = "Serving"
NOTES_EN = (ROOT / "knowledge/examples/meeting-notes-en.md").read_text(encoding="utf-8")
NOTES_NO = (ROOT / "knowledge/examples/meeting-notes-no.md").read_text(encoding="utf-8")
QUESTIONS = (
    "When is an invoice due if nobody changes it?",
    "What is the payment deadline for invoices?",
    "How many days does a customer have to pay an invoice?",
    "Which due date do new invoices get by default?",
)
ACK_TARGETS = {50: (0.100, None), 100: (0.150, 0)}  # p99 seconds, most acks allowed over 3 s
PREFIX_TARGET = 0.5
WORK_TIMEOUT = 300.0


def notes(n: int, text: str = NOTES_EN) -> str:
    # The distinct part first, so no two calls share more than the prompt's own stable prefix.
    return f"Meeting {n} ({time.time():.0f}).\n{text}"


def words(text: str) -> int:
    return len(text.split())


# -- the bot's own record of its model calls ---------------------------------------------------


@dataclass(frozen=True)
class Usage:
    calls: int
    tokens: int


class CallLog:
    """Reads the `llm_call` rows the bot records, as a delta since the last mark."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url)
        self.last = self._max_id()

    def _max_id(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM llm_call")).scalar())

    def since_mark(self) -> dict[str, Usage]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT purpose, COUNT(*), COALESCE(SUM(total_tokens), 0) FROM llm_call "
                    "WHERE id > :last GROUP BY purpose"
                ),
                {"last": self.last},
            ).all()
        self.last = self._max_id()
        return {str(purpose): Usage(int(calls), int(tokens)) for purpose, calls, tokens in rows}

    def close(self) -> None:
        self.engine.dispose()


# -- one flow at a time: feedback, overhead and cost ------------------------------------------


def is_story_done(call: SlackCall) -> bool:
    return call.method == "chat.update" and "drafted" in str(call.args.get("text"))


def is_answer(call: SlackCall) -> bool:
    return call.method == "chat.update" and "14 days" in str(call.args.get("text"))


def first_after(
    slack: FakeSlack, method: str, since: float, done: Callable[[SlackCall], bool] | None = None
) -> SlackCall:
    [call, *_] = slack.wait_for(
        method,
        timeout=WORK_TIMEOUT,
        predicate=lambda c: c.at >= since and (done is None or done(c)),
    )
    return call


@dataclass
class Flow:
    feedback: list[float] = field(default_factory=list)
    overhead: list[float] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)


def one_at_a_time(
    url: str,
    request: Signed,
    slack: FakeSlack,
    log: CallLog,
    latency: float,
    done: Callable[[SlackCall], bool],
    flow: Flow,
    purpose: str,
) -> None:
    started = time.monotonic()
    response = httpx.post(url, content=request.body, headers=request.headers, timeout=30)
    response.raise_for_status()
    first = first_after(slack, "chat.postMessage", started)
    final = first_after(slack, "chat.update", started, done)
    usage = log.since_mark().get(purpose, Usage(0, 0))
    flow.feedback.append(first.at - started)
    flow.overhead.append(final.at - started - latency * usage.calls)
    flow.calls.append(usage.calls)
    flow.tokens.append(usage.tokens)


def digest_usage(env: dict[str, str], tmp: Path, events_url: str, log: CallLog) -> Usage:
    """A day's team talk, then `apo digest` posts the client's morning digest."""
    signer = SlackSigner(events_url, SIGNING_SECRET)
    talk = [
        "Finance wants the overdue list sorted by days overdue.",
        "Do we show EUR invoices in NOK on the overdue list?",
        "I can take the reminder e-mails this sprint.",
        "Reminder e-mails go out 7 days after the due date, the client said.",
        "The PDF export is blocked until we know the logo size.",
    ]
    for text in talk:
        request = message_event(signer, "message", text, new_ts())
        httpx.post(events_url, content=request.body, headers=request.headers).raise_for_status()
    signer.close()

    def collected() -> bool:  # the messages are stored after the ack
        with log.engine.connect() as conn:
            count = conn.execute(sa.text("SELECT count(*) FROM channel_message")).scalar_one()
        return int(count) >= len(talk)

    wait_until(collected, timeout=30, what="the team messages were not collected")
    log.since_mark()
    subprocess.run(
        [sys.executable, "-m", "bot", "digest", "--project", "acme", "--side", "client"],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return log.since_mark().get("digest_summary", Usage(0, 0))


# -- stable prefixes --------------------------------------------------------------------------


def common_prefix(texts: Sequence[str]) -> int:
    first, *others = texts
    length = len(first)
    for other in others:
        length = next(
            (i for i, (a, b) in enumerate(zip(first[:length], other, strict=False)) if a != b),
            min(length, len(other)),
        )
    return length


def prefix_shares(requests: Sequence[dict[str, object]]) -> dict[str, tuple[int, float, int]]:
    """Per prompt: how many characters every call of it began with, its mean length, and the
    number of calls."""
    by_kind: dict[str, list[str]] = {}
    for request in requests:
        fields = schema_fields(request)  # type: ignore[arg-type]
        kind = (
            "story_draft"
            if "stories" in fields
            else "answer_question"
            if "answerable" in fields
            else "summarize_discussion"
            if "summary" in fields
            else "other"
        )
        by_kind.setdefault(kind, []).append(prompt_text(request))  # type: ignore[arg-type]
    shares = {}
    for kind, texts in by_kind.items():
        if kind == "other":
            continue
        # One call: its stable part ends where the per-call messages begin ("[1] <user>").
        stable = max(0, texts[0].find("[1] <")) if len(texts) == 1 else common_prefix(texts)
        shares[kind] = (stable, statistics.fmean(map(len, texts)), len(texts))
    return shares


# -- bursts -----------------------------------------------------------------------------------


def load(signer: SlackSigner, size: int, response_url: str, offset: int) -> list[Signed]:
    requests = []
    for n in range(size):
        if n % 2 == 0:
            requests.append(story_command(signer, notes(offset + n), response_url))
        else:
            question = f"{QUESTIONS[n % len(QUESTIONS)]} (#{offset + n})"
            requests.append(mention(signer, question, new_ts()))
    return requests


def wait_for_work(slack: FakeSlack, since: float, stories: int, mentions: int) -> float | None:
    """Seconds until every story batch and answer of a burst is posted, or None (timed out)."""
    try:
        slack.wait_for(
            "chat.update",
            count=stories,
            timeout=WORK_TIMEOUT,
            predicate=lambda c: c.at >= since and is_story_done(c),
        )
        slack.wait_for(
            "chat.update",
            count=mentions,
            timeout=WORK_TIMEOUT,
            predicate=lambda c: c.at >= since and is_answer(c),
        )
    except AssertionError:
        return None
    last = max(c.at for c in slack.calls if c.at >= since)
    return last - since


def ack_figures(label: str, size: int, acks: Acks, reference: Acks | None) -> list[Figure]:
    p99_target, over_target = ACK_TARGETS.get(size, (0.150, 0))
    target = f"p99 ≤ {p99_target * 1000:.0f} ms" + (
        f", {over_target} over 3 s" if over_target is not None else ""
    )
    met = acks.p99 <= p99_target and (over_target is None or acks.over(3.0) <= over_target)
    reason = ""
    if not met:
        reason = (
            "profiled (docs/job-queue.md §9): the acks wait for "
            + ("SQLite's one write lock" if label == "SQLite" else "their database writes")
            + ", shared with the worker, and for the CPU: the web process spends 6–7 ms of CPU "
            "per request (a fifth of it Bolt polling for a command's ack every 10 ms), and "
            "the machine's 2 cores are shared (load average "
            f"{os.getloadavg()[0]:.1f} when this burst ended)"
        )
    if acks.failures:
        reason += (
            f"; {acks.failures} request(s) got no 200: with every listener thread busy with "
            'slow work, Bolt answers 404 ("didn\'t call ack()") after 3 s and Slack retries'
        )
    rows = [
        Figure(
            SECTION,
            f"{label}: ack latency, {size} concurrent /story + mentions",
            str(acks),
            target,
            met,
            reason,
        )
    ]
    if reference is not None:
        ok = acks.p99 <= reference.p99
        rows.append(
            Figure(
                SECTION,
                f"{label}: ack p99 against the minimal Bolt app, {size} concurrent",
                f"{acks.p99 * 1000:.0f} ms against {reference.p99 * 1000:.0f} ms",
                "no worse than the minimal Bolt app",
                ok,
                "" if ok else "the reference only acks; see the line above",
            )
        )
    return rows


# -- one engine -------------------------------------------------------------------------------


@contextmanager
def database(tmp: Path, postgres: str | None) -> Iterator[str]:
    if postgres is None:
        yield f"sqlite:///{tmp / 'apo.db'}"
    else:
        with postgres_schema(postgres) as url:
            yield url


def measure_engine(
    label: str,
    postgres: str | None,
    sizes: Sequence[int],
    latency: float,
    references: dict[int, Acks],
    with_cost: bool,
) -> list[Figure]:
    rows: list[Figure] = []
    with (
        tempfile.TemporaryDirectory(prefix="apo-bench-acks-") as folder,
        FakeSlack() as slack,
        BenchModel(latency) as model,
    ):
        tmp = Path(folder)
        with database(tmp, postgres) as url:
            env = bench_env(tmp, slack.url, model.url, url)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bot",
                    "index",
                    str(ROOT / "knowledge"),
                    "--project",
                    "acme",
                ],
                cwd=tmp,
                env=env,
                capture_output=True,
                check=True,
                timeout=300,
            )
            port = free_port()
            with served(apo_serve(port), env, tmp, port) as server:
                pid = server.process.pid
                rows.append(
                    Figure(
                        SECTION,
                        f"{label}: `apo serve --http` to a healthy `/healthz`",
                        f"{server.healthy_after:.2f} s",
                        "≤ 3 s",
                        server.healthy_after <= 3,
                        "" if server.healthy_after <= 3 else "imports and set-up before serving",
                    )
                )
                settle(pid)
                idle = tree_rss(pid)
                signer = SlackSigner(server.events_url, SIGNING_SECRET)
                log = CallLog(url)
                response_url = slack.response_url("bench")
                story, answer = Flow(), Flow()
                for n in range(3):
                    one_at_a_time(
                        server.events_url,
                        story_command(signer, notes(n), response_url),
                        slack,
                        log,
                        latency,
                        is_story_done,
                        story,
                        "story_draft",
                    )
                one_at_a_time(
                    server.events_url,
                    story_command(signer, notes(9, NOTES_NO), response_url),
                    slack,
                    log,
                    latency,
                    is_story_done,
                    Flow(),
                    "story_draft",
                )
                for question in QUESTIONS[:3]:
                    one_at_a_time(
                        server.events_url,
                        mention(signer, question, new_ts()),
                        slack,
                        log,
                        latency,
                        is_answer,
                        answer,
                        "answer_question",
                    )
                rows += feedback_figures(label, story, answer, latency)
                if with_cost:
                    digest = digest_usage(env, tmp, server.events_url, log)
                    rows += cost_figures(story, answer, digest, model.requests)
                for size in sizes:
                    settle(pid)
                    requests = load(signer, size, response_url, offset=1000 * size)
                    since = time.monotonic()
                    acks = asyncio.run(burst(server.events_url, requests))
                    stories = sum(1 for r in requests if r.kind == "story")
                    took = wait_for_work(slack, since, stories, size - stories)
                    rows += ack_figures(label, size, acks, references.get(size))
                    rows.append(
                        Figure(
                            SECTION,
                            f"{label}: all work of the {size} requests posted",
                            f"after {took:.1f} s" if took is not None else "not within 300 s",
                        )
                    )
                after = tree_rss(pid)
                signer.close()
                log.close()
        rows += memory_figures(label, idle, after, pid, max(sizes))
    return rows


def feedback_figures(label: str, story: Flow, answer: Flow, latency: float) -> list[Figure]:
    rows = []
    for name, flow in (("/story", story), ("mention", answer)):
        first = statistics.median(flow.feedback)
        rows.append(
            Figure(
                SECTION,
                f"{label}: time to first visible feedback, {name} (median of {len(flow.feedback)})",
                f"{first * 1000:.0f} ms",
                "≤ 3 s (inside Slack's ack window)",
                first <= 3,
                "" if first <= 3 else "the placeholder is posted after slow work",
            )
        )
        rows.append(
            Figure(
                SECTION,
                f"{label}: pipeline overhead excluding model time, {name}",
                f"{statistics.median(flow.overhead) * 1000:.0f} ms (total minus {latency:.0f} s "
                f"per model call, {statistics.median(flow.calls):.0f} call(s))",
            )
        )
    return rows


def memory_figures(
    label: str, idle: dict[int, float], after: dict[int, float], pid: int, size: int
) -> list[Figure]:
    rows = []
    for name, sizes in (("idle", idle), (f"after the {size}-request burst", after)):
        worst = max(sizes.values(), default=0)
        rows.append(
            Figure(
                SECTION,
                f"{label}: resident memory, {name}",
                describe_rss(sizes, pid),
                "≤ 300 MB per process",
                worst <= 300,
                "" if worst <= 300 else "embedding model, Chroma and the work in flight",
            )
        )
    return rows


def cost_figures(
    story: Flow, answer: Flow, digest: Usage, requests: Sequence[dict[str, object]]
) -> list[Figure]:
    per_thousand = words(NOTES_EN) / 1000
    rows = [
        Figure(
            SECTION,
            f"model cost per /story per 1,000 words of notes ({words(NOTES_EN)}-word notes)",
            f"{statistics.fmean(story.calls) / per_thousand:.2f} calls, "
            f"{statistics.fmean(story.tokens) / per_thousand:,.0f} tokens",
        ),
        Figure(
            SECTION,
            "model cost per answer",
            f"{statistics.fmean(answer.calls):.2f} calls, {statistics.fmean(answer.tokens):,.0f} "
            "tokens",
        ),
        Figure(
            SECTION,
            "model cost per digest (client side, 5 team messages)",
            f"{digest.calls} call(s), {digest.tokens:,} tokens",
        ),
    ]
    for kind, (stable, length, calls) in sorted(prefix_shares(requests).items()):
        share = stable / length
        rows.append(
            Figure(
                SECTION,
                f"stable cacheable prefix of `prompts/{kind}.md` ({calls} real calls)",
                f"{share:.0%} ({stable:,} of {length:,.0f} characters)",
                f"≥ {PREFIX_TARGET:.0%}",
                share >= PREFIX_TARGET,
                ""
                if share >= PREFIX_TARGET
                else "values that change per call start before half of the prompt",
            )
        )
    return rows


def figures(
    sizes: Sequence[int] = (50, 100), latency: float = 3.0, reference: bool = True
) -> list[Figure]:
    from tests.bench.bolt_reference import reference_acks

    references = reference_acks(sizes, latency) if reference else {}
    rows = [
        Figure(
            SECTION,
            f"reference: minimal Bolt app, {size} concurrent /story + mentions",
            str(acks),
        )
        for size, acks in references.items()
    ]
    rows += measure_engine("SQLite", None, sizes, latency, references, with_cost=True)
    postgres = os.environ.get("APO_TEST_POSTGRES_URL", "").strip()
    if postgres:
        rows += measure_engine("PostgreSQL", postgres, sizes, latency, references, False)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="50,100")
    parser.add_argument("--latency", type=float, default=3.0)
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = figures(sizes, args.latency, not args.no_reference)
    print_figures(rows)
    return 0 if all(r.met is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
