"""Operations: JSON logs with correlation ids and nothing secret in them, and Prometheus
metrics counting what users do (requests, jobs, model calls), on the web side's `/metrics`
and on the port a worker serves."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk.errors import SlackApiError

from bot.ops.logs import configure_logging, correlation
from bot.ops.metrics import serve_metrics
from bot.settings import Settings
from bot.slack.client import make_web_client
from tests.harness.app_server import TEAM_CHANNEL, RunningBot
from tests.harness.fake_slack import FakeSlack
from tests.story_e2e import batch, story

QUOTE = "The accountant wants to export the monthly report to PDF."


@pytest.fixture
def root_logging() -> Iterator[None]:
    """configure_logging replaces the root logger's handlers: put them back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def test_json_lines_carry_the_correlation_ids(
    root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", "json")
    log = logging.getLogger("apo.test")

    with correlation(request_id="r123", kind="command"):
        log.info("acked %s", "/story")
        with correlation(job_id="draft:note:7:first"):
            log.warning("drafting")
    log.info("after")

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(e["message"], e.get("request_id"), e.get("job_id")) for e in lines] == [
        ("acked /story", "r123", None),
        ("drafting", "r123", "draft:note:7:first"),
        ("after", None, None),
    ]
    assert lines[0]["level"] == "INFO" and lines[0]["logger"] == "apo.test"
    assert lines[0]["kind"] == "command"


def test_no_secret_reaches_a_log_line_or_traceback(
    root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", "json", secrets=["signing-secret-123"])
    log = logging.getLogger("apo.test")

    log.info("token %s and key %s", "xoxb-1234-5678-abcdef", "sk-proj-abcdefgh1234")
    log.info("db postgresql+psycopg://apo:hunter2pw@db:5432/apo, app xapp-1-A0-99")
    try:
        raise ValueError("bad signature with signing-secret-123")
    except ValueError:
        log.exception("verification failed")

    out = capsys.readouterr().err
    for secret in ("xoxb-1234", "sk-proj-abc", "hunter2pw", "xapp-1-A0", "signing-secret-123"):
        assert secret not in out, secret
    lines = [json.loads(line) for line in out.splitlines()]
    assert "[redacted]" in lines[0]["message"]
    assert "postgresql+psycopg://[redacted]@db:5432/apo" in lines[1]["message"]
    assert "ValueError: bad signature with [redacted]" in lines[2]["exception"]


def test_text_lines_name_the_ids_too(
    root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", "text")
    with correlation(job_id="answer:C1:17.1"):
        logging.getLogger("apo.test").info("answering")

    assert capsys.readouterr().err.rstrip().endswith("answering [job_id=answer:C1:17.1]")


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


def test_web_metrics_count_requests_jobs_and_model_calls(running_bot: RunningBot) -> None:
    before = running_bot.get("/metrics").text
    running_bot.openai.queue_json(batch(story("Export report", "to export the report", [QUOTE])))

    assert running_bot.signer.command("/story", QUOTE, channel_id=TEAM_CHANNEL).status_code == 200
    assert running_bot.signer.command("/apo", "help", channel_id=TEAM_CHANNEL).status_code == 200
    running_bot.wait_until_idle()
    after = running_bot.get("/metrics")

    assert after.status_code == 200 and after.headers["content-type"].startswith("text/plain")
    text = after.text

    def grew(name: str, by: float = 1, **labels: str) -> bool:
        return value(text, name, **labels) - value(before, name, **labels) >= by

    assert grew("apo_slack_requests_total", 2, kind="command", status="200")
    assert grew("apo_slack_ack_seconds_count", 2, kind="command")
    assert grew("apo_jobs_queued_total", kind="draft_batch")
    assert grew("apo_jobs_finished_total", kind="draft_batch", outcome="done")
    assert grew("apo_model_calls_total", use="story_draft", outcome="ok")
    assert grew("apo_model_tokens_total", use="story_draft", direction="prompt")
    assert value(text, "apo_jobs_running", kind="draft_batch") == 0


def test_slack_api_errors_are_counted_by_method_and_error(fake_slack: FakeSlack) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_API_URL=fake_slack.url,
    )
    client = make_web_client(settings)
    server = serve_metrics(0, lambda: {"database": "ok"}, host="127.0.0.1")
    try:
        url = f"http://127.0.0.1:{server.port}"
        before = httpx.get(url + "/metrics").text
        fake_slack.fail_next("chat.postMessage", status=200, error="channel_not_found")
        with pytest.raises(SlackApiError):
            client.chat_postMessage(channel="C0GONE", text="hello")
        after = httpx.get(url + "/metrics").text
        health = httpx.get(url + "/healthz")
    finally:
        server.stop()

    labels = {"method": "chat.postMessage", "error": "channel_not_found"}
    assert (
        value(after, "apo_slack_api_errors_total", **labels)
        - value(before, "apo_slack_api_errors_total", **labels)
        == 1
    )
    assert health.status_code == 200 and health.json()["status"] == "ok"


def test_a_listeners_failed_slack_call_is_counted(running_bot: RunningBot) -> None:
    """Bolt hands each request a client of its own; its failures are counted too."""
    labels = {"method": "views.open", "error": "expired_trigger_id"}
    before = value(running_bot.get("/metrics").text, "apo_slack_api_errors_total", **labels)
    running_bot.slack.fail_next("views.open", status=200, error="expired_trigger_id")

    running_bot.signer.command("/story", "", channel_id=TEAM_CHANNEL)  # alone: opens the form
    running_bot.wait_until_idle()

    after = value(running_bot.get("/metrics").text, "apo_slack_api_errors_total", **labels)
    assert after - before == 1
