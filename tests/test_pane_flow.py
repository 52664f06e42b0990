"""The agent pane end to end through the HTTP harness: suggested prompts on opening, a question
answered with a status and a streamed answer whose citations were checked, the project taken
from the channel being viewed (or asked once), native feedback, and private scoping."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import select

from bot.storage.models import AnswerFeedback
from tests.harness.app_server import (
    DEVELOPER,
    OTHER_PROJECT_CHANNEL,
    PRIVATE_CHANNEL,
    REVIEWER,
    TEAM_CHANNEL,
    RunningBot,
)
from tests.harness.fake_slack import SlackCall
from tests.story_e2e import batch, story
from tests.test_questions_flow import DUE_DATE, answer, record_decision

PANE = "D0DEV"
THREAD = "1700009000.000100"
MEMBERS = {
    TEAM_CHANNEL: [DEVELOPER, REVIEWER],
    PRIVATE_CHANNEL: [REVIEWER],
    OTHER_PROJECT_CHANNEL: [DEVELOPER],
}


@pytest.fixture
def members(running_bot: RunningBot) -> None:
    def answer_members(args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "members": MEMBERS.get(str(args.get("channel")), [])}

    running_bot.slack.set_handler("conversations.members", answer_members)


def streamed_text(bot: RunningBot) -> str:
    """Everything the bot streamed, in order, from start to stop."""
    text: list[str] = []
    for call in bot.slack.calls:
        if call.method in ("chat.startStream", "chat.appendStream", "chat.stopStream"):
            text.extend(str(chunk.get("text", "")) for chunk in call.args.get("chunks") or [])
    return "".join(text)


def in_pane(bot: RunningBot, text: str, ts: str) -> None:
    bot.signer.message(
        text, user=DEVELOPER, channel=PANE, thread_ts=THREAD, ts=ts, channel_type="im"
    )


def test_opening_the_pane_beside_a_project_channel_suggests_its_prompts(
    running_bot: RunningBot, members: None
) -> None:
    running_bot.signer.assistant_thread_started(
        DEVELOPER, channel=PANE, thread_ts=THREAD, viewing=TEAM_CHANNEL
    )

    [prompts] = running_bot.slack.wait_for("assistant.threads.setSuggestedPrompts")
    assert prompts.args["channel_id"] == PANE and prompts.args["thread_ts"] == THREAD
    messages = [p["message"] for p in prompts.args["prompts"]]
    assert "What is still open for this sprint?" in messages
    assert "Draft stories from these notes" in messages
    [greeting] = running_bot.slack.wait_for("chat.postMessage")
    assert greeting.args["thread_ts"] == THREAD and "Acme Invoicing" in greeting.args["text"]


def test_a_question_in_the_pane_gets_a_status_a_title_and_a_streamed_cited_answer(
    running_bot: RunningBot, members: None
) -> None:
    record_decision(running_bot, DUE_DATE)
    running_bot.signer.assistant_thread_started(
        DEVELOPER, channel=PANE, thread_ts=THREAD, viewing=TEAM_CHANNEL
    )
    running_bot.slack.wait_for("assistant.threads.setSuggestedPrompts")
    # The model cites [1] (real) and [7] (no such record): only [1] may ever be shown.
    running_bot.openai.queue_json(
        answer("Invoices are **due 14 days** after the invoice date [1].", 1, 7)
    )

    in_pane(running_bot, "What is the payment deadline for invoices?", "1700009001.000100")

    [title] = running_bot.slack.wait_for("assistant.threads.setTitle")
    assert title.args["title"] == "What is the payment deadline for invoices?"
    status = running_bot.slack.wait_for("assistant.threads.setStatus")[0]
    assert status.args["status"] == "Searching decisions…"
    [stop] = running_bot.slack.wait_for("chat.stopStream", timeout=20)
    [start] = running_bot.slack.calls_to("chat.startStream")
    assert start.args["channel"] == PANE and start.args["thread_ts"] == THREAD
    text = streamed_text(running_bot)
    assert text.index("due 14 days") < text.index("**Sources**") < text.index("[1] Decision")
    assert "[7]" not in text
    blocks = json.dumps(stop.args["blocks"])
    assert '"type": "feedback_buttons"' in blocks and "AI-generated" in blocks
    assert not [c for c in running_bot.slack.calls_to("chat.update") if _to_pane(c)]

    running_bot.signer.block_action(
        "answer_feedback",
        "helpful:1",
        action_type="feedback_buttons",
        user_id=DEVELOPER,
        channel_id=PANE,
        message_ts=stop.args["ts"],
    )
    running_bot.slack.wait_for(
        "response_url:default", predicate=lambda c: "Thanks" in str(c.args.get("text"))
    )
    with running_bot.container.db.session() as session:
        [verdict] = session.exec(select(AnswerFeedback)).all()
    assert verdict.user_id == DEVELOPER and verdict.question_id == 1


def test_without_a_channel_in_view_the_pane_asks_which_project_once(
    running_bot: RunningBot, members: None
) -> None:
    record_decision(running_bot, DUE_DATE)
    running_bot.signer.assistant_thread_started(DEVELOPER, channel=PANE, thread_ts=THREAD)
    running_bot.slack.wait_for("assistant.threads.setSuggestedPrompts")
    running_bot.slack.reset()
    running_bot.slack.set_handler("conversations.members", _members)

    in_pane(running_bot, "What is the payment deadline for invoices?", "1700009002.000100")

    [which] = running_bot.slack.wait_for("chat.postMessage")
    assert "Which project" in which.args["text"] and "`acme`" in which.args["text"]
    assert "`globex`" in which.args["text"]
    running_bot.wait_until_idle()
    assert running_bot.openai.request_count == 0  # never guessed

    running_bot.openai.queue_json(answer("Invoices are due 14 days after the invoice date [1].", 1))
    in_pane(running_bot, "acme", "1700009003.000100")

    running_bot.slack.wait_for("chat.stopStream", timeout=20)
    assert "14 days" in streamed_text(running_bot)
    prompt = running_bot.openai.last_request()["messages"][1]["content"]
    assert "What is the payment deadline for invoices?" in prompt


def test_a_private_channel_decision_never_reaches_the_pane_of_a_non_member(
    running_bot: RunningBot, members: None
) -> None:
    secret = "The Hansen account gets 60 days to pay and this stays confidential."
    record_decision(running_bot, secret, channel=PRIVATE_CHANNEL)
    running_bot.signer.assistant_thread_started(
        DEVELOPER, channel=PANE, thread_ts=THREAD, viewing=PRIVATE_CHANNEL
    )
    running_bot.slack.wait_for("assistant.threads.setSuggestedPrompts")

    in_pane(running_bot, "How many days does the Hansen account get to pay?", "1700009004.000100")

    [abstained] = running_bot.slack.wait_for(
        "chat.postMessage", predicate=lambda c: "Nothing recorded answers" in str(c.args)
    )
    assert abstained.args["thread_ts"] == THREAD
    running_bot.wait_until_idle()
    pane_calls = [c for c in running_bot.slack.calls if _to_pane(c)]
    assert pane_calls and all("60 days" not in json.dumps(c.args) for c in pane_calls)
    assert all("60 days" not in json.dumps(r) for r in running_bot.openai.requests)


def _members(args: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True, "members": MEMBERS.get(str(args.get("channel")), [])}


def _to_pane(call: SlackCall) -> bool:
    return PANE in (call.args.get("channel"), call.args.get("channel_id"))


def test_where_slack_refuses_status_and_stream_the_answer_comes_as_placeholder_and_update(
    running_bot: RunningBot, members: None
) -> None:
    record_decision(running_bot, DUE_DATE)
    for method in ("assistant.threads.setTitle", "assistant.threads.setStatus"):
        running_bot.slack.fail_next(method, times=3, status=200, error="invalid_thread")
    running_bot.openai.queue_json(answer("Invoices are due 14 days after the invoice date [1].", 1))

    in_pane(running_bot, "acme: what is the payment deadline for invoices?", "1700009005.000100")

    [update] = running_bot.slack.wait_for(
        "chat.update", predicate=lambda c: _to_pane(c) and "14 days" in str(c.args.get("text"))
    )
    [looking] = [
        c
        for c in running_bot.slack.calls_to("chat.postMessage")
        if _to_pane(c) and "Looking" in str(c.args.get("text"))
    ]
    assert looking.args["thread_ts"] == THREAD and looking.response["ts"] == update.args["ts"]
    assert '"type": "feedback_buttons"' in json.dumps(update.args["blocks"])
    running_bot.assert_no_call("chat.startStream")


def test_a_stream_slack_refuses_is_posted_as_a_whole_answer(
    running_bot: RunningBot, members: None
) -> None:
    record_decision(running_bot, DUE_DATE)
    running_bot.slack.fail_next("chat.startStream", status=200, error="not_allowed")
    running_bot.openai.queue_json(answer("Invoices are due 14 days after the invoice date [1].", 1))

    in_pane(running_bot, "acme: what is the payment deadline for invoices?", "1700009006.000100")

    [posted] = running_bot.slack.wait_for(
        "chat.postMessage",
        predicate=lambda c: _to_pane(c) and "14 days" in str(c.args.get("text")),
    )
    assert posted.args["thread_ts"] == THREAD
    assert "[1]" in json.dumps(posted.args["blocks"])


LONG_NOTES = "\n\n".join(
    [
        "The accountant wants to create a credit note for a sent invoice. " * 5,
        "Customers want to see the payment status of each invoice in the portal. " * 5,
    ]
)


@pytest.mark.bot_settings(APO_NOTES_PART_CHARS=500)
def test_notes_pasted_in_the_pane_are_drafted_with_the_parts_as_its_status(
    running_bot: RunningBot, members: None
) -> None:
    running_bot.signer.assistant_thread_started(
        DEVELOPER, channel=PANE, thread_ts=THREAD, viewing=TEAM_CHANNEL
    )
    running_bot.slack.wait_for("assistant.threads.setSuggestedPrompts")
    running_bot.openai.queue_json(
        batch(story("Credit a sent invoice", "to credit a sent invoice", ["credit note"]))
    )
    running_bot.openai.queue_json(
        batch(
            story(
                "See payment status",
                "to see the payment status of each invoice",
                ["payment status of each invoice"],
                role="customer",
            )
        )
    )

    in_pane(running_bot, f"Draft stories from these notes:\n{LONG_NOTES}", "1700009007.000100")

    cards = running_bot.slack.wait_for(
        "chat.postMessage",
        count=2,
        timeout=30,
        predicate=lambda c: c.args.get("channel") == TEAM_CHANNEL and "thread_ts" in c.args,
    )
    assert len(cards) == 2
    [done] = running_bot.slack.wait_for(
        "chat.postMessage", predicate=lambda c: _to_pane(c) and "Drafted 2 stories" in str(c.args)
    )
    assert done.args["thread_ts"] == THREAD and "<#C0TEAM>" in done.args["text"]
    statuses = [
        c.args["status"]
        for c in running_bot.slack.calls_to("assistant.threads.setStatus")
        if _to_pane(c)
    ]
    assert "Drafting part 1 of 2…" in statuses and "Drafting part 2 of 2…" in statuses
