"""The Home tab end to end: what a reviewer and a developer see, deciding on a story from it,
privacy of private-channel decisions, and the export and digest-preview commands."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.domain.stories import StoryView
from tests.harness.app_server import (
    CLIENT_CHANNEL,
    DEVELOPER,
    PRIVATE_CHANNEL,
    REVIEWER,
    TEAM_CHANNEL,
    RunningBot,
    private_channels,
)
from tests.harness.fake_slack import SlackCall
from tests.story_e2e import batch, cards, final_batch_update, story

NOTES = (
    "The accountant wants to create a credit note for a sent invoice.\n"
    "Customers want to see the payment status of each invoice in the portal."
)
MEMBERS = {
    TEAM_CHANNEL: [DEVELOPER, REVIEWER],
    CLIENT_CHANNEL: [REVIEWER],
    PRIVATE_CHANNEL: [REVIEWER],
}


def members(args: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True, "members": MEMBERS.get(str(args.get("channel")), [])}


@pytest.fixture
def drafted(running_bot: RunningBot) -> Iterator[list[StoryView]]:
    running_bot.openai.queue_json(
        batch(
            story(
                "Credit a sent invoice",
                "to create a credit note for a sent invoice",
                ["create a credit note for a sent invoice"],
            ),
            story(
                "See payment status",
                "to see the payment status of each invoice",
                ["see the payment status of each invoice in the portal"],
                role="customer",
            ),
        )
    )
    running_bot.signer.command("/story", NOTES, channel_id=TEAM_CHANNEL)
    cards(running_bot, 2)
    final_batch_update(running_bot)
    running_bot.slack.reset()  # forgets handlers too: set them again
    private_channels(running_bot.slack, PRIVATE_CHANNEL)
    running_bot.slack.set_handler("conversations.members", members)
    yield list(running_bot.container.services.stories.batch(1).stories)


def home_of(bot: RunningBot, user: str, count: int = 1) -> str:
    """The blocks of the `count`-th Home tab published for `user`, as JSON text."""
    published = bot.slack.wait_for(
        "views.publish", count=count, predicate=lambda c: c.args.get("user_id") == user
    )
    view = published[count - 1].args["view"]
    assert view["type"] == "home"
    return json.dumps(view["blocks"])


def record_decision(bot: RunningBot, text: str, channel: str) -> None:
    def recorded(call: SlackCall) -> bool:
        return "recorded by" in str(call.args.get("text"))

    before = len([c for c in bot.slack.calls_to("chat.update") if recorded(c)])
    bot.signer.command("/decision", text, user_id=REVIEWER, channel_id=channel)
    bot.slack.wait_for("chat.update", count=before + 1, predicate=recorded, timeout=20)


def test_reviewer_home_lists_waiting_stories_and_approving_there_updates_card_and_home(
    running_bot: RunningBot, drafted: list[StoryView]
) -> None:
    first, second = drafted

    running_bot.signer.app_home_opened(REVIEWER)

    home = home_of(running_bot, REVIEWER)
    assert "Waiting for your review* (2)" in home
    assert "Credit a sent invoice" in home and "See payment status" in home
    assert f'"action_id": "story_approve", "value": "{first.id}"' in home
    assert "home_export_jira_csv" in home
    assert "team digest in <#C0TEAM>" in home and "client digest in <#C0CLIENT>" in home

    running_bot.signer.home_action("story_approve", str(first.id), user_id=REVIEWER)

    [card] = running_bot.slack.wait_for(
        "chat.update", predicate=lambda c: "Approved by" in json.dumps(c.args.get("blocks"))
    )
    assert card.args["channel"] == TEAM_CHANNEL
    refreshed = home_of(running_bot, REVIEWER, count=2)
    assert "Waiting for your review* (1)" in refreshed
    assert "Credit a sent invoice" not in refreshed and "See payment status" in refreshed
    assert running_bot.container.services.stories.story(first.id).status == "approved"
    assert running_bot.container.services.stories.story(second.id).status == "draft"


def test_developer_home_has_no_reviews_and_never_a_private_channel_decision(
    running_bot: RunningBot, drafted: list[StoryView]
) -> None:
    record_decision(running_bot, "Invoices are due 14 days after the invoice date.", TEAM_CHANNEL)
    record_decision(running_bot, "The Hansen account gets 60 days, do not share.", PRIVATE_CHANNEL)

    running_bot.signer.app_home_opened(DEVELOPER)
    home = home_of(running_bot, DEVELOPER)
    assert "Acme Invoicing" in home and "Globex" not in home  # only the projects they are in
    assert "14 days after the invoice date" in home
    assert "Hansen" not in home
    assert "Waiting for your review" not in home and "story_approve" not in home
    assert "home_export" not in home  # exporting is for reviewers

    running_bot.signer.app_home_opened(REVIEWER)  # a member of the private channel
    assert "Hansen" in home_of(running_bot, REVIEWER)


def test_reviewer_exports_jira_csv_as_a_downloadable_file(
    running_bot: RunningBot, drafted: list[StoryView]
) -> None:
    running_bot.signer.home_action("story_approve", str(drafted[0].id), user_id=REVIEWER)
    running_bot.wait_until_idle()

    response = running_bot.signer.command(
        "/apo", "export jira-csv", user_id=REVIEWER, channel_id=TEAM_CHANNEL
    )

    assert response.json()["response_type"] == "ephemeral"
    [done] = running_bot.slack.wait_for("files.completeUploadExternal")
    assert done.args["channel_id"] == "D0APO"  # the reviewer's own messages with the bot
    [file] = done.response["files"]
    assert file["name"] == "acme-backlog.csv"
    download = httpx.get(file["url_private_download"], timeout=10)
    rows = list(csv.reader(io.StringIO(download.text)))
    summary = rows[0].index("Summary")
    assert rows[1][summary] == "Credit a sent invoice"
    assert len(rows) == 2  # the undecided story is not in the backlog


def test_non_reviewer_export_and_digest_preview_are_refused_privately(
    running_bot: RunningBot, drafted: list[StoryView]
) -> None:
    for text in ("export jira-csv", "digest now"):
        response = running_bot.signer.command(
            "/apo", text, user_id=DEVELOPER, channel_id=TEAM_CHANNEL
        )
        body = response.json()
        assert body["response_type"] == "ephemeral" and "Only the reviewers" in body["text"]
    running_bot.assert_no_call("files.getUploadURLExternal")
    running_bot.slack.assert_no_call("chat.postEphemeral", within=0)


def test_reviewer_digest_preview_is_posted_privately(
    running_bot: RunningBot, drafted: list[StoryView]
) -> None:
    running_bot.signer.command("/apo", "digest now", user_id=REVIEWER, channel_id=TEAM_CHANNEL)

    [preview] = running_bot.slack.wait_for("chat.postEphemeral")
    assert preview.args["user"] == REVIEWER and preview.args["channel"] == TEAM_CHANNEL
    assert "Preview" in preview.args["text"]
    running_bot.slack.assert_no_call("chat.postMessage", within=0)


def test_an_escalated_question_reaches_the_reviewers_home_tab_at_once(
    running_bot: RunningBot, drafted: list[StoryView]
) -> None:
    running_bot.signer.app_mention(
        "Which currency do we use for the overdue list?",
        channel=TEAM_CHANNEL,
        ts="1700000600.000100",
        user=DEVELOPER,
    )

    home = home_of(running_bot, REVIEWER)  # published without the reviewer opening it
    assert "Questions for you* (1)" in home
    assert "Which currency do we use for the overdue list?" in home
    assert '"action_id": "question_answer", "value": "1"' in home
