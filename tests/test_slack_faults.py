"""Slack faults, end to end against the fake Slack failing on demand: what people see, and
that nothing is lost or posted twice."""

from __future__ import annotations

import json
import logging
import time

import pytest
from sqlmodel import select

from bot.storage.models import MeetingNote
from tests.harness.app_server import CLIENT_CHANNEL, REVIEWER, TEAM_CHANNEL, RunningBot
from tests.story_e2e import batch, cards, final_batch_update, story

NOTES = "The accountant wants to export every invoice of the month to PDF."
ONE = batch(story("Export invoices", "to export invoices to PDF", ["export every invoice"]))


def stored_notes(bot: RunningBot) -> list[str]:
    with bot.container.db.session() as session:
        return [n.raw_text for n in session.exec(select(MeetingNote))]


def test_a_server_error_on_a_post_is_retried_and_the_card_arrives_once(
    running_bot: RunningBot,
) -> None:
    running_bot.slack.fail_next("chat.postMessage", status=503, times=1)
    running_bot.openai.queue_json(ONE)

    running_bot.signer.command("/story", NOTES, channel_id=TEAM_CHANNEL)

    cards(running_bot, 1)
    final_batch_update(running_bot)
    running_bot.wait_until_idle()
    ok_posts = [c for c in running_bot.slack.calls_to("chat.postMessage") if not c.failed]
    assert len(ok_posts) == 2  # the progress message and the card, each once


def test_a_card_slack_refuses_as_too_long_fails_the_batch_with_retry_then_posts_once(
    running_bot: RunningBot,
) -> None:
    running_bot.openai.hold()  # drafting waits until the fault is armed for the card
    running_bot.openai.queue_json(ONE)
    running_bot.signer.command("/story", NOTES, channel_id=TEAM_CHANNEL)
    running_bot.slack.wait_for("chat.postMessage")  # "Drafting…"
    running_bot.slack.fail_next("chat.postMessage", status=200, error="msg_too_long")
    running_bot.openai.release()

    [failure] = running_bot.slack.wait_for(
        "chat.update", timeout=20, predicate=lambda c: "notes_retry" in json.dumps(c.args)
    )
    assert "did not accept all the story cards" in json.dumps(failure.args["blocks"])
    running_bot.signer.block_action("notes_retry", "1", channel_id=TEAM_CHANNEL)

    [card] = cards(running_bot, 1)
    running_bot.wait_until_idle()
    assert "Export invoices" in card.args["text"]
    assert len(running_bot.openai.requests) == 1  # the stored stories, not drafted again


def test_not_in_channel_tells_the_reviewers_once_where_the_bot_can_post(
    running_bot: RunningBot,
) -> None:
    for attempt in range(2):
        running_bot.slack.fail_next("chat.postMessage", status=200, error="not_in_channel")
        running_bot.signer.command("/story", f"{NOTES} ({attempt})", channel_id=TEAM_CHANNEL)
        running_bot.wait_until_idle()

    told = [
        c
        for c in running_bot.slack.calls_to("chat.postMessage")
        if c.args["channel"] == CLIENT_CHANNEL and not c.failed
    ]
    assert len(told) == 1  # once, not per failed post
    text = told[0].args["text"]
    assert f"<@{REVIEWER}>" in text and "/invite @APO Bridge" in text and TEAM_CHANNEL in text
    assert len(stored_notes(running_bot)) == 2  # both notes are kept for when the bot is invited
    assert running_bot.openai.request_count == 0


def test_a_revoked_token_stops_the_work_and_says_so_once_in_the_log(
    running_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    running_bot.slack.fail_next("chat.postMessage", status=200, error="token_revoked")
    running_bot.signer.command("/story", NOTES, channel_id=TEAM_CHANNEL)
    running_bot.wait_until_idle()
    calls = len(running_bot.slack.calls)

    running_bot.signer.command("/story", f"{NOTES} Again.", channel_id=TEAM_CHANNEL)
    running_bot.wait_until_idle()

    assert len(running_bot.slack.calls) == calls  # nothing more sent with a revoked token
    rejected = [r for r in caplog.records if "rejected the bot token" in r.getMessage()]
    assert len(rejected) == 1 and "token_revoked" in rejected[0].getMessage()
    assert "apo doctor" in rejected[0].getMessage()
    assert len(stored_notes(running_bot)) == 2  # the notes are kept for Retry once it is fixed
    assert running_bot.openai.request_count == 0


def test_views_open_rate_limited_is_retried_within_the_triggers_three_seconds(
    running_bot: RunningBot,
) -> None:
    running_bot.openai.queue_json(ONE)
    running_bot.signer.command("/story", NOTES, channel_id=TEAM_CHANNEL)
    cards(running_bot, 1)
    final_batch_update(running_bot)
    running_bot.slack.fail_next("views.open", status=429, retry_after=1)

    pressed = time.monotonic()
    running_bot.signer.block_action(
        "story_edit", "1", user_id=REVIEWER, channel_id=TEAM_CHANNEL, trigger_id="T.rl"
    )

    opened = running_bot.slack.wait_for("views.open", count=2, timeout=10)
    assert opened[0].failed and not opened[1].failed
    assert time.monotonic() - pressed < 3  # the trigger id is still valid
