"""Conversations that continue: a reply in a thread the bot answered in is a follow-up
answered there with the earlier turns as context; elsewhere the bot stays silent."""

from __future__ import annotations

from tests.harness.app_server import DEVELOPER, TEAM_CHANNEL, RunningBot
from tests.story_e2e import batch, cards, final_batch_update, story
from tests.test_questions_flow import DUE_DATE, answer, ask, record_decision

FIRST = "1700000500.000100"


def looking_replaced(bot: RunningBot, count: int) -> list[str]:
    updates = bot.slack.wait_for(
        "chat.update",
        count=count,
        timeout=20,
        predicate=lambda c: (
            c.args.get("channel") == TEAM_CHANNEL and "Looking" not in str(c.args.get("text"))
        ),
    )
    return [str(u.args["text"]) for u in updates]


def test_a_reply_in_the_answers_thread_is_answered_with_the_earlier_turns(
    running_bot: RunningBot,
) -> None:
    record_decision(running_bot, DUE_DATE)
    running_bot.slack.reset()
    running_bot.openai.queue_json(answer("Invoices are due 14 days after the invoice date [1].", 1))
    ask(running_bot, "What is the payment deadline for invoices?", ts=FIRST)
    running_bot.openai.queue_json(answer("No: it is 14 days from the invoice date [1].", 1))

    running_bot.signer.message(
        "And is that counted from the delivery date instead?",
        user=DEVELOPER,
        channel=TEAM_CHANNEL,
        thread_ts=FIRST,
        ts="1700000510.000100",
    )

    [_, follow_up] = looking_replaced(running_bot, 2)
    assert "14 days from the invoice date" in follow_up
    [looking] = [
        c
        for c in running_bot.slack.calls_to("chat.postMessage")
        if c.args.get("thread_ts") == FIRST and "Looking" in str(c.args.get("text"))
    ][1:]
    assert looking.args["channel"] == TEAM_CHANNEL  # in the same thread
    prompt = running_bot.openai.last_request()["messages"][1]["content"]
    assert "Q: What is the payment deadline for invoices?" in prompt
    assert "A: Invoices are due 14 days after the invoice date [1]." in prompt
    assert "counted from the delivery date" in prompt


def test_thanks_a_side_conversation_and_other_threads_get_no_reply(
    running_bot: RunningBot,
) -> None:
    record_decision(running_bot, DUE_DATE)
    running_bot.slack.reset()
    running_bot.openai.queue_json(answer("Invoices are due 14 days after the invoice date [1].", 1))
    ask(running_bot, "What is the payment deadline for invoices?", ts=FIRST)
    running_bot.slack.reset()

    for n, (text, thread) in enumerate(
        [
            ("thanks!", FIRST),
            ("<@U0PO> can you double check this with the client?", FIRST),
            ("What is the payment deadline for invoices?", "1700000999.000100"),  # not ours
        ]
    ):
        running_bot.signer.message(
            text, user=DEVELOPER, channel=TEAM_CHANNEL, thread_ts=thread, ts=f"17000006{n}0.0001"
        )

    running_bot.assert_no_call("chat.postMessage")
    assert running_bot.openai.request_count == 1


def test_a_question_in_a_batch_of_cards_thread_needs_no_mention(running_bot: RunningBot) -> None:
    running_bot.openai.queue_json(
        batch(
            story(
                "Credit a sent invoice",
                "to create a credit note for a sent invoice",
                ["create a credit note for a sent invoice"],
            )
        )
    )
    running_bot.signer.command(
        "/story",
        "The accountant wants to create a credit note for a sent invoice.",
        channel_id=TEAM_CHANNEL,
    )
    [card] = cards(running_bot, 1)
    final_batch_update(running_bot)
    thread = card.args["thread_ts"]
    running_bot.openai.queue_json({"answerable": False, "answer": "Not recorded.", "cited": []})

    running_bot.signer.message(
        "Who approves the credit notes before they are sent?",
        user=DEVELOPER,
        channel=TEAM_CHANNEL,
        thread_ts=thread,
        ts="1700000900.000100",
    )

    [reply] = running_bot.slack.wait_for(
        "chat.update",
        timeout=20,
        predicate=lambda c: "Nothing recorded answers this" in str(c.args.get("text")),
    )
    looking = [
        c
        for c in running_bot.slack.calls_to("chat.postMessage")
        if c.args.get("ts") == reply.args["ts"] or c.response.get("ts") == reply.args["ts"]
    ]
    assert looking and looking[0].args["thread_ts"] == thread  # answered in the cards' thread
