"""Hostile or broken requests over HTTP: refused with the right status, never a 500, and the bot
keeps serving. Unsigned, forged and stale requests are in test_slack_http.py."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest

from tests.harness.app_server import TEAM_CHANNEL, RunningBot
from tests.harness.signer import FORM, JSON

NOT_UTF8 = b"command=%2Fapo&text=\xff\xfe\xc3(&channel_id=C0TEAM"


def assert_still_serving(bot: RunningBot) -> None:
    response = bot.signer.command("/apo", "help", channel_id=TEAM_CHANNEL)
    assert response.status_code == 200
    assert "/apo help" in json.dumps(response.json()["blocks"])


def test_body_over_the_limit_is_refused_by_its_length(running_bot: RunningBot) -> None:
    body = "text=" + "x" * (2 * 1024 * 1024)

    response = running_bot.signer.raw(body, FORM)

    assert response.status_code == 413
    assert_still_serving(running_bot)


def test_streamed_body_over_the_limit_is_refused_while_it_streams(
    running_bot: RunningBot,
) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(64):  # 4 MB in 64 kB chunks, with no Content-Length
            yield b"x" * 65536

    headers = {
        "Content-Type": FORM,
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "v0=" + "0" * 64,
    }
    try:
        response = httpx.post(
            running_bot.signer.events_url, content=chunks(), headers=headers, timeout=10
        )
        assert response.status_code == 413
    except httpx.TransportError:
        pass  # the server may close the connection before the client has finished sending
    assert_still_serving(running_bot)


def test_signed_body_that_is_not_utf8_is_a_bad_request_logged_once(
    running_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)

    response = running_bot.signer.raw(NOT_UTF8, FORM)

    assert response.status_code == 400
    refused = [r for r in caplog.records if "cannot parse" in r.getMessage()]
    assert len(refused) == 1
    assert all("channel_id" not in r.getMessage() for r in caplog.records)  # no body in the log
    assert_still_serving(running_bot)


def test_unsigned_body_that_is_not_utf8_stays_unauthorized(running_bot: RunningBot) -> None:
    response = running_bot.signer.raw(NOT_UTF8, FORM, sign=False)

    assert response.status_code == 401
    assert_still_serving(running_bot)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (urlencode({"payload": "{not json"}), FORM),
        ("{not json", JSON),
        ("[1, 2]", JSON),
    ],
    ids=["payload-field", "json-body", "json-not-an-object"],
)
def test_signed_body_that_is_not_a_json_object_is_a_bad_request(
    running_bot: RunningBot, body: str, content_type: str
) -> None:
    response = running_bot.signer.raw(body, content_type)

    assert response.status_code == 400
    assert_still_serving(running_bot)


def test_forged_malformed_payload_stays_unauthorized(running_bot: RunningBot) -> None:
    body = urlencode({"payload": "{not json"})

    response = running_bot.signer.raw(body, FORM, signature="v0=" + "0" * 64)

    assert response.status_code == 401
    assert_still_serving(running_bot)


def test_replayed_malformed_payload_stays_unauthorized(running_bot: RunningBot) -> None:
    body = urlencode({"payload": "{not json"})

    response = running_bot.signer.raw(body, FORM, timestamp=int(time.time()) - 6 * 60)

    assert response.status_code == 401
    assert_still_serving(running_bot)


@pytest.mark.parametrize("event", ["app_mention", None, ["app_mention"]], ids=str)
def test_event_that_is_not_an_object_is_not_a_server_error(
    running_bot: RunningBot, event: object
) -> None:
    envelope = {
        "type": "event_callback",
        "team_id": "T0001",
        "api_app_id": "A0001",
        "event": event,
        "event_id": "EvNOTANOBJECT",
        "event_time": int(time.time()),
    }

    response = running_bot.signer.raw(json.dumps(envelope), JSON)

    assert response.status_code == 400
    running_bot.assert_no_call("chat.postMessage")
    assert_still_serving(running_bot)


def test_slash_command_without_a_channel_gets_a_polite_reply(running_bot: RunningBot) -> None:
    form = {
        "team_id": "T0001",
        "user_id": "U_DEV",
        "command": "/story",
        "text": "we agreed on CSV export",
        "api_app_id": "A0001",
        "response_url": running_bot.slack.response_url("no-channel"),
        "trigger_id": "1.2.3",
    }

    response = running_bot.signer.raw(urlencode(form), FORM)

    assert response.status_code == 200  # and empty: Slack adds no error of its own
    assert response.text == ""
    [reply] = running_bot.slack.wait_for("response_url:no-channel")
    assert reply.args["response_type"] == "ephemeral"
    assert "KeyError" not in reply.args["text"] and "reference" in reply.args["text"]
    assert_still_serving(running_bot)
