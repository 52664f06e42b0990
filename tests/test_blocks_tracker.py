"""The story card's issue in the tracker: key and link, a failure with what to fix and Retry,
and for a story rejected after filing, the offer to close its issue."""

from __future__ import annotations

from bot.domain.tracker import IssueRef, TrackedIssue
from bot.slack.blocks import ids
from bot.slack.blocks.stories import batch_message
from bot.slack.blocks.story_card import story_card
from tests.slack_limits import action_elements, all_text, assert_within_slack_limits
from tests.story_samples import huge_story, make_batch, make_story

ISSUE = IssueRef("ACME-7", "https://acme.atlassian.net/browse/ACME-7")


def test_a_filed_story_links_its_issue() -> None:
    _, blocks = story_card(make_story(status="approved", tracked=TrackedIssue(issue=ISSUE)))
    assert "Filed as <https://acme.atlassian.net/browse/ACME-7|ACME-7>" in all_text(blocks)
    assert ids.STORY_PUSH_RETRY not in str(blocks)


def test_a_failed_push_says_what_to_fix_with_a_retry_keyed_by_the_failure() -> None:
    problem = "Jira refused the account (401) <!channel>. Check JIRA_EMAIL and JIRA_API_TOKEN."
    story = make_story(status="approved", tracked=TrackedIssue(problem=problem, failures=2))

    _, blocks = story_card(story)

    text = all_text(blocks)
    assert "Not in the tracker yet" in text and "Check JIRA_EMAIL and JIRA_API_TOKEN" in text
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    [retry] = [e for e in action_elements(blocks) if e["action_id"] == ids.STORY_PUSH_RETRY]
    assert retry["value"] == f"{story.id}:2"


def test_a_key_that_is_not_a_key_is_never_a_link() -> None:
    odd = IssueRef("<!here>", "javascript:alert(1)")
    _, blocks = story_card(make_story(status="approved", tracked=TrackedIssue(issue=odd)))
    assert "<!here>" not in str(blocks) and "javascript" not in str(blocks)


def test_rejected_after_filing_offers_to_close_then_says_it_is_closed() -> None:
    offered = make_story(status="rejected", decided_by="U1", tracked=TrackedIssue(issue=ISSUE))
    _, blocks = story_card(offered)
    assert "Close that issue too?" in all_text(blocks)
    [close] = [e for e in action_elements(blocks) if e["action_id"] == ids.STORY_CLOSE_ISSUE]
    assert close["text"]["text"] == "Close ACME-7"

    closed = make_story(
        status="rejected", decided_by="U1", tracked=TrackedIssue(issue=ISSUE, closed=True)
    )
    _, blocks = story_card(closed)
    assert "is closed" in all_text(blocks) and ids.STORY_CLOSE_ISSUE not in str(blocks)


def test_a_long_story_with_a_problem_stays_within_slack_limits() -> None:
    story = huge_story(
        status="approved", decided_by="U9", tracked=TrackedIssue(problem="x " * 2000, failures=1)
    )
    _, blocks = story_card(story)
    assert_within_slack_limits(blocks)
    assert ids.STORY_PUSH_RETRY in str(blocks) and ids.STORY_VIEW_FULL in str(blocks)


def test_button_mode_offers_to_send_what_is_approved_and_not_filed() -> None:
    approved = make_story(status="approved")
    filed = make_story(id=2, status="approved", tracked=TrackedIssue(issue=ISSUE))
    batch = make_batch(stories=(approved, filed), offer_push="Jira")

    _, blocks = batch_message(batch)

    [send] = action_elements(blocks)
    assert send["action_id"] == ids.BATCH_PUSH and send["text"]["text"] == (
        "Send 1 approved story to Jira"
    )
    _, none_left = batch_message(make_batch(stories=(filed,), offer_push="Jira"))
    assert action_elements(none_left) == []
