"""Approved stories reach Jira, end to end: the real bot over HTTP, its worker, and the real
`JiraTracker` against a fake Jira Cloud REST API on loopback.

Acceptance (issue 16): two stories, the second depending on the first → two issues under the
epic, a "Blocks" link, keys on both cards; approving again and clicking twice → still two;
Jira answering 500 (after making the issue) then 201 → one issue, the key on the card after
the retry; 401 → the card names the setting to fix, with Retry.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.storage.stories import get_story
from tests.fixtures_db import copy_migrated_sqlite
from tests.harness.app_server import (
    PROJECTS_YAML,
    REVIEWER,
    TEAM_CHANNEL,
    RunningBot,
    bot_settings,
    start_bot,
)
from tests.harness.fake_jira import EMAIL, EPIC, POINTS_FIELD, TOKEN, FakeJira
from tests.harness.fake_openai import FakeOpenAI
from tests.harness.fake_slack import FakeSlack, SlackCall
from tests.story_e2e import batch, cards, final_batch_update, story

NOTES = (
    "The accountant wants to create a credit note for a sent invoice.\n"
    "Then the accountant wants to email the credit note to the customer."
)


def jira_yaml(site: str, push: str = "on_approval") -> str:
    """The harness's projects file with a `jira:` block for acme."""
    block = (
        "    jira:\n"
        f"      site: {site}\n"
        "      project: ACME\n"
        "      issue_type: Story\n"
        f"      parent: {EPIC}\n"
        f"      story_points_field: {POINTS_FIELD}\n"
        f"      push: {push}\n"
    )
    marker = "  - key: globex\n"
    return PROJECTS_YAML.replace(marker, block + marker)


def drafted_pair() -> dict[str, Any]:
    first = story("Credit a sent invoice", "to create a credit note", ["create a credit note"])
    second = story("Email the credit note", "to email the credit note", ["email the credit note"])
    second["depends_on"] = ["Credit a sent invoice"]
    return batch(first, second)


def start(
    tmp_path: Path,
    slack: FakeSlack,
    openai: FakeOpenAI,
    jira: FakeJira,
    template: Path,
    push: str = "on_approval",
    yaml: str | None = None,
) -> RunningBot:
    (tmp_path / "apo.yaml").write_text(yaml or jira_yaml(jira.url, push), encoding="utf-8")
    settings = bot_settings(
        tmp_path, slack, openai, JIRA_EMAIL=EMAIL, JIRA_API_TOKEN=TOKEN, APO_JIRA_TIMEOUT=5
    )
    copy_migrated_sqlite(template, settings.database_url)
    return start_bot(settings, slack, openai)


@pytest.fixture
def jira_bot(
    tmp_path: Path,
    fake_slack: FakeSlack,
    fake_openai: FakeOpenAI,
    fake_jira: FakeJira,
    migrated_sqlite_template: Path,
) -> Iterator[RunningBot]:
    bot = start(tmp_path, fake_slack, fake_openai, fake_jira, migrated_sqlite_template)
    try:
        yield bot
    finally:
        bot.stop()


def draft_two(bot: RunningBot) -> list[int]:
    bot.openai.queue_json(drafted_pair())
    bot.signer.command("/story", NOTES, channel_id=TEAM_CHANNEL)
    cards(bot, 2)
    final_batch_update(bot)
    return [s.id for s in bot.container.services.stories.batch(1).stories]


def approve(bot: RunningBot, story_id: int) -> None:
    response = bot.signer.block_action(
        "story_approve", str(story_id), user_id=REVIEWER, channel_id=TEAM_CHANNEL
    )
    assert response.status_code == 200


def card_ts(bot: RunningBot, story_id: int) -> str:
    with bot.container.db.session() as session:
        ts = get_story(story_id, session=session).card_ts
    assert ts is not None
    return ts


def card_showing(bot: RunningBot, story_id: int, text: str, timeout: float = 30) -> SlackCall:
    """The latest redraw of the story's card that shows `text`."""
    ts = card_ts(bot, story_id)
    return bot.slack.wait_for(
        "chat.update",
        timeout=timeout,
        predicate=lambda c: c.args.get("ts") == ts and text in str(c.args.get("blocks")),
    )[-1]


def issue_key(bot: RunningBot, story_id: int) -> str:
    issue = bot.container.services.stories.story(story_id).tracked.issue
    assert issue is not None, f"story {story_id} has no issue"
    return issue.key


