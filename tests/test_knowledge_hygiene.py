"""A clean index and knowledge kept per project, end to end: Slack edits and deletions reach
decisions and digests, a failed /story leaves nothing behind, one project's knowledge folder
never reaches another's drafting prompt, and answers marked wrong reach the reviewers' digest."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.storage.decisions import decision_history, list_decisions
from tests.digest_e2e import post_digest
from tests.fixtures_db import copy_migrated_sqlite
from tests.harness.app_server import (
    CLIENT_CHANNEL,
    DEVELOPER,
    REVIEWER,
    TEAM_CHANNEL,
    RunningBot,
    bot_settings,
    start_bot,
)
from tests.harness.fake_openai import FakeOpenAI
from tests.harness.fake_slack import FakeSlack, SlackCall
from tests.harness.waiting import wait_until
from tests.story_e2e import batch, story
from tests.test_questions_flow import answer, ask, record_decision

CLIENT_USER = "U0CLIENTX"
OLD = "Agreed: reminders go out 7 days after the due date."
NEW = "Agreed: reminders go out 10 days after the due date."
TODAY = date.today()


def pin(bot: RunningBot, channel: str, ts: str, text: str) -> None:
    """A client message, collected for digests, recorded as a decision by a reviewer's pin."""
    message = {"type": "message", "user": CLIENT_USER, "ts": ts, "text": text}
    bot.signer.message(text, user=CLIENT_USER, channel=channel, ts=ts)
    bot.slack.set_response("conversations.history", {"ok": True, "messages": [message]})
    bot.signer.event(
        {
            "type": "reaction_added",
            "user": REVIEWER,
            "reaction": "pushpin",
            "item": {"type": "message", "channel": channel, "ts": ts},
            "item_user": CLIENT_USER,
            "event_ts": f"{float(ts) + 1:.6f}",
        }
    )
    bot.slack.wait_for("chat.postEphemeral", predicate=lambda c: "recorded" in c.args["text"])
    bot.wait_until_idle()


def edit(bot: RunningBot, channel: str, ts: str, text: str) -> None:
    bot.signer.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": channel,
            "ts": f"{time.time():.6f}",
            "message": {
                "type": "message",
                "user": CLIENT_USER,
                "text": text,
                "ts": ts,
                "edited": {"user": CLIENT_USER, "ts": f"{time.time():.6f}"},
            },
            "previous_message": {"type": "message", "user": CLIENT_USER, "text": OLD, "ts": ts},
        }
    )


def delete(bot: RunningBot, channel: str, ts: str) -> None:
    bot.signer.event(
        {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "channel": channel,
            "ts": f"{time.time():.6f}",
            "deleted_ts": ts,
            "previous_message": {"type": "message", "user": CLIENT_USER, "text": OLD, "ts": ts},
        }
    )


def decisions(bot: RunningBot) -> list[Any]:
    with bot.container.db.session() as session:
        return list_decisions("acme", include_superseded=True, session=session)


def test_a_decision_edited_in_slack_is_answered_with_its_new_text(
    running_bot: RunningBot,
) -> None:
    ts = f"{time.time() - 30:.6f}"
    pin(running_bot, CLIENT_CHANNEL, ts, OLD)

    edit(running_bot, CLIENT_CHANNEL, ts, NEW)
    wait_until(
        lambda: [d.text for d in decisions(running_bot)] == [NEW],
        what="the decision takes the edited text",
        timeout=20,
    )
    running_bot.wait_until_idle()
    running_bot.openai.queue_json(answer("Ten days after the due date [1].", 1))
    reply = ask(running_bot, "When do payment reminders go out?", ts=f"{time.time():.6f}")

    assert "Ten days" in reply.args["text"]
    records = running_bot.openai.last_request()["messages"][1]["content"]
    assert "10 days after the due date" in records and "7 days" not in records
    with running_bot.container.db.session() as session:
        [revision] = decision_history(decisions(running_bot)[0].id, session=session)
    assert (revision.action, revision.before, revision.after) == ("edited", OLD, NEW)


def test_a_deleted_decision_is_no_longer_cited_or_summarised(running_bot: RunningBot) -> None:
    ts = f"{time.time() - 30:.6f}"
    pin(running_bot, TEAM_CHANNEL, ts, OLD)
    digests = running_bot.container.services.digests
    assert [d.text for d in digests.build("acme", "team", TODAY).decisions] == [OLD]

    [decision] = decisions(running_bot)
    assert running_bot.container.knowledge().get([f"decision:{decision.id}"])

    delete(running_bot, TEAM_CHANNEL, ts)
    wait_until(lambda: not decisions(running_bot), what="the decision is removed", timeout=20)
    running_bot.wait_until_idle()

    assert running_bot.container.knowledge().get([f"decision:{decision.id}"]) == []
    ask(running_bot, "When do payment reminders go out?", ts=f"{time.time():.6f}")
    prompts = json.dumps(running_bot.openai.requests)
    assert "7 days after the due date" not in prompts  # not shown to the model as a record
    assert digests.build("acme", "team", TODAY).decisions == ()
    client = digests.build("acme", "client", TODAY)
    assert client.decisions == () and client.discussion is None  # the message is gone too


