"""Digests never carry what was said in a private channel to the other side's channel.

A decision, a /story batch and questions from acme's private channel (C0SECRET, which
conversations.info reports private) stay out of the team's and the client's digests; a private
question still waiting for an answer is listed redacted, with its Answer button, so the client
can still answer it. Public items next to them are reported as usual.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.domain.digests import DigestSideName
from bot.services.digests.privacy import PRIVATE_QUESTION
from tests.digest_e2e import post_digest
from tests.harness.app_server import (
    CLIENT_CHANNEL,
    DEVELOPER,
    PRIVATE_CHANNEL,
    REVIEWER,
    TEAM_CHANNEL,
    RunningBot,
)
from tests.harness.fake_slack import SlackCall
from tests.story_e2e import batch, story

TUESDAY = date(2026, 3, 24)
SECRETS = (
    "4.2 million",  # the private decision, and the bot's answer quoting it
    "Globex merger",  # the private decision and questions
    "Merger planning",  # the private meeting notes
    "payroll",  # the story drafted from them
    "Which merger date",  # the private notes' open question for the client
    "announced publicly",  # the private question nobody answered yet
    f"archives/{PRIVATE_CHANNEL}",  # no link into the private channel either
)
BUDGET = "The Globex merger budget is 4.2 million NOK and stays confidential."
PRIVATE_NOTES = (
    "# Merger planning\n\n"
    "The merger team wants a confidential payroll export for Globex staff before the merger."
)
PUBLIC_NOTES = "# Monday client meeting\n\nThe accountant wants to credit a sent invoice."


def decide(bot: RunningBot, text: str, channel: str) -> None:
    bot.signer.command("/decision", text, user_id=REVIEWER, channel_id=channel)
    bot.slack.wait_for(
        "chat.update",
        timeout=20,
        predicate=lambda c: (
            c.args.get("channel") == channel and "recorded by" in str(c.args.get("text"))
        ),
    )


def draft(bot: RunningBot, notes: str, channel: str, result: dict[str, Any]) -> None:
    bot.openai.queue_json(result)
    bot.signer.command("/story", notes, channel_id=channel, user_id=REVIEWER)
    bot.slack.wait_for(
        "chat.update",
        timeout=20,
        predicate=lambda c: c.args.get("channel") == channel and "drafted" in c.args["text"],
    )


def ask(bot: RunningBot, text: str, channel: str, ts: str) -> SlackCall:
    def replied(call: SlackCall) -> bool:
        return call.args.get("channel") == channel and "Looking" not in str(call.args.get("text"))

    before = len([c for c in bot.slack.calls_to("chat.update") if replied(c)])
    bot.signer.app_mention(text, channel=channel, ts=ts, user=DEVELOPER)
    return bot.slack.wait_for("chat.update", count=before + 1, timeout=20, predicate=replied)[-1]


def a_week_with_secrets(bot: RunningBot) -> None:
    decide(bot, "Invoices are due after 14 days.", CLIENT_CHANNEL)
    decide(bot, BUDGET, PRIVATE_CHANNEL)
    draft(
        bot,
        PUBLIC_NOTES,
        CLIENT_CHANNEL,
        batch(
            story("Credit a sent invoice", "to credit a sent invoice", ["credit a sent invoice"])
        ),
    )
    draft(
        bot,
        PRIVATE_NOTES,
        PRIVATE_CHANNEL,
        batch(
            story(
                "Export Globex payroll",
                "to export the payroll of Globex staff",
                ["a confidential payroll export for Globex staff"],
            )
        )
        | {"questions_for_client": ["Which merger date do we plan for?"]},
    )
    # Answered by the bot from the private decision, in the private channel itself.
    bot.openai.queue_json(
        {"answerable": True, "answer": "The budget is 4.2 million NOK [1].", "cited": [1]}
    )
    answered = ask(bot, BUDGET, PRIVATE_CHANNEL, "1700004000.000100")
    assert "4.2 million" in answered.args["text"]
    # From here on nothing recorded answers anything: the questions stay open.
    bot.openai.set_default_json({"answerable": False, "answer": "", "cited": []})
    ask(
        bot,
        "When will the Globex merger be announced publicly?",
        PRIVATE_CHANNEL,
        "1700004100.000100",
    )
    ask(bot, "Which VAT rate applies to credit notes?", TEAM_CHANNEL, "1700004200.000100")


def digest(bot: RunningBot, side: DigestSideName, channel: str) -> list[dict[str, Any]]:
    assert post_digest(bot, side, TUESDAY)
    [post] = bot.slack.wait_for(
        "chat.postMessage",
        predicate=lambda c: c.args["channel"] == channel and "Morning handover" in c.args["text"],
    )
    blocks: list[dict[str, Any]] = post.args["blocks"]
    return blocks


def test_private_channel_content_stays_out_of_both_digests(running_bot: RunningBot) -> None:
    a_week_with_secrets(running_bot)

    team = json.dumps(digest(running_bot, "team", TEAM_CHANNEL))
    client_blocks = digest(running_bot, "client", CLIENT_CHANNEL)
    client = json.dumps(client_blocks)

    for text in (team, client):
        leaked = [secret for secret in SECRETS if secret in text]
        assert not leaked, leaked
        assert "14 days" in text  # the public decision
        assert "Credit a sent invoice" in text  # the public story, waiting for review
        assert "Which VAT rate applies to credit notes?" in text  # the public open question
        assert PRIVATE_QUESTION in text  # the private open question, redacted
    assert "Monday client meeting" in team  # the public meeting notes lead the team's digest

    # The client can still answer the private question from its digest.
    buttons = {
        block["accessory"]["value"]: block["text"]["text"]
        for block in client_blocks
        if block.get("accessory", {}).get("action_id") == "question_answer"
    }
    assert len(buttons) == 2
    assert any(PRIVATE_QUESTION in text for text in buttons.values())
    assert any("Which VAT rate" in text for text in buttons.values())