def test_two_approved_stories_become_two_linked_issues_under_the_epic(
    jira_bot: RunningBot, fake_jira: FakeJira
) -> None:
    first, second = draft_two(jira_bot)

    approve(jira_bot, second)  # the dependent one first: the link waits for its blocker
    approve(jira_bot, first)
    jira_bot.wait_until_idle()

    issues = fake_jira.stories()
    assert len(issues) == 2
    assert all(i.fields["parent"] == {"key": EPIC} for i in issues)
    assert {i.fields["summary"] for i in issues} == {
        "Credit a sent invoice",
        "Email the credit note",
    }
    first_key, second_key = issue_key(jira_bot, first), issue_key(jira_bot, second)
    blocked = fake_jira.issues[second_key]
    assert blocked.links == [
        {
            "type": {"name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
            "inwardIssue": {"key": first_key},
        }
    ]
    # Both cards show their key, as a link to the issue.
    for story_id, key in ((first, first_key), (second, second_key)):
        card = card_showing(jira_bot, story_id, key)
        assert f"{fake_jira.url}/browse/{key}|{key}" in str(card.args["blocks"])
    # The description names the approver and links back to the card.
    description = str(fake_jira.issues[first_key].fields["description"])
    assert "Approved by User U0APO" in description and "/archives/C0TEAM/p" in description


def test_approving_again_and_double_clicks_still_make_two_issues(
    jira_bot: RunningBot, fake_jira: FakeJira
) -> None:
    first, second = draft_two(jira_bot)

    for story_id in (first, first, second, second):  # each button clicked twice
        approve(jira_bot, story_id)
    jira_bot.wait_until_idle()
    for story_id in (first, second):  # and once more, later
        approve(jira_bot, story_id)
    jira_bot.wait_until_idle()

    assert len(fake_jira.stories()) == 2
    assert len(fake_jira.of("create")) == 2
    assert len(fake_jira.of("link")) == 1


def test_jira_answering_500_after_making_the_issue_then_201_gives_one_issue(
    jira_bot: RunningBot, fake_jira: FakeJira
) -> None:
    first, _ = draft_two(jira_bot)
    # The worst case: Jira made the issue, then answered 500; the bot cannot know it exists.
    fake_jira.fail_next("create", status=500, apply=True)

    approve(jira_bot, first)

    warning = card_showing(jira_bot, first, "Jira is having trouble")
    assert "story_push_retry" in str(warning.args["blocks"])  # Retry while it waits
    card = card_showing(jira_bot, first, "ACME-")  # the job's own retry found it
    jira_bot.wait_until_idle()
    [issue] = fake_jira.stories()
    assert issue.key in str(card.args["blocks"]) and "story_push_retry" not in str(
        card.args["blocks"]
    )
    assert [r.op for r in fake_jira.requests if r.op in ("create", "search")] == [
        "create",
        "search",
    ]


def test_jira_answering_500_then_201_creates_it_on_the_retry(
    jira_bot: RunningBot, fake_jira: FakeJira
) -> None:
    first, _ = draft_two(jira_bot)
    fake_jira.fail_next("create", status=500)

    approve(jira_bot, first)

    card = card_showing(jira_bot, first, "ACME-")
    jira_bot.wait_until_idle()
    [issue] = fake_jira.stories()
    assert issue.key in str(card.args["blocks"])
    assert [r.status for r in fake_jira.of("create")] == [500, 201]


def test_a_refused_token_shows_the_setting_to_fix_and_retry_files_it(
    jira_bot: RunningBot, fake_jira: FakeJira
) -> None:
    first, _ = draft_two(jira_bot)
    fake_jira.credentials = (EMAIL, "a-different-token")

    approve(jira_bot, first)

    card = card_showing(jira_bot, first, "401")
    blocks = str(card.args["blocks"])
    assert "Check JIRA_EMAIL and JIRA_API_TOKEN" in blocks
    assert f"'value': '{first}:1'" in blocks  # Retry, keyed by the failure it follows
    jira_bot.wait_until_idle()
    assert fake_jira.stories() == [] and len(fake_jira.of("create")) == 1  # not retried blindly

    fake_jira.credentials = (EMAIL, TOKEN)  # the token is fixed; a reviewer presses Retry
    for _ in range(2):
        jira_bot.signer.block_action(
            "story_push_retry", f"{first}:1", user_id=REVIEWER, channel_id=TEAM_CHANNEL
        )
    card_showing(jira_bot, first, "ACME-")
    jira_bot.wait_until_idle()
    assert len(fake_jira.stories()) == 1


def test_rate_limit_is_waited_out_as_retry_after_says(
    jira_bot: RunningBot, fake_jira: FakeJira
) -> None:
    first, _ = draft_two(jira_bot)
    fake_jira.fail_next("create", status=429, retry_after=1)

    approve(jira_bot, first)

    card_showing(jira_bot, first, "ACME-")
    limited, created = fake_jira.of("create")
    assert (limited.status, created.status) == (429, 201)
    assert created.at - limited.at >= 1.0


def test_rejecting_a_filed_story_offers_to_close_its_issue(
    jira_bot: RunningBot, fake_jira: FakeJira
) -> None:
    first, _ = draft_two(jira_bot)
    approve(jira_bot, first)
    card_showing(jira_bot, first, "ACME-")
    jira_bot.wait_until_idle()
    key = issue_key(jira_bot, first)
    # The approved card still has Reject; its form works as for a draft.
    jira_bot.signer.block_action(
        "story_reject", str(first), user_id=REVIEWER, channel_id=TEAM_CHANNEL
    )
    [opened] = jira_bot.slack.wait_for("views.open")
    jira_bot.signer.view_submission(
        "story_reject_modal",
        {"reject_reason_block": {"reject_reason_input": "The client dropped it"}},
        user_id=REVIEWER,
        private_metadata=opened.args["view"]["private_metadata"],
    )

    offer = card_showing(jira_bot, first, "Close that issue too?")
    assert f"Close {key}" in str(offer.args["blocks"])
    assert fake_jira.issues[key].status == "To Do"  # only when a reviewer says so
    jira_bot.signer.block_action(
        "story_close_issue", f"{first}:0", user_id=REVIEWER, channel_id=TEAM_CHANNEL
    )

    card = card_showing(jira_bot, first, "is closed")
    assert key in str(card.args["blocks"])
    assert fake_jira.issues[key].status == "Done"


def test_button_mode_files_the_batch_when_a_reviewer_presses_send(
    tmp_path: Path,
    fake_slack: FakeSlack,
    fake_openai: FakeOpenAI,
    fake_jira: FakeJira,
    migrated_sqlite_template: Path,
) -> None:
    bot = start(tmp_path, fake_slack, fake_openai, fake_jira, migrated_sqlite_template, "button")
    try:
        first, second = draft_two(bot)
        approve(bot, first)
        approve(bot, second)
        summary = bot.slack.wait_for(
            "chat.update", predicate=lambda c: "Send 2 approved stories to Jira" in str(c.args)
        )[-1]
        bot.wait_until_idle()
        assert fake_jira.stories() == [] and "batch_push" in str(summary.args["blocks"])

        for _ in range(2):  # a double click
            bot.signer.block_action("batch_push", "1", user_id=REVIEWER, channel_id=TEAM_CHANNEL)
        bot.wait_until_idle()

        assert len(fake_jira.stories()) == 2 and len(fake_jira.of("link")) == 1
        last = bot.slack.calls_to("chat.update")[-1]
        assert "batch_push" not in str(last.args["blocks"])  # nothing left to send
    finally:
        bot.stop()


def test_an_edit_after_filing_updates_the_issue_with_points_and_priority(
    jira_bot: RunningBot, fake_jira: FakeJira
) -> None:
    first, _ = draft_two(jira_bot)
    approve(jira_bot, first)
    card_showing(jira_bot, first, "ACME-")
    jira_bot.wait_until_idle()
    key = issue_key(jira_bot, first)
    fake_jira.issues[key].fields["labels"].append("sprint-12")  # the team's own label

    jira_bot.signer.block_action(
        "story_edit", str(first), user_id=REVIEWER, channel_id=TEAM_CHANNEL
    )
    [opened] = jira_bot.slack.wait_for("views.open")
    view = opened.args["view"]
    values = {
        b["block_id"]: {b["element"]["action_id"]: {"value": b["element"].get("initial_value")}}
        for b in view["blocks"]
        if b["type"] == "input"
    }
    values["edit_title_block"]["edit_title_input"]["value"] = "Credit part of a sent invoice"
    values["edit_points_block"]["edit_points_input"]["value"] = "5"
    values["edit_priority_block"]["edit_priority_input"]["value"] = "High"
    jira_bot.signer.view_submission(
        "story_edit_modal", values, user_id=REVIEWER, private_metadata=view["private_metadata"]
    )

    card_showing(jira_bot, first, "Credit part of a sent invoice")
    jira_bot.wait_until_idle()
    fields = fake_jira.issues[key].fields
    assert fields["summary"] == "Credit part of a sent invoice"
    assert (fields[POINTS_FIELD], fields["priority"]) == (5, {"name": "High"})
    assert "sprint-12" in fields["labels"] and f"apo-acme-story-{first}" in fields["labels"]
    assert len(fake_jira.stories()) == 1


@pytest.mark.parametrize(
    ("break_it", "says", "setting"),
    [
        ("403", "does not let the bot's account create issues in project ACME (403)",
         "the permissions of JIRA_EMAIL's account in Jira project ACME"),
        ("unknown parent", "parent: Could not find issue by id or key",
         "jira.parent in apo.yaml"),
        ("jira down", "cannot be reached", "jira.site in apo.yaml"),
    ],
)  # fmt: skip
def test_each_jira_failure_is_on_the_card_with_the_setting_and_retry(
    tmp_path: Path,
    fake_slack: FakeSlack,
    fake_openai: FakeOpenAI,
    fake_jira: FakeJira,
    migrated_sqlite_template: Path,
    break_it: str,
    says: str,
    setting: str,
) -> None:
    site = "http://127.0.0.1:9" if break_it == "jira down" else fake_jira.url  # discard port
    yaml = jira_yaml(site)
    if break_it == "unknown parent":
        yaml = yaml.replace(f"parent: {EPIC}", "parent: ACME-404")
    if break_it == "403":
        fake_jira.fail_next("create", status=403)
    bot = start(tmp_path, fake_slack, fake_openai, fake_jira, migrated_sqlite_template, yaml=yaml)
    try:
        first, _ = draft_two(bot)

        approve(bot, first)

        card = card_showing(bot, first, says)
        blocks = str(card.args["blocks"])
        assert f"Check {setting}." in blocks and "story_push_retry" in blocks
        assert bot.container.services.stories.story(first).status == "approved"  # kept
        assert fake_jira.stories() == []
    finally:
        bot.stop()
