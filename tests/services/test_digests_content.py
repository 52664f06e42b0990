"""What goes into each side's digest: the team's leads with the client meeting, the client's
gets the team's open questions and a cited summary of the team channel."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from bot.errors import LLMTimeout
from bot.services.digests.privacy import PRIVATE_QUESTION
from bot.storage.types import StoryStatus
from tests.services.digest_world import CLIENT, SECRET, TEAM, World


def test_the_team_digest_leads_with_the_client_meeting(tmp_path: Path) -> None:
    world = World(tmp_path)
    note = world.note(
        "# Monday client meeting\n\nThe accountant wants to credit a sent invoice.",
        open_questions=("Should partly paid invoices show the remaining amount?",),
    )
    world.story(note, "Credit a sent invoice", status=StoryStatus.approved, issue_key="ACME-12")
    world.story(note, "See payment status", position=1)
    old = world.note("Last month's notes", at=world.ago(days=30))
    world.story(
        old, "Export invoices", status=StoryStatus.rejected, at=world.ago(days=30)
    )  # drafted long ago, still untouched: not in the window
    world.story(
        old,
        "Old and decided now",
        status=StoryStatus.rejected,
        at=world.ago(days=30),
        changed=world.ago(hours=1),
        position=1,
    )
    answer = world.decision("Credit notes use the invoice's VAT rate.")
    world.question("Which VAT rate applies?", answer_decision_id=answer)
    world.question("Is there a sandbox?", answer_text="Yes, at sandbox.example [1].")
    world.question("Who signs off the release?")

    content = world.build("team")

    [meeting] = content.meetings
    assert meeting.title == "Monday client meeting"
    assert meeting.summary.startswith("Monday client meeting The accountant wants")
    assert [s.title for s in meeting.approved] == ["Credit a sent invoice"]
    assert [s.title for s in meeting.waiting] == ["See payment status"]
    assert meeting.questions_for_client == (
        "Should partly paid invoices show the remaining amount?",
    )
    assert meeting.approved[0].thread_ts == "1700000100.000100"  # cards are replies there
    assert meeting.approved[0].issue is not None and meeting.approved[0].issue.key == "ACME-12"
    assert meeting.waiting[0].issue is None
    assert [s.title for s in content.approved] == ["Credit a sent invoice"]
    assert [s.title for s in content.rejected] == ["Old and decided now"]
    assert [s.title for s in content.drafted] == ["Credit a sent invoice", "See payment status"]
    assert [s.title for s in content.waiting] == ["See payment status"]
    assert [(q.text, q.answer) for q in content.answered] == [
        ("Which VAT rate applies?", "Credit notes use the invoice's VAT rate."),
        ("Is there a sandbox?", "Yes, at sandbox.example [1]."),
    ]
    assert [q.text for q in content.open_questions] == ["Who signs off the release?"]
    assert content.discussion is None  # the team's own channel is not summarised for it
    assert world.chat.prompts == []


def test_the_client_digest_summarises_the_team_channel_with_citations(tmp_path: Path) -> None:
    world = World(tmp_path)
    started = world.said("Started on the credit note screen.", at=world.ago(hours=3))
    blocked = world.said("Blocked: which VAT rate applies?", at=world.ago(hours=2))
    world.said("Client side chatter is not the team's discussion.", channel=CLIENT)
    world.chat.queue(
        {"summary": " Screen started [1]; blocked on VAT [2]. ", "cited": [2, 1, 2, 9]}
    )

    content = world.build("client")

    assert content.discussion is not None
    assert content.discussion.text == "Screen started [1]; blocked on VAT [2]."
    assert content.discussion.sources == (started, blocked)
    assert content.discussion.cited == (2, 1)  # each once, and none the model made up
    [prompt] = world.chat.prompts
    assert prompt.purpose == "digest_summary"
    assert "[2] <U0DEV> Blocked: which VAT rate applies?" in prompt.text
    assert "Client side chatter" not in prompt.text
    assert content.meetings == () and content.answered == ()  # the team's sections


def test_the_summary_is_missing_when_the_model_fails(tmp_path: Path) -> None:
    world = World(tmp_path)
    said = world.said("Deployed the overdue list to staging.")
    world.chat.queue(LLMTimeout("the model did not answer"))

    assert world.post("client")

    [sent] = world.slack.posts
    assert sent.kind == "digest"  # not a quiet day: the team said something
    assert sent.content.discussion is not None
    assert sent.content.discussion.text is None
    assert sent.content.discussion.sources == (said,)


def test_a_message_outside_project_channels_or_without_text_is_not_kept(tmp_path: Path) -> None:
    world = World(tmp_path)
    digests = world.digests

    kept = digests.collect_message(
        TEAM, "1772438400.000100", "hello", user_id="U0DEV", thread_ts=None, permalink=None
    )
    again = digests.collect_message(
        TEAM, "1772438400.000100", "hello", user_id="U0DEV", thread_ts=None, permalink=None
    )
    elsewhere = digests.collect_message(
        "C0ELSEWHERE", "1772438400.000200", "hi", user_id=None, thread_ts=None, permalink=None
    )
    blank = digests.collect_message(
        TEAM, "1772438400.000300", "  ", user_id=None, thread_ts=None, permalink=None
    )

    assert (kept, again, elsewhere, blank) == (True, False, False, False)


def test_private_content_stays_out_of_the_other_sides_digests(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.decision("Invoices are due after 14 days.")
    world.decision("The merger budget is 4.2 million.", channel=SECRET, private=True)
    public = world.note("# Public meeting\n\nCredit a sent invoice.")
    world.story(public, "Credit a sent invoice")
    secret = world.note(
        "# Merger planning\n\nA payroll export for Globex.",
        channel=SECRET,
        private=True,
        open_questions=("Which merger date?",),
    )
    world.story(secret, "Export Globex payroll")
    world.question("When is the merger announced?", channel=SECRET, private=True)
    world.question(
        "Is the budget 4.2 million?", channel=SECRET, private=True, answer_text="Yes, 4.2 [1]."
    )
    world.question("Which VAT rate applies?")

    for side in ("team", "client"):
        content = world.build(side)  # type: ignore[arg-type]
        text = json.dumps(asdict(content), default=str)
        for secret_text in ("4.2", "merger", "Merger", "payroll", SECRET):
            assert secret_text not in text, (side, secret_text)
        assert "14 days" in text and "Credit a sent invoice" in text
        assert [q.text for q in content.open_questions] == [
            PRIVATE_QUESTION,
            "Which VAT rate applies?",
        ]
        redacted = content.open_questions[0]
        assert redacted.private and redacted.message is None and redacted.answer is None
    assert [m.title for m in world.build("team").meetings] == ["Public meeting"]
    assert [q.text for q in world.build("team").answered] == [PRIVATE_QUESTION]


def test_a_digest_with_nothing_in_it_is_quiet(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.decision("Long ago.", at=world.ago(days=30))

    assert world.build("team").is_quiet
    assert world.build("client").is_quiet  # no messages: the model is not asked
    world.said("One message is news for the client.")
    world.chat.queue({"summary": "A message [1].", "cited": [1]})
    assert not world.build("client").is_quiet
    assert world.build("team").is_quiet
