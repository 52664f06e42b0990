"""Block Kit for story drafting and review messages: Slack's limits, escaping, cut text.

Pure tests: the builders are plain functions, so no Slack, network or database is needed. A
message Slack rejects is a review that never reaches the reviewer, so every surface is run through
the limit checker, including absurdly large stories.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.domain.stories import Criterion, FindingView
from bot.slack.blocks import ids
from bot.slack.blocks.stories import batch_message, drafting_message, failure_message
from bot.slack.blocks.story_card import findings_message, story_card
from bot.slack.blocks.story_modals import full_story_modal, reject_modal
from tests.slack_limits import (
    action_elements,
    all_text,
    assert_modal_within_limits,
    assert_no_live_mentions,
    assert_within_slack_limits,
)
from tests.story_samples import HOSTILE, NORWEGIAN_QUOTES, huge_story, make_batch, make_story


def test_the_checker_itself_catches_each_kind_of_overflow() -> None:
    """The checker guards every other test here, so it must be able to fail."""
    good = {"type": "section", "text": {"type": "mrkdwn", "text": "ok"}}
    assert_within_slack_limits([good])
    too_long = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    wide_button = {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "b" * 76},
                "action_id": "a",
                "value": "1",
            }
        ],
    }
    crowded = {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}
    for bad in ([too_long], [good] * 51, [wide_button], [crowded]):
        with pytest.raises(AssertionError):
            assert_within_slack_limits(bad)
    with pytest.raises(AssertionError):
        assert_modal_within_limits(
            {"type": "modal", "callback_id": "c", "title": {"text": "t" * 25}, "blocks": [good]}
        )


# --- cards ------------------------------------------------------------------------------------


def test_a_draft_card_shows_the_story_and_offers_approve_edit_reject() -> None:
    text, blocks = story_card(make_story())
    assert_within_slack_limits(blocks)
    buttons = {e["action_id"]: e for e in action_elements(blocks)}
    assert set(buttons) == {ids.STORY_APPROVE, ids.STORY_EDIT, ids.STORY_REJECT}
    assert buttons[ids.STORY_APPROVE]["style"] == "primary"
    assert buttons[ids.STORY_REJECT]["style"] == "danger"
    assert all(b["value"] == "17" for b in buttons.values())
    body = all_text(blocks)
    assert "As a *clinic receptionist*, I want to see all of today" in body
    assert "*1.* *Given* the receptionist is logged in" in body
    assert f">{NORWEGIAN_QUOTES[0]}" in body  # block quote, æøå intact
    assert body.index(":red_circle:") < body.index(":large_orange_circle:")  # errors first
    assert "Should cancelled appointments" in body and "Log in with BankID" in body
    assert blocks[0]["text"]["text"].startswith("2. See today")
    assert "See today" in text


def test_a_huge_story_still_fits_and_offers_the_whole_story() -> None:
    _, blocks = story_card(huge_story())
    assert_within_slack_limits(blocks)
    buttons = {e["action_id"]: e for e in action_elements(blocks)}
    assert buttons[ids.STORY_VIEW_FULL]["value"] == "17"
    assert ids.STORY_APPROVE in buttons
    body = all_text(blocks)
    assert "…and 22 more scenarios" in body
    assert "…and 15 more quotes" in body


def test_the_50_block_guard_holds_even_if_the_item_caps_are_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The caps keep a card near 20 blocks; the guard is what keeps Slack from refusing it if a
    cap is ever raised, so it is tested on its own."""
    from bot.slack.blocks import story_card as card_module

    monkeypatch.setattr(card_module, "MAX_SCENARIOS", 500)
    long_clause = "the reviewer reads a very long precondition " * 20  # ~900 chars
    criteria = tuple(Criterion(long_clause, long_clause, long_clause) for _ in range(80))
    _, blocks = story_card(make_story(criteria=criteria))
    assert_within_slack_limits(blocks)
    actions = [e["action_id"] for e in action_elements(blocks)]
    assert actions[0] == ids.STORY_APPROVE and ids.STORY_VIEW_FULL in actions


def test_a_short_story_has_no_view_whole_story_button() -> None:
    _, blocks = story_card(make_story())
    assert ids.STORY_VIEW_FULL not in {e["action_id"] for e in action_elements(blocks)}


def test_an_approved_card_shows_who_and_when_and_may_still_be_edited_or_rejected() -> None:
    when = datetime(2025, 3, 4, 8, 30, tzinfo=UTC)
    _, blocks = story_card(make_story(status="approved", decided_by="UREVIEW", decided_at=when))
    assert_within_slack_limits(blocks)
    assert [e["action_id"] for e in action_elements(blocks)] == [ids.STORY_EDIT, ids.STORY_REJECT]
    body = all_text(blocks)
    assert f"Approved by <@UREVIEW> <!date^{int(when.timestamp())}^" in body
    assert "|2025-03-04 08:30 UTC>" in body


