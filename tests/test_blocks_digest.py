"""Block Kit for the team digest's client meeting: what still needs a decision, capped."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.tracker import IssueRef
from bot.services.digests.content import DigestContent, MeetingRef, StoryRef
from bot.slack.blocks.digest import digest_message
from tests.slack_limits import all_text, assert_no_live_mentions, assert_within_slack_limits
from tests.story_samples import HOSTILE

NOW = datetime(2025, 3, 4, 7, 0, tzinfo=UTC)


def content(questions: tuple[str, ...]) -> DigestContent:
    meeting = MeetingRef(
        note_id=1,
        title="Monday client meeting",
        meeting_date=date(2025, 3, 3),
        received_at=NOW,
        summary="The accountant wants credit notes.",
        batch=None,
        approved=(),
        waiting=(),
        questions_for_client=questions,
    )
    return DigestContent("acme", "Acme", "team", date(2025, 3, 4), NOW, NOW, meetings=(meeting,))


def test_the_meetings_open_questions_still_need_a_decision_five_then_a_count() -> None:
    questions = (HOSTILE, *(f"Question {n}: is VAT included?" for n in range(1, 8)))
    text, blocks = digest_message(content(questions), lambda channel, ts: None)
    assert_within_slack_limits(blocks)
    assert_no_live_mentions(text, blocks)
    body = all_text(blocks)
    assert "*Still needs a decision:*" in body
    assert "Question 4:" in body and "Question 5:" not in body
    assert "…and 3 more open questions" in body


def test_a_short_list_has_no_count() -> None:
    _, blocks = digest_message(content(("Is VAT included?",)), lambda channel, ts: None)
    body = all_text(blocks)
    assert "Is VAT included?" in body and "more open questions" not in body


def test_stories_ready_for_planning_show_their_jira_key() -> None:
    filed = StoryRef(
        7, "Credit a sent invoice", "approved", "U0APO", None,
        issue=IssueRef("ACME-12", "https://acme.atlassian.net/browse/ACME-12"),
    )  # fmt: skip
    not_yet = StoryRef(8, "Email the credit note", "approved", "U0APO", None)
    meeting = MeetingRef(
        note_id=1,
        title="Monday client meeting",
        meeting_date=date(2025, 3, 3),
        received_at=NOW,
        summary="",
        batch=None,
        approved=(filed, not_yet),
        waiting=(),
        questions_for_client=(),
    )
    digest = DigestContent("acme", "Acme", "team", date(2025, 3, 4), NOW, NOW, meetings=(meeting,))

    _, blocks = digest_message(digest, lambda channel, ts: None)

    body = all_text(blocks)
    assert "#7 Credit a sent invoice (<https://acme.atlassian.net/browse/ACME-12|ACME-12>)" in body
    assert "#8 Email the credit note" in body and body.count("ACME-") == 2  # url and key
