"""Reviewing drafted stories in Slack: Approve, Edit and Reject, who may, and the audit trail."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from bot.domain.stories import StoryView
from bot.storage.reviews import list_review_events
from bot.storage.stories import get_story
from tests.harness.app_server import DEVELOPER, REVIEWER, TEAM_CHANNEL, RunningBot
from tests.story_e2e import batch, cards, final_batch_update, story

NOTES = (
    "The accountant wants to create a credit note for a sent invoice.\n"
    "Customers want to see the payment status of each invoice in the portal."
)


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
    running_bot.slack.reset()
    yield list(running_bot.container.services.stories.batch(1).stories)


def events(bot: RunningBot, story_id: int) -> list[tuple[str, str]]:
    with bot.container.db.session() as session:
        return [(str(e.action), e.actor_id) for e in list_review_events(story_id, session=session)]


def card_update(bot: RunningBot, story_id: int) -> dict[str, object]:
    with bot.container.db.session() as session:
        card_ts = get_story(story_id, session=session).card_ts
    assert card_ts is not None
    [update] = bot.slack.wait_for("chat.update", predicate=lambda c: c.args["ts"] == card_ts)
    return update.args


def test_reviewer_approves_and_the_card_and_summary_update(
    running_bot: RunningBot, drafted: list[StoryView]
) -> None:
    first = drafted[0]

    response = running_bot.signer.block_action(
        "story_approve", str(first.id), user_id=REVIEWER, channel_id=TEAM_CHANNEL
    )

    assert response.status_code == 200
    card = card_update(running_bot, first.id)
    assert "Approved by <@U0APO>" in str(card["blocks"])
    assert "story_approve" not in str(card["blocks"])  # decided: no more buttons
    summary = final_batch_update(running_bot)
    assert "1 approved" in summary.args["text"] and "1 waiting" in summary.args["text"]
    assert events(running_bot, first.id) == [("created", "U_DEV"), ("approved", REVIEWER)]
    hits = running_bot.container.knowledge().search("credit note", where={"project": "acme"})
    assert hits and hits[0].id == f"story:{first.id}"  # approved stories become knowledge


def test_non_reviewer_is_refused_privately(
    running_bot: RunningBot, drafted: list[StoryView]
) -> None:
    url = running_bot.slack.response_url("refusal")

    running_bot.signer.block_action(
        "story_approve",
        str(drafted[0].id),
        user_id=DEVELOPER,
        channel_id=TEAM_CHANNEL,
        response_url=url,
    )

    [reply] = running_bot.slack.wait_for("response_url:refusal")
    assert reply.args["response_type"] == "ephemeral"
    assert "Only the reviewers" in reply.args["text"]
    assert running_bot.container.services.stories.story(drafted[0].id).status == "draft"
    running_bot.slack.assert_no_call("chat.update")


def test_second_decision_is_refused_politely(
    running_bot: RunningBot, drafted: list[StoryView]
) -> None:
    story_id = str(drafted[0].id)
    running_bot.signer.block_action(
        "story_approve", story_id, user_id=REVIEWER, channel_id=TEAM_CHANNEL
    )
    card_update(running_bot, drafted[0].id)
    url = running_bot.slack.response_url("again")

    running_bot.signer.block_action(
        "story_approve", story_id, user_id="U0PO", channel_id=TEAM_CHANNEL, response_url=url
    )

    [reply] = running_bot.slack.wait_for("response_url:again")
    assert "already approved by <@U0APO>" in reply.args["text"]


def test_edit_round_trips_through_the_modal(
    running_bot: RunningBot, drafted: list[StoryView]
) -> None:
    target = drafted[0]
    running_bot.signer.block_action(
        "story_edit", str(target.id), user_id=REVIEWER, channel_id=TEAM_CHANNEL, trigger_id="T.9.e"
    )
    [opened] = running_bot.slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "story_edit_modal"

    def values(criteria: str) -> dict[str, dict[str, str]]:
        return {
            "edit_title_block": {"edit_title_input": "Credit part of an invoice"},
            "edit_role_block": {"edit_role_input": "accountant"},
            "edit_goal_block": {"edit_goal_input": "to credit selected lines of a sent invoice"},
            "edit_benefit_block": {"edit_benefit_input": "wrong lines are corrected"},
            "edit_criteria_block": {"edit_criteria_input": criteria},
        }

    bad = running_bot.signer.view_submission(
        "story_edit_modal",
        values("Given a sent invoice\nThen nothing"),
        user_id=REVIEWER,
        private_metadata=view["private_metadata"],
    )
    assert bad.json()["response_action"] == "errors"
    assert "edit_criteria_block" in bad.json()["errors"]

    good = running_bot.signer.view_submission(
        "story_edit_modal",
        values(
            "Given a sent invoice with 3 lines\n"
            "When I credit line 2\n"
            "Then a credit note for line 2 is created"
        ),
        user_id=REVIEWER,
        private_metadata=view["private_metadata"],
    )
    assert good.status_code == 200 and not good.content
    card = card_update(running_bot, target.id)
    assert "Credit part of an invoice" in card["text"]
    edited = running_bot.container.services.stories.story(target.id)
    assert edited.criteria[0].when == "I credit line 2"
    assert events(running_bot, target.id)[-1] == ("edited", REVIEWER)


def test_reject_asks_for_a_reason_and_records_it(
    running_bot: RunningBot, drafted: list[StoryView]
) -> None:
    target = drafted[1]
    running_bot.signer.block_action(
        "story_reject", str(target.id), user_id=REVIEWER, channel_id=TEAM_CHANNEL
    )
    [opened] = running_bot.slack.wait_for("views.open")

    running_bot.signer.view_submission(
        "story_reject_modal",
        {"reject_reason_block": {"reject_reason_input": "Portal is out of scope <!channel>"}},
        user_id=REVIEWER,
        private_metadata=opened.args["view"]["private_metadata"],
    )

    card = card_update(running_bot, target.id)
    assert "Rejected by <@U0APO>" in str(card["blocks"])
    assert "&lt;!channel&gt;" in str(card["blocks"]) and "<!channel>" not in str(card["blocks"])
    rejected = running_bot.container.services.stories.story(target.id)
    assert (
        rejected.status == "rejected"
        and rejected.reject_reason == "Portal is out of scope <!channel>"
    )


def test_non_reviewer_cannot_open_edit(running_bot: RunningBot, drafted: list[StoryView]) -> None:
    url = running_bot.slack.response_url("edit-refused")

    running_bot.signer.block_action(
        "story_edit",
        str(drafted[0].id),
        user_id=DEVELOPER,
        channel_id=TEAM_CHANNEL,
        response_url=url,
    )

    running_bot.slack.wait_for("response_url:edit-refused")
    running_bot.slack.assert_no_call("views.open")


def test_export_of_the_approved_backlog(running_bot: RunningBot, drafted: list[StoryView]) -> None:
    running_bot.signer.block_action(
        "story_approve", str(drafted[0].id), user_id=REVIEWER, channel_id=TEAM_CHANNEL
    )
    card_update(running_bot, drafted[0].id)
    settings = running_bot.container.settings
    env = {
        "DATABASE_URL": settings.database_url,
        "APO_CONFIG": settings.config_path,
        "CHROMA_PATH": settings.chroma_path,
        "PATH": "/usr/bin:/bin",
    }

    outputs = {}
    for fmt in ("markdown", "jira-csv", "gherkin"):
        result = subprocess.run(
            [sys.executable, "-m", "bot", "export", "--project", "acme", "--format", fmt],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        outputs[fmt] = result.stdout

    assert "Credit a sent invoice" in outputs["markdown"]
    assert "See payment status" not in outputs["markdown"]  # not approved
    assert outputs["jira-csv"].startswith("Issue ID,Summary,Issue Type,")
    assert "Approved by U0APO" in outputs["jira-csv"]  # no Slack token here: the member id
    assert "Scenario:" in outputs["gherkin"] and "When I open it" in outputs["gherkin"]

    # With the bot's token the approver is named as Slack shows them; what the jira-csv
    # export above wrote is left out of a --new-only export.
    env |= {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": settings.slack_api_url}
    export = [sys.executable, "-m", "bot", "export", "--project", "acme", "--format"]
    again = subprocess.run(
        [*export, "jira-csv", "--new-only"], env=env, capture_output=True, text=True, check=True
    )
    named = subprocess.run(
        [*export, "markdown"], env=env, capture_output=True, text=True, check=True
    )
    assert len(again.stdout.splitlines()) == 1  # the header only
    assert "Approved by User U0APO" in named.stdout
