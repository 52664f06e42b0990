"""Mention and markup injection, end to end: people's text and the model's output, full of
`<!channel>`, `<!here>`, `<@U…>`, `<#C…>` and disguised links, go through every surface that
echoes them (decision receipts, answers, abstentions and escalations, errors, review cards,
edit and answer modals, both digests). Slack receives all of it inert.

`rendered` collects what Slack would render as markup from every call the bot made, so a new
surface is covered by driving it in a test here; plain-text fields (modal inputs, button
values) are not parsed by Slack and are left out.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from tests.digest_e2e import post_digest
from tests.harness.app_server import CLIENT_CHANNEL, DEVELOPER, REVIEWER, TEAM_CHANNEL, RunningBot
from tests.harness.fake_slack import SlackCall
from tests.story_e2e import batch, cards, final_batch_update, story
from tests.test_questions_flow import record_decision

HOSTILE = "<!channel> <!here> <!everyone> <@U0CEO> <#C0SECRET> <https://evil.example|innocent>"
LIVE = re.compile(r"<(!channel|!here|!everyone|@U0CEO|#C0SECRET|https://evil)")
ESCAPED = "&lt;!channel&gt;"
_NOT_RENDERED = {"initial_value", "value", "private_metadata", "action_id", "block_id", "url"}


def rendered(value: Any) -> list[str]:
    """The strings of a Slack payload that Slack parses for mentions and links."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in rendered(item)]
    if isinstance(value, dict):
        if value.get("type") == "plain_text":
            return []
        return [s for k, v in value.items() if k not in _NOT_RENDERED for s in rendered(v)]
    return []


def ask(bot: RunningBot, question: str, *, ts: str) -> SlackCall:
    """Mention the bot in the team channel; the reply that replaced "Looking…"."""

    def reply(call: SlackCall) -> bool:
        return call.args.get("channel") == TEAM_CHANNEL and "Looking" not in str(
            call.args.get("text")
        )

    before = len([c for c in bot.slack.calls_to("chat.update") if reply(c)])
    bot.signer.app_mention(question, channel=TEAM_CHANNEL, ts=ts, user=DEVELOPER)
    return bot.slack.wait_for("chat.update", count=before + 1, timeout=20, predicate=reply)[-1]


def assert_inert(bot: RunningBot) -> str:
    """No hostile markup anywhere the bot sent; returns what it sent, for presence checks."""
    texts = [s for call in bot.slack.calls for s in rendered(call.args)]
    live = [t for t in texts if LIVE.search(t)]
    assert live == [], live[:3]
    return "\n".join(texts)


def test_decisions_questions_answers_escalations_and_errors_echo_markup_inert(
    running_bot: RunningBot,
) -> None:
    # Nothing recorded yet: abstained, and escalated to the client channel.
    ask(
        running_bot, f"Which currency do overdue EUR customers pay in? {HOSTILE}", ts="1700001001.1"
    )
    [escalation] = running_bot.slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.args["channel"] == CLIENT_CHANNEL
    )
    assert ESCAPED in json.dumps(escalation.args)

    # The human answer's modal shows the question; the asker is told the answer.
    running_bot.signer.block_action(
        "question_answer", "1", user_id=REVIEWER, channel_id=CLIENT_CHANNEL, trigger_id="T.m.1"
    )
    [opened] = running_bot.slack.wait_for("views.open")
    running_bot.signer.view_submission(
        "question_answer_modal",
        {"answer_text_block": {"answer_text_input": f"They pay in EUR. {HOSTILE}"}},
        user_id=REVIEWER,
        private_metadata=opened.args["view"]["private_metadata"],
    )
    running_bot.slack.wait_for(
        "chat.postMessage", predicate=lambda c: "Answered by" in str(c.args.get("text"))
    )

    record_decision(running_bot, f"Invoices are due 14 days after the invoice date. {HOSTILE}")
    running_bot.openai.queue_json(
        {"answerable": True, "answer": f"Due in 14 days [1]. {HOSTILE}", "cited": [1]}
    )
    answered = ask(
        running_bot, f"When are invoices due after the invoice date? {HOSTILE}", ts="1700001000.1"
    )
    assert ESCAPED in answered.args["text"]

    running_bot.signer.app_mention(f"{HOSTILE} hi", channel=TEAM_CHANNEL, user=DEVELOPER)
    running_bot.wait_until_idle()

    shown = assert_inert(running_bot)
    assert shown.count(ESCAPED) >= 4  # the hostile text did reach Slack, escaped


def test_cards_modals_and_digests_echo_markup_inert(running_bot: RunningBot) -> None:
    running_bot.openai.queue_json(
        batch(story(f"Export {HOSTILE}", f"to export invoices {HOSTILE}", ["export invoices"]))
    )
    running_bot.signer.command(
        "/story", f"The accountant wants to export invoices. {HOSTILE}", channel_id=TEAM_CHANNEL
    )
    [card] = cards(running_bot, 1)
    final_batch_update(running_bot)
    story_id = next(
        e["value"]
        for b in card.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "story_edit"
    )
    running_bot.signer.block_action(
        "story_edit", story_id, user_id=REVIEWER, channel_id=TEAM_CHANNEL, trigger_id="T.m.2"
    )
    running_bot.slack.wait_for("views.open")
    record_decision(running_bot, f"Exports are PDF only. {HOSTILE}")
    running_bot.openai.queue_json({"summary": f"Nothing much {HOSTILE} [1]", "cited": [1]})

    today = date.today()
    post_digest(running_bot, "team", today)
    post_digest(running_bot, "client", today)
    running_bot.wait_until_idle()

    shown = assert_inert(running_bot)
    assert shown.count(ESCAPED) >= 4