@pytest.mark.bot_settings(APO_LLM_MAX_RETRIES=0)
def test_a_failed_story_leaves_nothing_in_the_index_or_the_digest(
    running_bot: RunningBot,
) -> None:
    running_bot.openai.queue_text('{"stories": [{"title": ')
    notes = "The accountant wants to export the monthly report to PDF."

    running_bot.signer.command("/story", notes, channel_id=TEAM_CHANNEL, user_id=REVIEWER)
    running_bot.slack.wait_for(
        "chat.update", timeout=20, predicate=lambda c: "Retry" in str(c.args.get("blocks"))
    )
    running_bot.wait_until_idle()

    assert running_bot.container.knowledge().all({"kind": "note"}) == []
    assert running_bot.container.services.digests.build("acme", "team", TODAY).meetings == ()


def test_notes_that_yield_no_story_are_neither_indexed_nor_in_the_digest(
    running_bot: RunningBot,
) -> None:
    running_bot.openai.queue_json(batch())
    running_bot.signer.command("/story", "hello", channel_id=TEAM_CHANNEL, user_id=REVIEWER)
    running_bot.slack.wait_for(
        "chat.update", timeout=20, predicate=lambda c: "Drafting" not in str(c.args.get("text"))
    )
    running_bot.wait_until_idle()

    assert running_bot.container.knowledge().all({"kind": "note"}) == []
    assert running_bot.container.services.digests.build("acme", "team", TODAY).meetings == ()


def knowledge_folder(root: Path) -> Path:
    (root / "shared").mkdir(parents=True)
    (root / "shared" / "definition-of-ready.md").write_text(
        "# Definition of Ready\n\nEvery story has acceptance criteria.\n", encoding="utf-8"
    )
    for key, term in (("acme", "KID-ACME-ONLY"), ("globex", "PORTAL-GLOBEX-ONLY")):
        (root / "projects" / key).mkdir(parents=True)
        (root / "projects" / key / "glossary.md").write_text(
            f"# Glossary\n\n- {term}: a word of {key}'s client.\n", encoding="utf-8"
        )
    return root


GLOBEX_CLIENT = "C0GLOBEXCL"


@pytest.fixture
def bot_with_knowledge(
    tmp_path: Path, fake_slack: FakeSlack, fake_openai: FakeOpenAI, migrated_sqlite_template: Path
) -> Iterator[RunningBot]:
    """The bot with APO_KNOWLEDGE_DIR pointing at a folder with two projects' knowledge."""
    folder = knowledge_folder(tmp_path / "knowledge")
    settings = bot_settings(tmp_path, fake_slack, fake_openai, APO_KNOWLEDGE_DIR=str(folder))
    copy_migrated_sqlite(migrated_sqlite_template, settings.database_url)
    bot = start_bot(settings, fake_slack, fake_openai)
    try:
        yield bot
    finally:
        bot.stop()


def test_project_b_drafting_prompt_holds_nothing_of_project_a_knowledge(
    bot_with_knowledge: RunningBot,
) -> None:
    running_bot = bot_with_knowledge
    running_bot.openai.queue_json(
        batch(story("Log in", "to log in to the portal", ["log in to the portal"]))
    )

    notes = "Customers want to log in to the portal."
    running_bot.signer.command("/story", notes, channel_id=GLOBEX_CLIENT, user_id="U0G")
    running_bot.openai.wait_for_requests(1, timeout=20)
    running_bot.wait_until_idle()

    drafting = [r for r in running_bot.openai.requests if "<notes" in json.dumps(r.get("messages"))]
    prompt = json.dumps(drafting[0]["messages"])
    assert "PORTAL-GLOBEX-ONLY" in prompt and "Every story has acceptance criteria" in prompt
    assert "KID-ACME-ONLY" not in prompt


def test_a_wrong_answer_click_reaches_the_reviewers_next_digest(
    running_bot: RunningBot,
) -> None:
    record_decision(running_bot, "Invoices are due 30 days after the invoice date.")
    running_bot.slack.reset()
    running_bot.openai.queue_json(answer("30 days [1].", 1))
    question = "What is the payment deadline for invoices?"
    reply = ask(running_bot, question, ts=f"{time.time():.6f}")
    running_bot.signer.block_action(
        "answer_wrong", "1", user_id=DEVELOPER, channel_id=TEAM_CHANNEL, message_ts=reply.args["ts"]
    )
    running_bot.slack.wait_for(
        "chat.postMessage", predicate=lambda c: "wrong or outdated" in str(c.args.get("text"))
    )
    running_bot.wait_until_idle()
    running_bot.slack.reset()

    post_digest(running_bot, "client", TODAY)

    def client_digest(call: SlackCall) -> bool:
        return call.args.get("channel") == CLIENT_CHANNEL

    [digest] = running_bot.slack.wait_for("chat.postMessage", predicate=client_digest)
    blocks = json.dumps(digest.args["blocks"])
    assert "Answers marked wrong or outdated" in blocks
    assert question in blocks and "30 days" in blocks and "decision #1" in blocks
    assert "answer_correct" in blocks and DEVELOPER in blocks

    # One click opens the answer form; the reviewer's correction answers the question.
    running_bot.signer.block_action(
        "answer_correct", "1", user_id=REVIEWER, channel_id=CLIENT_CHANNEL
    )
    [form] = running_bot.slack.wait_for("views.open")
    assert "30 days" in json.dumps(form.args)
    running_bot.signer.view_submission(
        "answer_correction_modal",
        {"answer_text_block": {"answer_text_input": "Invoices are due after 14 days."}},
        user_id=REVIEWER,
        private_metadata=json.dumps({"question_id": 1}),
    )
    [told] = running_bot.slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.args.get("channel") == TEAM_CHANNEL
    )
    assert "14 days" in json.dumps(told.args)
    texts = [d.text for d in decisions(running_bot)]
    assert "Invoices are due after 14 days." in texts
