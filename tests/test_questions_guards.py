"""Who may do what with questions and decisions, and what stays private."""

from __future__ import annotations

import json

from bot.storage.decisions import list_decisions
from tests.harness.app_server import (
    CLIENT_CHANNEL,
    DEVELOPER,
    PRIVATE_CHANNEL,
    REVIEWER,
    TEAM_CHANNEL,
    RunningBot,
)
from tests.harness.fake_slack import SlackCall
from tests.story_e2e import wait_until_escalated


def escalation(bot: RunningBot) -> SlackCall:
    [call] = bot.slack.wait_for(
        "chat.postMessage",
        predicate=lambda c: (
            c.args["channel"] == CLIENT_CHANNEL
            and "question_answer" in json.dumps(c.args.get("blocks"))
        ),
    )
    wait_until_escalated(bot, CLIENT_CHANNEL, call.response["ts"])
    return call


def status_update(bot: RunningBot, channel: str) -> SlackCall:
    [call] = bot.slack.wait_for(
        "chat.update",
        predicate=lambda c: c.args["channel"] == channel and "Looking" not in c.args["text"],
    )
    return call


def test_private_question_is_redacted_and_its_answer_stays_private(running_bot: RunningBot) -> None:
    secret_question = "What is the confidential merger budget for Globex?"
    running_bot.signer.app_mention(
        secret_question, channel=PRIVATE_CHANNEL, user=DEVELOPER, ts="1700010000.000100"
    )
    posted = escalation(running_bot)
    assert "merger budget" not in json.dumps(posted.args)  # not repeated in the client channel

    running_bot.signer.block_action(
        "question_answer", "1", user_id=REVIEWER, channel_id=CLIENT_CHANNEL, trigger_id="T.8.a"
    )
    [opened] = running_bot.slack.wait_for("views.open")
    assert "merger budget" in json.dumps(opened.args["view"])  # the reviewer can read it
    running_bot.signer.view_submission(
        "question_answer_modal",
        {"answer_text_block": {"answer_text_input": "The merger budget is 9 million NOK."}},
        user_id=REVIEWER,
        private_metadata=opened.args["view"]["private_metadata"],
    )
    running_bot.slack.wait_for(
        "chat.postMessage",
        predicate=lambda c: (
            c.args.get("thread_ts") == "1700010000.000100" and "Answered" in c.args["text"]
        ),
    )
    with running_bot.container.db.session() as session:
        [decision] = list_decisions("acme", session=session)
    assert decision.source_private and decision.source_channel == PRIVATE_CHANNEL
    [closed] = running_bot.slack.wait_for(
        "chat.update", predicate=lambda c: c.args["ts"] == posted.response["ts"]
    )
    assert "9 million" not in json.dumps(closed.args)  # nor is the answer, in the client channel

    running_bot.slack.reset()
    running_bot.signer.app_mention(
        "What is the merger budget for Globex?",
        channel=TEAM_CHANNEL,
        user=DEVELOPER,
        ts="1700010100.000100",
    )
    reply = status_update(running_bot, TEAM_CHANNEL)
    assert "9 million" not in json.dumps(reply.args)
    assert all("9 million" not in json.dumps(r) for r in running_bot.openai.requests)


def test_short_mentions_get_guidance_not_an_escalation(running_bot: RunningBot) -> None:
    running_bot.signer.app_mention(
        "thanks!", channel=TEAM_CHANNEL, user=DEVELOPER, ts="1700010200.000100"
    )

    reply = status_update(running_bot, TEAM_CHANNEL)
    assert "whole question" in reply.args["text"]
    # A real question asked afterwards escalates; by then an escalation of "thanks!" would be
    # there too, and the only one is the real question's.
    running_bot.signer.app_mention(
        "Do credit notes need their own KID?",
        channel=TEAM_CHANNEL,
        user=DEVELOPER,
        ts="1700010201.000100",
    )
    escalation(running_bot)
    assert [
        c.args["text"]
        for c in running_bot.slack.calls_to("chat.postMessage")
        if c.args["channel"] == CLIENT_CHANNEL
    ] == [f"A question from <@{DEVELOPER}> that nothing recorded answers"]


def test_only_reviewers_answer_in_the_escalation_thread(running_bot: RunningBot) -> None:
    running_bot.signer.app_mention(
        "Do credit notes need their own KID?",
        channel=TEAM_CHANNEL,
        user=DEVELOPER,
        ts="1700010300.000100",
    )
    thread = escalation(running_bot).response["ts"]

    running_bot.signer.message(
        "I think so?",
        user=DEVELOPER,
        channel=CLIENT_CHANNEL,
        thread_ts=thread,
        ts="1700010301.000100",
    )
    running_bot.signer.app_mention(
        "yes they do, every one",
        channel=CLIENT_CHANNEL,
        user="U0PO",
        thread_ts=thread,
        ts="1700010302.000100",
    )
    running_bot.signer.message(
        "<@UBOT> yes they do, every one",
        user="U0PO",
        channel=CLIENT_CHANNEL,
        thread_ts=thread,
        ts="1700010302.000100",
    )

    running_bot.slack.wait_for(
        "chat.postMessage", predicate=lambda c: "Answered" in str(c.args.get("text"))
    )
    # A mention sent after all of the above is answered (with help) once they were handled
    # as far as they would go.
    running_bot.signer.app_mention(
        "help", channel=CLIENT_CHANNEL, user=DEVELOPER, ts="1700010303.000100"
    )
    running_bot.slack.wait_for(
        "chat.postMessage",
        predicate=lambda c: c.args.get("thread_ts") == "1700010303.000100",
    )
    with running_bot.container.db.session() as session:
        [decision] = list_decisions("acme", session=session)
    assert decision.author_id == "U0PO"  # the developer's guess was not recorded
    looking = [
        c
        for c in running_bot.slack.calls_to("chat.postMessage")
        if c.args["channel"] == CLIENT_CHANNEL and "Looking" in c.args["text"]
    ]
    assert not looking  # the reviewer's mention in the thread was not taken as a new question