def test_a_decided_long_story_keeps_its_buttons_and_the_view_button() -> None:
    _, blocks = story_card(huge_story(status="approved", decided_by="U9"))
    assert_within_slack_limits(blocks)
    assert [e["action_id"] for e in action_elements(blocks)] == [
        ids.STORY_EDIT,
        ids.STORY_REJECT,
        ids.STORY_VIEW_FULL,
    ]
    _, rejected = story_card(huge_story(status="rejected", decided_by="U9"))
    assert [e["action_id"] for e in action_elements(rejected)] == [ids.STORY_VIEW_FULL]


def test_a_rejected_card_shows_the_escaped_reason() -> None:
    story = make_story(
        status="rejected", decided_by="UREVIEW", reject_reason=f"Duplicate. {HOSTILE}"
    )
    _, blocks = story_card(story)
    assert_within_slack_limits(blocks)
    body = all_text(blocks)
    assert ":x: Rejected by <@UREVIEW>" in body
    assert "Reason: Duplicate. Ping &lt;!channel&gt;" in body
    assert_no_live_mentions(blocks)


def test_a_decider_that_is_not_a_slack_id_is_not_made_a_mention() -> None:
    _, blocks = story_card(make_story(status="approved", decided_by="<@U123>"))
    assert_no_live_mentions(blocks)


def test_an_unsupported_story_is_flagged_before_anything_else() -> None:
    story = make_story(
        unsupported=True, verified_quotes=(), missing_quotes=("Kunden vil ha mørk modus.",)
    )
    _, blocks = story_card(story)
    assert_within_slack_limits(blocks)
    assert ":warning: *Unsupported*" in blocks[1]["text"]["text"]
    assert "Kunden vil ha mørk modus." in all_text(blocks)


def test_user_text_everywhere_on_a_card_is_escaped() -> None:
    story = make_story(
        title=f"Title {HOSTILE}",
        role=f"role {HOSTILE}",
        goal=f"goal {HOSTILE}",
        benefit=f"benefit {HOSTILE}",
        criteria=(Criterion(HOSTILE, HOSTILE, HOSTILE),),
        verified_quotes=(HOSTILE,),
        missing_quotes=(HOSTILE,),
        open_questions=(HOSTILE,),
        dependencies=(HOSTILE,),
        findings=(FindingView(HOSTILE, "error", HOSTILE),),
        duplicate_note=HOSTILE,
    )
    text, blocks = story_card(story)
    assert_no_live_mentions(text, blocks, full_story_modal(story), reject_modal(story))
    assert "&lt;@U123&gt;" in all_text(blocks)


def test_a_batch_with_40_questions_shows_ten_and_counts_the_rest() -> None:
    text, blocks = batch_message(make_batch())
    assert_within_slack_limits(blocks)
    body = all_text(blocks)
    assert "3 drafted · 1 approved · 1 rejected · 1 waiting" in body
    assert "Spørsmål 9:" in body and "Spørsmål 10:" not in body
    assert "…and 30 more" in body
    assert "Betaling i appen" in body and "eksport til Excel" in body
    assert "Monday 3 March 2025" in body and "<@UAUTHOR>" in body
    assert "3 drafted" in text


def test_a_batch_without_stories_says_so() -> None:
    _, blocks = batch_message(make_batch(stories=(), open_questions=()))
    assert_within_slack_limits(blocks)
    assert "found no user stories" in all_text(blocks)


def test_batch_text_and_drafting_note_title_are_escaped_but_the_author_is_mentioned() -> None:
    batch = make_batch(title=HOSTILE, open_questions=(HOSTILE,), out_of_scope=(HOSTILE,))
    drafting = drafting_message("Acme", "UAUTHOR", HOSTILE, "Drafting part 2 of 3…")
    assert_within_slack_limits(drafting[1])
    assert_no_live_mentions(batch_message(batch), drafting, *map(story_card, batch.stories))
    assert "<@UAUTHOR>'s notes for *Acme*" in all_text(drafting[1])
    assert "Drafting part 2 of 3…" in all_text(drafting[1])


def test_failure_message_offers_retry_of_the_saved_notes() -> None:
    text, blocks = failure_message("Acme", "The language model did not answer in time.", 42)
    assert_within_slack_limits(blocks)
    (retry,) = action_elements(blocks)
    assert (retry["action_id"], retry["value"]) == (ids.NOTES_RETRY, "42")
    assert "Your notes are saved." in all_text(blocks) and "did not answer in time" in all_text(
        blocks
    )
    assert "saved" in text


def test_cards_are_numbered_in_batch_order() -> None:
    cards = [story_card(story) for story in make_batch().stories]
    assert [blocks[0]["text"]["text"][:2] for _, blocks in cards] == ["1.", "2.", "3."]


