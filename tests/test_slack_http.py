"""The bot over HTTP, end to end: signed requests in, Slack Web API calls out."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from pydantic import BaseModel
from slack_bolt import Ack

from tests.harness.app_server import TEAM_CHANNEL, RunningBot


def test_apo_help_lists_what_the_bot_can_do(running_bot: RunningBot) -> None:
    response = running_bot.signer.command("/apo", "help", channel_id=TEAM_CHANNEL)

    assert response.status_code == 200
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    shown = json.dumps(answer["blocks"])
    assert "/apo help" in shown
    assert "Acme Invoicing" in shown  # the channel's project is named


def test_unknown_apo_subcommand_says_so_and_shows_help(running_bot: RunningBot) -> None:
    answer = running_bot.signer.command(
        "/apo", "<!channel> frobnicate", channel_id=TEAM_CHANNEL
    ).json()

    first = answer["blocks"][0]["text"]["text"]
    assert "I don't know" in first
    assert "<!channel>" not in first and "&lt;!channel&gt;" in first


def test_help_in_an_unmapped_channel_says_how_to_map_it(running_bot: RunningBot) -> None:
    answer = running_bot.signer.command("/apo", "", channel_id="C_ELSEWHERE").json()

    assert "not part of a project" in json.dumps(answer["blocks"])


def test_mention_is_answered_in_its_thread(running_bot: RunningBot) -> None:
    response = running_bot.signer.app_mention("help", channel=TEAM_CHANNEL, ts="1700000001.000100")
    assert response.status_code == 200

    [post] = running_bot.slack.wait_for("chat.postMessage")
    assert post.args["channel"] == TEAM_CHANNEL
    assert post.args["thread_ts"] == "1700000001.000100"
    assert "/apo help" in json.dumps(post.args["blocks"])
    assert post.token == "xoxb-test"


def test_retried_event_is_answered_once(running_bot: RunningBot) -> None:
    event_id = "EvRETRIED0001"
    for retry in (None, 1, 2):
        response = running_bot.signer.app_mention(
            "help", channel=TEAM_CHANNEL, ts="1700000002.000100", event_id=event_id, retry_num=retry
        )
        assert response.status_code == 200

    running_bot.slack.wait_for("chat.postMessage")
    running_bot.wait_until_idle()  # a wrongly processed retry would have posted by now
    assert len(running_bot.slack.calls_to("chat.postMessage")) == 1


def test_rate_limited_post_is_retried_and_arrives(running_bot: RunningBot) -> None:
    running_bot.slack.fail_next("chat.postMessage", status=429, retry_after=1)

    running_bot.signer.app_mention("help", channel=TEAM_CHANNEL, ts="1700000003.000100")

    attempts = running_bot.slack.wait_for("chat.postMessage", count=2, timeout=15)
    assert [a.failed for a in attempts] == [True, False]
    assert attempts[1].at - attempts[0].at >= 0.9  # Retry-After was honoured


def test_unsigned_request_is_rejected(running_bot: RunningBot) -> None:
    body = "command=%2Fapo&text=help&user_id=U_DEV&channel_id=C_TEAM"
    response = running_bot.signer.raw(body, "application/x-www-form-urlencoded", sign=False)

    assert response.status_code == 401
    running_bot.assert_no_call("chat.postMessage")


def test_wrongly_signed_request_is_rejected(running_bot: RunningBot) -> None:
    body = "command=%2Fapo&text=help&user_id=U_DEV&channel_id=C_TEAM"
    response = running_bot.signer.raw(
        body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64
    )

    assert response.status_code == 401


def test_six_minute_old_request_is_rejected(running_bot: RunningBot) -> None:
    response = running_bot.signer.command("/apo", "help", timestamp=int(time.time()) - 6 * 60)

    assert response.status_code == 401


class Echo(BaseModel):
    said: str


@pytest.mark.bot_settings(APO_LLM_TIMEOUT=30)
def test_command_is_acked_fast_while_the_model_is_still_thinking(running_bot: RunningBot) -> None:
    # A listener shaped like every slow feature: ack, then call the real chat model, whose
    # fake server holds its answer until the ack is in. The ack must not wait for it.
    finished = threading.Event()
    results: list[Any] = []

    @running_bot.app.command("/slowtest")
    def slow(ack: Ack) -> None:
        ack("working on it")
        model = running_bot.container.chat_model
        results.append(model.structured([], Echo, purpose="slow-test"))
        finished.set()

    running_bot.openai.queue_json({"said": "done"})
    running_bot.openai.hold()

    started = time.monotonic()
    response = running_bot.signer.command("/slowtest", "go")
    ack_seconds = time.monotonic() - started

    assert response.status_code == 200
    assert response.text == "working on it"
    assert ack_seconds < 3, f"ack took {ack_seconds:.2f}s"  # Slack's ack deadline
    running_bot.openai.wait_for_requests(1)
    assert not finished.is_set()  # acked while the model had the question and no answer yet
    running_bot.openai.release()
    assert finished.wait(20)
    assert results == [Echo(said="done")]


def test_listener_crash_shows_a_reference_not_the_exception(running_bot: RunningBot) -> None:
    @running_bot.app.command("/crashtest")
    def crash(ack: Ack) -> None:
        ack()
        raise RuntimeError("postgres://admin:hunter2@db/prod exploded")

    response_url = running_bot.slack.response_url("crash")
    running_bot.signer.command("/crashtest", "x", response_url=response_url)

    [reply] = running_bot.slack.wait_for("response_url:crash")
    text = reply.args["text"]
    assert "hunter2" not in text and "RuntimeError" not in text
    assert "reference" in text
    assert reply.args["response_type"] == "ephemeral"


def test_healthz_reports_the_database(running_bot: RunningBot) -> None:
    response = running_bot.get("/healthz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"