def test_reactions_and_replacements_need_a_reviewer(running_bot: RunningBot) -> None:
    message = {
        "type": "message",
        "user": "U0CLIENTX",
        "ts": "1700010400.000100",
        "text": "supersedes #1: invoices are due after 60 days",
    }
    running_bot.slack.set_response("conversations.history", {"ok": True, "messages": [message]})

    running_bot.signer.event(
        {
            "type": "reaction_added",
            "user": DEVELOPER,
            "reaction": "pushpin",
            "item": {"type": "message", "channel": CLIENT_CHANNEL, "ts": message["ts"]},
        }
    )
    refused = running_bot.signer.command(
        "/decision", "supersedes #1: due after 60 days", user_id=DEVELOPER, channel_id=TEAM_CHANNEL
    )
    assert "Only the reviewers" in refused.json()["text"]
    url = running_bot.slack.response_url("sc")
    running_bot.signer.message_action(
        "record_decision", message, user_id=DEVELOPER, channel_id=CLIENT_CHANNEL, response_url=url
    )
    [reply] = running_bot.slack.wait_for("response_url:sc")
    assert "Only the reviewers" in reply.args["text"]
    # A reviewer's reaction after the developer's is handled (the decision it would replace
    # does not exist); the developer's reaction, sent first, recorded nothing.
    running_bot.signer.event(
        {
            "type": "reaction_added",
            "user": REVIEWER,
            "reaction": "pushpin",
            "item": {"type": "message", "channel": CLIENT_CHANNEL, "ts": message["ts"]},
        }
    )
    [handled] = running_bot.slack.wait_for("chat.postEphemeral")
    assert handled.args["user"] == REVIEWER and "no decision #1" in handled.args["text"]
    with running_bot.container.db.session() as session:
        assert list_decisions("acme", session=session) == []


def test_dm_questions_need_a_project_and_membership(running_bot: RunningBot) -> None:
    running_bot.slack.set_response("conversations.members", {"ok": True, "members": ["U0APO"]})
    dm = "D0DM1"

    running_bot.signer.message(
        "what is the payment deadline?",
        user=DEVELOPER,
        channel=dm,
        channel_type="im",
        ts="1700010500.000100",
    )
    [which] = running_bot.slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.args["channel"] == dm
    )
    assert "Which project?" in which.args["text"] and "acme" in which.args["text"]

    running_bot.signer.message(
        "acme: what is the payment deadline?",
        user=DEVELOPER,
        channel=dm,
        channel_type="im",
        ts="1700010600.000100",
    )
    [refused] = running_bot.slack.wait_for(
        "chat.postMessage",
        predicate=lambda c: c.args["channel"] == dm and "not a member" in c.args["text"],
    )
    assert refused.args["thread_ts"] == "1700010600.000100"

    running_bot.signer.message(
        "acme: what is the payment deadline?",
        user=REVIEWER,
        channel=dm,
        channel_type="im",
        ts="1700010700.000100",
    )
    reply = status_update(running_bot, dm)
    assert "Nothing recorded answers this" in reply.args["text"]


def test_a_refused_answer_can_be_given_again(running_bot: RunningBot) -> None:
    running_bot.signer.app_mention(
        "Do credit notes need their own KID?",
        channel=TEAM_CHANNEL,
        user=DEVELOPER,
        ts="1700010800.000100",
    )
    thread = escalation(running_bot).response["ts"]

    running_bot.signer.message(
        "x" * 4500, user=REVIEWER, channel=CLIENT_CHANNEL, thread_ts=thread, ts="1700010801.000100"
    )
    [too_long] = running_bot.slack.wait_for("chat.postEphemeral")
    assert "keep it under 4,000" in too_long.args["text"]
    running_bot.signer.message(
        "Yes, each credit note gets its own KID.",
        user=REVIEWER,
        channel=CLIENT_CHANNEL,
        thread_ts=thread,
        ts="1700010802.000100",
    )

    running_bot.slack.wait_for(
        "chat.postMessage", predicate=lambda c: "Answered" in str(c.args.get("text"))
    )
    with running_bot.container.db.session() as session:
        [decision] = list_decisions("acme", session=session)
    assert "own KID" in decision.text


def test_an_escalation_reply_is_not_recorded_twice(running_bot: RunningBot) -> None:
    running_bot.signer.app_mention(
        "Do credit notes need their own KID?",
        channel=TEAM_CHANNEL,
        user=DEVELOPER,
        ts="1700010900.000100",
    )
    thread = escalation(running_bot).response["ts"]
    reply = {
        "type": "message",
        "user": REVIEWER,
        "ts": "1700010901.000100",
        "thread_ts": thread,
        "text": "Yes, every credit note gets its own KID.",
    }
    running_bot.signer.message(
        reply["text"], user=REVIEWER, channel=CLIENT_CHANNEL, thread_ts=thread, ts=reply["ts"]
    )
    running_bot.slack.wait_for(
        "chat.postMessage", predicate=lambda c: "Answered" in str(c.args.get("text"))
    )
    url = running_bot.slack.response_url("again")

    running_bot.signer.message_action(
        "record_decision", reply, user_id=REVIEWER, channel_id=CLIENT_CHANNEL, response_url=url
    )

    [said] = running_bot.slack.wait_for("response_url:again")
    assert "recorded as its answer already" in said.args["text"]
    with running_bot.container.db.session() as session:
        assert len(list_decisions("acme", session=session)) == 1
