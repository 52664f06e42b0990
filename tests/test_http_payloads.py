"""Every payload type with fields missing or of the wrong type, and payload types no listener
handles: never a 500, the bot keeps serving, and an unknown kind is acknowledged and logged
once (Slack would otherwise retry it and show the user an error)."""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.harness.app_server import TEAM_CHANNEL, RunningBot
from tests.harness.signer import FORM, JSON


def interactive(bot: RunningBot, payload: dict[str, Any]) -> int:
    return bot.signer.raw(urlencode({"payload": json.dumps(payload)}), FORM).status_code


def event(bot: RunningBot, inner: Any) -> int:
    envelope = {
        "type": "event_callback",
        "team_id": "T0001",
        "api_app_id": "A0001",
        "event": inner,
        "event_id": f"Ev{time.time_ns()}",
        "event_time": int(time.time()),
    }
    return bot.signer.raw(json.dumps(envelope), JSON).status_code


def assert_still_serving(bot: RunningBot) -> None:
    response = bot.signer.command("/apo", "help", channel_id=TEAM_CHANNEL)
    assert response.status_code == 200 and "/apo help" in json.dumps(response.json())


def test_an_unknown_payload_type_is_acknowledged_and_logged_once(
    running_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    mystery = {"type": "mystery_surface", "user": {"id": "U0DEV"}, "team": {"id": "T0001"}}
    unknown_event = {"type": "channel_archive", "channel": TEAM_CHANNEL, "user": "U0DEV"}

    statuses = [interactive(running_bot, mystery) for _ in range(3)]
    statuses += [event(running_bot, unknown_event) for _ in range(3)]

    assert statuses == [200] * 6
    lines = [r.getMessage() for r in caplog.records if "no listener handles" in r.getMessage()]
    assert len(lines) == 2, lines  # once per kind
    assert any("mystery_surface" in line for line in lines)
    assert any("channel_archive" in line for line in lines)
    assert not [r for r in caplog.records if r.getMessage().startswith("Unhandled request")]
    assert_still_serving(running_bot)


BASE = {"team": {"id": "T0001"}, "api_app_id": "A0001", "trigger_id": "1.2.3"}
BROKEN_INTERACTIONS = {
    "action-without-actions": {**BASE, "type": "block_actions", "user": {"id": "U0APO"}},
    "action-list-of-strings": {
        **BASE, "type": "block_actions", "user": {"id": "U0APO"}, "actions": ["story_approve"],
    },
    "approve-without-user": {
        **BASE, "type": "block_actions", "channel": {"id": TEAM_CHANNEL},
        "actions": [{"action_id": "story_approve", "value": "1", "type": "button"}],
    },
    "approve-value-a-list": {
        **BASE, "type": "block_actions", "user": {"id": "U0APO"}, "channel": {"id": TEAM_CHANNEL},
        "response_url": "http://127.0.0.1:9/none",
        "actions": [{"action_id": "story_approve", "value": [1], "type": "button"}],
    },
    "view-without-state": {
        **BASE, "type": "view_submission", "user": {"id": "U0APO"},
        "view": {"id": "V1", "callback_id": "story_edit_modal", "private_metadata": "{}"},
    },
    "view-values-wrong-type": {
        **BASE, "type": "view_submission", "user": {"id": "U0APO"},
        "view": {"id": "V1", "callback_id": "question_answer_modal", "private_metadata": "[]",
                 "state": {"values": "none"}},
    },
    "message-shortcut-without-message": {
        **BASE, "type": "message_action", "callback_id": "draft_from_message",
        "user": {"id": "U0APO"}, "channel": {"id": TEAM_CHANNEL},
        "response_url": "http://127.0.0.1:9/none",
    },
    "global-shortcut-without-user": {**BASE, "type": "shortcut", "callback_id": "story_notes"},
}  # fmt: skip
BROKEN_EVENTS = {
    "mention-text-a-number": {"type": "app_mention", "text": 42, "user": "U0DEV",
                              "channel": TEAM_CHANNEL, "ts": "1.1"},
    "mention-without-channel": {"type": "app_mention", "text": "<@UBOT> hi there you",
                                "user": "U0DEV", "ts": "1.2"},
    "reaction-without-item": {"type": "reaction_added", "user": "U0APO", "reaction": "pushpin"},
    "message-edit-without-message": {"type": "message", "subtype": "message_changed",
                                     "channel": TEAM_CHANNEL, "ts": "1.3"},
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(BROKEN_INTERACTIONS))
def test_an_interaction_with_missing_or_wrongly_typed_fields_is_never_a_server_error(
    running_bot: RunningBot, name: str
) -> None:
    assert interactive(running_bot, BROKEN_INTERACTIONS[name]) in (200, 400)
    running_bot.wait_until_idle()
    assert_still_serving(running_bot)


@pytest.mark.parametrize("name", sorted(BROKEN_EVENTS))
def test_an_event_with_missing_or_wrongly_typed_fields_is_never_a_server_error(
    running_bot: RunningBot, name: str
) -> None:
    assert event(running_bot, BROKEN_EVENTS[name]) in (200, 400)
    running_bot.wait_until_idle()
    assert_still_serving(running_bot)


@pytest.mark.parametrize(
    "form",
    [
        {"command": "/story", "channel_id": TEAM_CHANNEL, "text": "notes here please"},
        {"command": "/decision", "user_id": "U0APO", "text": "We decided on CSV."},
        {"command": "/apo", "user_id": "U0APO", "channel_id": TEAM_CHANNEL},
    ],
    ids=["story-without-user", "decision-without-channel", "apo-without-text"],
)
def test_a_command_with_missing_fields_is_never_a_server_error(
    running_bot: RunningBot, form: dict[str, str]
) -> None:
    body = urlencode({"team_id": "T0001", "api_app_id": "A0001", "trigger_id": "1.2.3", **form})
    assert running_bot.signer.raw(body, FORM).status_code in (200, 400)
    running_bot.wait_until_idle()
    assert_still_serving(running_bot)
