"""/story end to end over HTTP: notes in, drafted and checked stories out as review cards."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlmodel import col, select

from bot.slack.text import escape
from bot.storage.models import MeetingNote
from tests.harness.app_server import DEVELOPER, REVIEWER, TEAM_CHANNEL, RunningBot
from tests.story_e2e import (
    NOTES_EN,
    NOTES_NO,
    batch,
    cards,
    everything_sent,
    final_batch_update,
    scripted,
    story,
)


def notes_in_db(bot: RunningBot) -> list[str]:
    with bot.container.db.session() as session:
        notes = session.exec(select(MeetingNote).where(col(MeetingNote.project) == "acme"))
        return [n.raw_text for n in notes]


@pytest.mark.bot_settings(APO_LLM_TIMEOUT=30)
def test_story_from_english_notes_posts_placeholder_then_cards(running_bot: RunningBot) -> None:
    answer = scripted("draft_en.json")
    running_bot.openai.queue_json(answer, delay=4)  # a slow model must not delay the ack

    started = time.monotonic()
    response = running_bot.signer.command("/story", NOTES_EN, channel_id=TEAM_CHANNEL)
    ack_seconds = time.monotonic() - started

    assert response.status_code == 200 and ack_seconds < 3
    assert notes_in_db(running_bot) == [NOTES_EN.strip()]  # saved before anything slow
    [placeholder] = running_bot.slack.wait_for("chat.postMessage")
    assert "Drafting" in placeholder.args["text"] and placeholder.args["channel"] == TEAM_CHANNEL

    posted = cards(running_bot, len(answer["stories"]))
    assert {c.args["thread_ts"] for c in posted} == {placeholder.response["ts"]}
    titles = [s["title"] for s in answer["stories"]]
    for card, title in zip(posted, titles, strict=True):
        assert title in card.args["text"]
        actions = [b for b in card.args["blocks"] if b["type"] == "actions"]
        buttons = {e["action_id"] for a in actions for e in a["elements"]}
        assert {"story_approve", "story_edit", "story_reject"} <= buttons
    summary = final_batch_update(running_bot)
    assert summary.args["ts"] == placeholder.response["ts"]
    assert f"{len(titles)} drafted" in summary.args["text"]

    prompt = running_bot.openai.last_request()["messages"]
    assert "# Definition of Ready" in prompt[0]["content"]  # knowledge/ guidelines come first
    assert NOTES_EN.strip() in prompt[1]["content"] and NOTES_EN.strip() not in prompt[0]["content"]


def test_norwegian_notes_keep_quotes_in_norwegian(running_bot: RunningBot) -> None:
    answer = scripted("draft_no.json")
    running_bot.openai.queue_json(answer)

    running_bot.signer.command("/story", NOTES_NO, channel_id=TEAM_CHANNEL)

    posted = cards(running_bot, len(answer["stories"]))
    final_batch_update(running_bot)
    note_id = running_bot.container.services.stories.batch(1).note_id
    views = running_bot.container.services.stories.batch(note_id).stories
    assert all(not v.unsupported for v in views), [v.missing_quotes for v in views]
    assert any("å" in q or "ø" in q or "æ" in q for v in views for q in v.verified_quotes)
    assert "Unsupported" not in " ".join(c.args["text"] for c in posted)


def test_quote_not_in_notes_is_flagged_unsupported(running_bot: RunningBot) -> None:
    notes = "The accountant needs to export invoices as PDF/A for the auditor."
    running_bot.openai.queue_json(
        batch(
            story("Export to PDF/A", "to export invoices as PDF/A", ["The CEO wants blockchain."])
        )
    )

    running_bot.signer.command("/story", notes, channel_id=TEAM_CHANNEL)

    [card] = cards(running_bot, 1)
    assert "Unsupported" in str(card.args["blocks"])
    assert running_bot.container.services.stories.story(1).unsupported


def test_near_identical_and_non_atomic_stories_are_flagged(running_bot: RunningBot) -> None:
    notes = (
        "The accountant wants to export the monthly report to PDF.\n"
        "Also the accountant must export the monthly report to PDF and email it to the client."
    )
    running_bot.openai.queue_json(
        batch(
            story(
                "Export report",
                "to export the monthly report to PDF",
                ["The accountant wants to export the monthly report to PDF."],
            ),
            story(
                "Export the report",
                "to export the monthly report to PDF",
                ["the accountant must export the monthly report to PDF"],
            ),
            story(
                "Export and email",
                "to export the report to PDF and email it to the client",
                ["export the monthly report to PDF and email it to the client"],
            ),
        )
    )

    running_bot.signer.command("/story", notes, channel_id=TEAM_CHANNEL)

    cards(running_bot, 3)
    final_batch_update(running_bot)
    views = running_bot.container.services.stories.batch(1).stories
    checks = [{f.check for f in v.findings} for v in views]
    assert "unique" in checks[0] | checks[1]
    assert "atomic" in checks[2]
    assert "atomic" not in checks[0]


@pytest.mark.parametrize(
    ("fault", "shown"),
    [
        ("timeout", "did not answer in time"),
        ("malformed", "not valid JSON"),
        ("truncated", "cut off"),
        ("rate_limited", "rate-limiting"),
    ],
)
@pytest.mark.bot_settings(APO_LLM_TIMEOUT=1, APO_LLM_MAX_RETRIES=1)
def test_model_failure_shows_what_happened_and_retry_drafts_the_saved_notes(
    running_bot: RunningBot, fault: str, shown: str
) -> None:
    fake = running_bot.openai
    for _ in range(2):
        if fault == "timeout":
            fake.queue_hang(2)
        elif fault == "malformed":
            fake.queue_text('{"stories": [{"title": ')
        elif fault == "truncated":
            fake.queue_text('{"stories": []', finish_reason="length")
        else:
            fake.queue_error(429, retry_after=0.1)
    notes = "The accountant wants to export the monthly report to PDF."

    running_bot.signer.command("/story", notes, channel_id=TEAM_CHANNEL)

    [failure] = running_bot.slack.wait_for(
        "chat.update", timeout=20, predicate=lambda c: "Retry" in str(c.args.get("blocks"))
    )
    assert shown in str(failure.args["blocks"])
    assert "saved" in str(failure.args["blocks"])
    assert notes_in_db(running_bot) == [notes]

    fake.queue_json(
        batch(
            story(
                "Export report",
                "to export the monthly report to PDF",
                ["The accountant wants to export the monthly report to PDF."],
            )
        )
    )
    running_bot.signer.block_action("notes_retry", "1", user_id=REVIEWER, channel_id=TEAM_CHANNEL)
    [card] = cards(running_bot, 1)
    assert "Export report" in card.args["text"]
    assert notes_in_db(running_bot) == [notes]


def test_retried_slash_command_drafts_once(running_bot: RunningBot) -> None:
    running_bot.openai.set_default_json(
        batch(story("Export report", "to export the report", ["export the monthly report"]))
    )
    notes = "The accountant wants to export the monthly report to PDF."

    for _ in range(3):
        running_bot.signer.command("/story", notes, channel_id=TEAM_CHANNEL, trigger_id="T.1.abc")

    cards(running_bot, 1)
    final_batch_update(running_bot)
    # A later request's answer: the repeats were handled before it (they post nothing).
    running_bot.signer.command("/story", "", channel_id=TEAM_CHANNEL, trigger_id="T.2.later")
    running_bot.slack.wait_for("views.open")
    assert len(notes_in_db(running_bot)) == 1
    assert running_bot.openai.request_count == 1
    placeholders = [
        c for c in running_bot.slack.calls_to("chat.postMessage") if "thread_ts" not in c.args
    ]
    assert len(placeholders) == 1


def test_mentions_in_notes_never_reach_slack_live(running_bot: RunningBot) -> None:
    notes = "<!channel> the accountant <@U0BOSS> wants to export invoices <!here> as PDF."
    running_bot.openai.queue_json(
        batch(
            story(
                "Export <!channel>", "to export invoices <@U0BOSS>", ["<!channel> the accountant"]
            )
        )
    )

    running_bot.signer.command("/story", notes, channel_id=TEAM_CHANNEL)

    cards(running_bot, 1)
    final_batch_update(running_bot)
    sent = everything_sent(running_bot)
    assert "<!channel>" not in sent and "<!here>" not in sent and "<@U0BOSS>" not in sent


@pytest.mark.parametrize(
    ("text", "expected"),
    [(":tada: :rocket: :+1:", "no words"), ("x" * 70_000, "limit is 60,000")],
)
def test_unusable_notes_get_a_clear_answer_and_no_model_call(
    running_bot: RunningBot, text: str, expected: str
) -> None:
    response = running_bot.signer.command("/story", text, channel_id=TEAM_CHANNEL)

    assert response.status_code == 200
    assert expected in response.json()["text"]
    assert running_bot.openai.request_count == 0


def test_story_in_unmapped_channel_explains(running_bot: RunningBot) -> None:
    response = running_bot.signer.command("/story", "Export invoices.", channel_id="C0ELSEWHERE")

    assert "not part of a project" in response.json()["text"]


def test_notes_with_no_requirement_say_so(running_bot: RunningBot) -> None:
    running_bot.openai.queue_json(batch())

    running_bot.signer.command(
        "/story", "We talked about the weather in Oslo.", channel_id=TEAM_CHANNEL
    )

    update = final_batch_update(running_bot)
    assert "0 drafted" in update.args["text"]


def test_story_alone_opens_the_notes_modal_and_submission_drafts(running_bot: RunningBot) -> None:
    running_bot.signer.command("/story", "", channel_id=TEAM_CHANNEL, trigger_id="T.2.xyz")

    [opened] = running_bot.slack.wait_for("views.open")
    assert opened.args["trigger_id"] == "T.2.xyz"
    view = opened.args["view"]
    assert view["callback_id"] == "story_notes_modal"

    blank = running_bot.signer.view_submission(
        "story_notes_modal",
        {"notes_block": {"notes_input": "   "}},
        user_id=REVIEWER,
        private_metadata=view["private_metadata"],
    )
    assert blank.json()["response_action"] == "errors"
    assert "notes_block" in blank.json()["errors"]

    running_bot.openai.queue_json(
        batch(story("Export report", "to export the report", ["export the monthly report"]))
    )
    ok = running_bot.signer.view_submission(
        "story_notes_modal",
        {
            "notes_block": {"notes_input": "The accountant wants to export the monthly report."},
            "project_block": {
                "project_input": {"type": "static_select", "selected_option": {"value": "acme"}}
            },
        },
        user_id=REVIEWER,
        private_metadata=view["private_metadata"],
    )
    assert ok.status_code == 200 and not ok.content
    [card] = cards(running_bot, 1)
    assert card.args["channel"] == TEAM_CHANNEL


def test_long_notes_are_drafted_in_parts_and_merged(tmp_path: object) -> None:
    from bot.llm.chunking import split_notes
    from bot.services.stories.draft_schema import DraftBatch
    from bot.services.stories.drafting import merge

    paragraphs = [f"Paragraph {i}: the accountant wants feature {i}." for i in range(40)]
    parts = split_notes("\n\n".join(paragraphs), 500)
    assert len(parts) > 1 and all(len(p) <= 500 for p in parts)
    assert all(p.startswith("Paragraph") for p in parts)  # cut on paragraph boundaries

    same = story("Export report", "to export the report", ["feature 1"])
    part = DraftBatch.model_validate(batch(same))
    assert len(merge([part, part]).stories) == 1  # the same story from two parts: kept once
    twice = DraftBatch.model_validate(batch(same, same))
    assert len(merge([twice]).stories) == 2  # look-alikes in one part: left for the checks


@pytest.mark.bot_settings(APO_NOTES_PART_CHARS=1500)
def test_long_notes_show_progress_per_part(running_bot: RunningBot) -> None:
    answer = scripted("draft_en.json")
    running_bot.openai.set_default_json(answer)  # every part answers the same batch

    running_bot.signer.command("/story", NOTES_EN, channel_id=TEAM_CHANNEL)

    final_batch_update(running_bot, timeout=30)
    parts = running_bot.openai.request_count
    assert parts >= 3
    progress = [c.args["text"] for c in running_bot.slack.calls_to("chat.update")]
    assert any(f"part 2 of {parts}" in text for text in progress), progress
    # the same stories from every part are merged, not posted once per part
    assert len(running_bot.container.services.stories.batch(1).stories) == len(answer["stories"])


def test_notes_form_outside_a_project_channel_is_only_for_reviewers(
    running_bot: RunningBot,
) -> None:
    refused = running_bot.signer.command("/story", "", channel_id="C0ELSEWHERE", user_id="U0DEV")
    assert "not part of a project" in refused.json()["text"]
    running_bot.slack.assert_no_call("views.open")

    running_bot.signer.command("/story", "", channel_id="C0ELSEWHERE", user_id=REVIEWER)
    [opened] = running_bot.slack.wait_for("views.open")
    assert "Globex" not in json.dumps(opened.args["view"])  # U0APO reviews only acme


def section_texts(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")


def test_a_card_shows_three_findings_and_the_rest_privately_on_request(
    running_bot: RunningBot,
) -> None:
    notes = "The accountant wants to create a credit note for a sent invoice."
    flawed = story(
        "Credit notes",
        "to create a credit note for a sent invoice quickly (e.g. from the invoice list)",
        ["create a credit note for a sent invoice"],
        role="user",
    )
    flawed["acceptance_criteria"] = [
        {"given": "I click Credit", "when": "I confirm and print it", "then": "I am happy"}
    ]
    running_bot.openai.queue_json(batch(flawed))
    running_bot.signer.command("/story", notes, channel_id=TEAM_CHANNEL)
    [card] = cards(running_bot, 1)
    final_batch_update(running_bot)
    findings = running_bot.container.services.stories.story(1).findings
    assert len(findings) > 3
    [more] = [b["accessory"] for b in card.args["blocks"] if "accessory" in b]
    assert more["text"]["text"] == f"{len(findings) - 3} more findings"
    on_card = section_texts(card.args["blocks"])
    assert sum(escape(f.message)[:60] in on_card for f in findings) == 3
    running_bot.slack.reset()
    url = running_bot.slack.response_url("findings")

    running_bot.signer.block_action(
        more["action_id"],
        more["value"],
        user_id=DEVELOPER,
        channel_id=TEAM_CHANNEL,
        response_url=url,
    )

    [reply] = running_bot.slack.wait_for("response_url:findings")
    assert reply.args["response_type"] == "ephemeral" and not reply.args["replace_original"]
    listed = section_texts(reply.args["blocks"])
    assert all(escape(f.message)[:60] in listed for f in findings)
    assert "Credit notes" in reply.args["text"]
    running_bot.slack.assert_no_call("chat.update")  # the card itself does not change
    running_bot.slack.assert_no_call("chat.postMessage")


def test_the_summary_lists_needs_no_story_covers_apart_from_open_questions(
    running_bot: RunningBot,
) -> None:
    notes = (
        "The accountant wants to create a credit note for a sent invoice.\n"
        "The warehouse team needs to print packing slips.\n"
        "Should credit notes be numbered in the invoice series?\n"
        "Whether refunds go back to the card is still undecided."
    )
    answer = batch(
        story(
            "Credit a sent invoice",
            "to create a credit note for a sent invoice",
            ["create a credit note for a sent invoice"],
        )
    )
    answer["questions_for_client"] = ["Should credit notes use the invoice number series?"]
    running_bot.openai.queue_json(answer)

    running_bot.signer.command("/story", notes, channel_id=TEAM_CHANNEL)

    cards(running_bot, 1)
    summary = section_texts(final_batch_update(running_bot).args["blocks"])
    needs = summary[summary.index("*Needs no story covers*") :]
    needs = needs[: needs.index("*Open questions for the client*")]
    questions = summary[summary.index("*Open questions for the client*") :]
    assert "print packing slips" in needs and "?" not in needs and "undecided" not in needs
    assert "use the invoice number series?" in questions
    assert "numbered in the invoice series" not in questions  # the model asked it already
    assert "Whether refunds go back to the card is still undecided." in questions