# --- findings on a card -------------------------------------------------------------------------

SEVEN_FINDINGS = (
    FindingView("minimal", "info", "Drop the remark in brackets"),
    FindingView("unambiguous", "warning", "Replace “fast” with a number"),
    FindingView("grounded", "error", "Quote a sentence of the notes"),
    FindingView("criteria", "warning", "Say what the user sees in scenario 2"),
    FindingView("unique", "error", "Merge with story 1"),
    FindingView("atomic", "warning", "Split off the monthly report"),
    FindingView("estimatable", "info", "Break the story down"),
)


def _accessories(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b["accessory"] for b in blocks if "accessory" in b]


def test_a_card_shows_the_three_most_severe_findings_and_a_button_for_the_rest() -> None:
    _, blocks = story_card(make_story(findings=SEVEN_FINDINGS))
    assert_within_slack_limits(blocks)
    body = all_text(blocks)
    shown = sorted((f.message for f in SEVEN_FINDINGS if f.message in body), key=body.index)
    # errors first (grounding before duplicates), then the first warning in check order
    assert shown == [
        "Quote a sentence of the notes",
        "Merge with story 1",
        "Say what the user sees in scenario 2",
    ]
    [more] = _accessories(blocks)
    assert (more["action_id"], more["value"], more["text"]["text"]) == (
        ids.STORY_FINDINGS,
        "17",
        "4 more findings",
    )
    assert ids.STORY_VIEW_FULL not in {e["action_id"] for e in action_elements(blocks)}


@pytest.mark.parametrize("count", [0, 1, 3])
def test_three_findings_or_fewer_need_no_button(count: int) -> None:
    _, blocks = story_card(make_story(findings=SEVEN_FINDINGS[:count]))
    assert_within_slack_limits(blocks)
    assert _accessories(blocks) == []
    assert ("*Quality checks*" in all_text(blocks)) == (count > 0)


def test_a_decided_card_keeps_the_findings_button() -> None:
    story = make_story(findings=SEVEN_FINDINGS, status="approved", decided_by="U1")
    _, blocks = story_card(story)
    assert [a["action_id"] for a in _accessories(blocks)] == [ids.STORY_FINDINGS]


def test_the_full_findings_list_ranks_all_of_them_and_escapes_them() -> None:
    findings = (*SEVEN_FINDINGS, FindingView(HOSTILE, "warning", f"Avoid {HOSTILE}"))
    text, blocks = findings_message(make_story(findings=findings))
    assert_within_slack_limits(blocks)
    assert_no_live_mentions(text, blocks)
    body = all_text(blocks)
    assert all(f.message.split(" <")[0] in body for f in findings)
    order = sorted((f.message for f in SEVEN_FINDINGS), key=body.index)
    assert order[:2] == ["Quote a sentence of the notes", "Merge with story 1"]
    assert order[-2:] == ["Drop the remark in brackets", "Break the story down"]
    assert "(8)" in body and "See today" in text


def test_the_whole_story_lists_every_finding_most_severe_first() -> None:
    view = full_story_modal(make_story(findings=SEVEN_FINDINGS))
    body = all_text(view["blocks"])
    order = sorted((f.message for f in SEVEN_FINDINGS), key=body.index)
    assert order[0] == "Quote a sentence of the notes" and order[-1] == "Break the story down"


def test_hostile_findings_on_a_card_are_escaped() -> None:
    hostile = tuple(FindingView(HOSTILE, "error", HOSTILE) for _ in range(5))
    text, blocks = story_card(make_story(findings=hostile))
    assert_no_live_mentions(text, blocks)
    assert_within_slack_limits(blocks)


# --- batch summary lists ------------------------------------------------------------------------


def test_the_summary_keeps_needs_and_open_questions_apart_and_caps_both() -> None:
    needs = tuple(f"Behov {n}: eksport til Excel" for n in range(14))
    questions = tuple(f"Question {n}: which invoices count?" for n in range(12))
    _, blocks = batch_message(make_batch(uncovered_needs=needs, open_questions=questions))
    assert_within_slack_limits(blocks)
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    [needs_block] = [t for t in texts if "*Needs no story covers*" in t]
    [questions_block] = [t for t in texts if "*Open questions for the client*" in t]
    assert "Behov 9:" in needs_block and "Behov 10:" not in needs_block
    assert "…and 4 more" in needs_block and "Question" not in needs_block
    assert "Question 9:" in questions_block and "…and 2 more" in questions_block
    assert "Behov" not in questions_block


def test_the_summary_shows_only_the_lists_that_have_items() -> None:
    _, blocks = batch_message(make_batch(uncovered_needs=(), open_questions=("Is VAT included?",)))
    body = all_text(blocks)
    assert "Needs no story covers" not in body and "Open questions for the client" in body
