"""The bot remembers what it was just told, end to end: a reviewer's answer to an escalated
question serves the next people who ask it in other words; a decision recorded by a reaction is
cited for a paraphrase; a record in another language is found through the translation made when
it was recorded, and cited in its own words."""

from __future__ import annotations

import json

from bot.storage.decisions import list_decisions
from bot.storage.knowledge import decision_view
from tests.harness.app_server import CLIENT_CHANNEL, REVIEWER, TEAM_CHANNEL, RunningBot
from tests.harness.fake_slack import SlackCall
from tests.test_questions_flow import answer, record_decision

ASKED = "Which currency do we use for EUR customers' overdue list?"
REVIEWER_ANSWER = "Overdue lists show amounts in NOK, converted at the invoice date."
# Three other people ask the same thing in their own words.
PARAPHRASES = (
    ("U0DEVB", "What currency is the overdue list shown in for customers billed in EUR?"),
    ("U0DEVC", "For EUR customers, which currency do overdue lists use?"),
    ("U0DEVD", "Is the overdue list of a euro customer in EUR or in NOK?"),
)


def ask_as(bot: RunningBot, user: str, question: str, ts: str) -> SlackCall:
    bot.signer.app_mention(question, channel=TEAM_CHANNEL, ts=ts, user=user)
    [reply] = bot.slack.wait_for(
        "chat.update",
        timeout=20,
        predicate=lambda c: (
            c.args.get("channel") == TEAM_CHANNEL
            and c.args.get("ts") is not None
            and "Looking" not in str(c.args.get("text"))
        ),
    )
    return reply


def escalations(bot: RunningBot) -> list[SlackCall]:
    return [
        c for c in bot.slack.calls_to("chat.postMessage") if c.args["channel"] == CLIENT_CHANNEL
    ]


def test_a_reviewers_answer_serves_three_paraphrases_without_a_new_escalation(
    running_bot: RunningBot,
) -> None:
    first = ask_as(running_bot, "U0DEV", ASKED, "1700100000.000100")
    assert "Nothing recorded answers this" in first.args["text"]
    [escalation] = running_bot.slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.args["channel"] == CLIENT_CHANNEL
    )
    running_bot.signer.block_action(
        "question_answer", "1", user_id=REVIEWER, channel_id=CLIENT_CHANNEL, trigger_id="T.9.a"
    )
    [opened] = running_bot.slack.wait_for("views.open")
    running_bot.signer.view_submission(
        "question_answer_modal",
        {"answer_text_block": {"answer_text_input": REVIEWER_ANSWER}},
        user_id=REVIEWER,
        private_metadata=opened.args["view"]["private_metadata"],
    )
    running_bot.slack.wait_for(
        "chat.postMessage", predicate=lambda c: "Answered by" in str(c.args.get("text"))
    )
    running_bot.wait_until_idle()

    for n, (user, question) in enumerate(PARAPHRASES, start=1):
        running_bot.slack.reset()
        running_bot.openai.queue_json(answer("They are shown in NOK [1].", 1))
        reply = ask_as(running_bot, user, question, f"17001000{n}0.000100")

        assert "NOK" in reply.args["text"], question
        assert "Decision #1" in json.dumps(reply.args["blocks"]), question
        records = running_bot.openai.last_request()["messages"][1]["content"]
        assert REVIEWER_ANSWER in records and ASKED in records  # indexed with its question
        assert escalations(running_bot) == [], f"escalated again: {question}"
    assert escalation is not None


def test_a_decision_recorded_by_reaction_is_cited_for_a_paraphrase(running_bot: RunningBot) -> None:
    message = {
        "type": "message",
        "user": "U0CLIENTX",
        "ts": "1700200000.000100",
        "text": "Agreed: EHF invoices are sent to every Norwegian business customer.",
    }
    running_bot.slack.set_response("conversations.history", {"ok": True, "messages": [message]})
    running_bot.signer.event(
        {
            "type": "reaction_added",
            "user": REVIEWER,
            "reaction": "pushpin",
            "item": {"type": "message", "channel": CLIENT_CHANNEL, "ts": message["ts"]},
            "item_user": "U0CLIENTX",
            "event_ts": "1700200001.000100",
        }
    )
    running_bot.slack.wait_for(
        "chat.postEphemeral", predicate=lambda c: "recorded" in c.args["text"]
    )
    running_bot.wait_until_idle()
    running_bot.slack.reset()
    running_bot.openai.queue_json(answer("Yes, they get EHF invoices [1].", 1))

    reply = ask_as(
        running_bot,
        "U0DEVB",
        "Do Norwegian companies receive their invoices as EHF?",
        "1700200100.000100",
    )

    assert "EHF" in reply.args["text"]
    blocks = json.dumps(reply.args["blocks"])
    assert "Decision #1" in blocks and "C0CLIENT" in blocks  # cited with its source message
    records = running_bot.openai.last_request()["messages"][1]["content"]
    assert "every Norwegian business customer" in records
    assert escalations(running_bot) == []


NORWEGIAN = (
    "Purregebyret er 35 kroner. Andre purring sendes 14 dager etter den første, uten nytt gebyr."
)
TRANSLATED = (
    "The reminder fee is NOK 35. The second reminder is sent 14 days after the first, "
    "with no new fee."
)


def test_a_norwegian_decision_answers_an_english_question_and_is_cited_as_written(
    running_bot: RunningBot,
) -> None:
    running_bot.openai.translations[NORWEGIAN] = TRANSLATED
    record_decision(running_bot, NORWEGIAN)
    running_bot.wait_until_idle()
    [translation] = running_bot.openai.translation_requests  # one call, at record time
    assert "English" in translation["messages"][-1]["content"]
    assert running_bot.openai.request_count == 0

    running_bot.slack.reset()
    running_bot.openai.queue_json(answer("The reminder fee is 35 kroner [1].", 1))
    reply = ask_as(running_bot, "U0DEVB", "How much is the reminder fee?", "1700300000.000100")

    assert "35" in reply.args["text"] and "Decision #1" in json.dumps(reply.args["blocks"])
    records = running_bot.openai.last_request()["messages"][1]["content"]
    assert "Purregebyret er 35 kroner" in records  # the model reads and cites the original
    assert TRANSLATED not in records

    # Indexing the same record again (a re-index, a restart that refills the index) asks the
    # model nothing: the translation is kept by the hash of the text.
    with running_bot.container.db.session() as session:
        [decision] = list_decisions("acme", session=session)
        view = decision_view(decision)
    running_bot.container.services.indexer.index_decisions(view, None, question_text=None)
    assert len(running_bot.openai.translation_requests) == 1
