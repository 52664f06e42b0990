"""Who may record and replace decisions, and what goes into the search index for them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain import Actor, MessageRef
from bot.domain.knowledge import DecisionInput
from bot.domain.stories import Criterion, StoryView
from bot.errors import BotError, NotAllowed
from bot.retrieval.embeddings import WordLlamaEmbedder
from bot.retrieval.types import IndexRecord
from bot.services.knowledge.decisions import ESCALATION_REPLY
from bot.services.knowledge.views import AskInput
from tests.services.knowledge_setup import (
    CLIENT,
    CLIENT_USER,
    DEVELOPER,
    PRIVATE,
    REVIEWER,
    TEAM,
    FakeKnowledgePublisher,
    Knowledge,
    build_knowledge,
)

AUTHOR_OR_REVIEWER = (
    "Only the reviewers of Acme Invoicing or the message's author can record it as a decision."
)
REPLACE_REFUSED = "Only the reviewers of Acme Invoicing can replace a decision."


@pytest.fixture(scope="module")
def embedder() -> Iterator[WordLlamaEmbedder]:
    embedder = WordLlamaEmbedder()
    embedder.load()
    yield embedder


@pytest.fixture
def kb(tmp_path: Path, embedder: WordLlamaEmbedder) -> Knowledge:
    return build_knowledge(tmp_path, embedder)


def from_message(text: str, ts: str) -> DecisionInput:
    return DecisionInput("acme", text, CLIENT_USER, "shortcut", source_channel=CLIENT, source_ts=ts)


def indexed(kb: Knowledge, decision_id: int) -> IndexRecord:
    [doc] = kb.index.get([f"decision:{decision_id}"])
    return IndexRecord.from_metadata(doc.metadata)


def test_a_message_is_recorded_by_its_author_or_a_reviewer_only(kb: Knowledge) -> None:
    with pytest.raises(NotAllowed, match=AUTHOR_OR_REVIEWER):
        kb.decisions.record(from_message("EHF for everyone.", "1.1"), Actor(DEVELOPER))

    own, created = kb.decisions.record(from_message("EHF for everyone.", "1.1"), Actor(CLIENT_USER))
    again, created_again = kb.decisions.record(
        from_message("EHF for everyone.", "1.1"), Actor(REVIEWER)
    )

    assert created and not created_again and again.id == own.id
    assert own.author_id == CLIENT_USER and own.origin == "shortcut"


def test_only_reviewers_and_the_cli_replace_decisions(kb: Knowledge) -> None:
    old, _ = kb.decisions.record(
        DecisionInput("acme", "Due after 30 days.", REVIEWER, "command"), Actor(REVIEWER)
    )
    replacing = DecisionInput(
        "acme", "Due after 14 days.", DEVELOPER, "command", supersedes_id=old.id
    )

    with pytest.raises(NotAllowed, match=REPLACE_REFUSED):
        kb.decisions.record(replacing, Actor(DEVELOPER))  # even their own words
    assert not indexed(kb, old.id).superseded

    new, _ = kb.decisions.record(replacing, Actor.cli())  # `apo decide` is an admin
    assert new.supersedes_id == old.id
    assert indexed(kb, old.id).superseded and not indexed(kb, new.id).superseded


def test_a_decision_of_another_project_cannot_be_replaced(kb: Knowledge) -> None:
    with pytest.raises(BotError, match="no decision #7"):
        kb.decisions.record(
            DecisionInput("acme", "Due after 14 days.", REVIEWER, "command", supersedes_id=7),
            Actor(REVIEWER),
        )


def test_decision_text_is_checked(kb: Knowledge) -> None:
    for text, message in (("  ", "needs some text"), ("x" * 4001, "keep it under 4,000")):
        with pytest.raises(BotError, match=message):
            kb.decisions.record(DecisionInput("acme", text, REVIEWER, "cli"), Actor.cli())


def test_reactions_count_from_reviewers_with_the_projects_emoji(kb: Knowledge) -> None:
    assert kb.decisions.reaction_records("acme", "pushpin", Actor(REVIEWER))
    assert not kb.decisions.reaction_records("acme", "pushpin", Actor(DEVELOPER))
    assert not kb.decisions.reaction_records("acme", "thumbsup", Actor(REVIEWER))


def test_replies_to_an_escalation_are_not_recorded_again(kb: Knowledge) -> None:
    show = FakeKnowledgePublisher()
    kb.questions.answer(
        AskInput("acme", TEAM, DEVELOPER, "Do credit notes need a KID?", "1.0", "1.0"), show
    )
    escalation = show.posted[-1]
    reply = MessageRef(escalation.channel, "5.5")

    with pytest.raises(BotError, match=ESCALATION_REPLY):
        kb.decisions.check_message(
            "acme",
            Actor(REVIEWER),
            reply,
            thread_ts=escalation.ts,
            author_id=REVIEWER,
            supersedes=None,
        )
    kb.decisions.check_message(  # the escalation message itself, or any other thread, is fine
        "acme",
        Actor(REVIEWER),
        escalation,
        thread_ts=escalation.ts,
        author_id=REVIEWER,
        supersedes=None,
    )


def test_decisions_are_indexed_with_their_scope(kb: Knowledge) -> None:
    decision, _ = kb.decisions.record(
        DecisionInput(
            "acme",
            "The budget is secret.",
            REVIEWER,
            "command",
            source_channel=PRIVATE,
            permalink="https://x.slack.com/archives/C0SECRET/p1",
            private=True,
        ),
        Actor(REVIEWER),
    )

    [doc] = kb.index.get([f"decision:{decision.id}"])
    assert doc.metadata == {
        "project": "acme",
        "kind": "decision",
        "title": f"Decision #{decision.id}",
        "source_channel": PRIVATE,
        "private": True,
        "superseded": False,
        "permalink": "https://x.slack.com/archives/C0SECRET/p1",
        "author": REVIEWER,
        "created_at": decision.created_at.isoformat(),
    }
    assert IndexRecord.from_metadata(doc.metadata).to_metadata() == doc.metadata


def test_an_approved_story_is_indexed_as_the_review_did(kb: Knowledge) -> None:
    decided = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    story = StoryView(
        id=4,
        note_id=2,
        project="acme",
        position=0,
        title="Overdue list",
        role="accountant",
        goal="to see overdue invoices",
        benefit="I can chase them",
        criteria=(Criterion("an overdue invoice", "I open the list", "it is shown"),),
        verified_quotes=(),
        missing_quotes=(),
        status="approved",
        decided_by=REVIEWER,
        decided_at=decided,
    )

    kb.indexer.index_story(story, channel=TEAM, private=False)

    [doc] = kb.index.get(["story:4"])
    assert doc.text == (
        "Overdue list\nAs an accountant, I want to see overdue invoices, so that I can chase "
        "them.\nGiven an overdue invoice When I open the list Then it is shown"
    )
    assert doc.metadata == {
        "project": "acme",
        "kind": "story",
        "title": "Story #4: Overdue list",
        "source_channel": TEAM,
        "private": False,
        "superseded": False,
        "permalink": "",
        "author": REVIEWER,
        "created_at": decided.isoformat(),
        "story_id": 4,
    }


def test_notes_and_knowledge_files_carry_their_source(kb: Knowledge, tmp_path: Path) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text("# Invoices\nStatus: Superseded\nDue after 30 days.\n", encoding="utf-8")
    kb.indexer.index_note(
        3,
        "# Notes\nWe talked.",
        project="acme",
        title="Monday",
        channel=CLIENT,
        private=True,
        created_at=kb.clock(),
    )
    kb.indexer.index_path(guide, project="acme")

    [note] = kb.index.all({"source": "note:3"})
    [knowledge] = kb.index.all({"kind": "knowledge"})
    note_record = IndexRecord.from_metadata(note.metadata)
    assert (note_record.kind, note_record.private, note_record.source_channel) == (
        "note",
        True,
        CLIENT,
    )
    assert note_record.created_at == kb.clock()
    knowledge_record = IndexRecord.from_metadata(knowledge.metadata)
    assert knowledge_record.superseded and not knowledge_record.private
    assert knowledge_record.source is not None and knowledge_record.source.endswith("guide.md")
