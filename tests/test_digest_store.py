"""The digest store on SQLite and PostgreSQL: one read of a window as plain records, and a
skipped quiet digest marked sent in the channel it was claimed for."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from bot.domain import MessageRef
from bot.domain.digests import DigestKey, PostedDigest
from bot.storage.digest_claims import get_digest
from bot.storage.types import DigestSide, DigestStatus, StoryStatus
from tests.services.digest_world import CLIENT, MONDAY, SECRET, TEAM, World


@pytest.fixture
def world(tmp_path: Path, migrated_url: str) -> Iterator[World]:
    made = World(tmp_path, url=migrated_url)
    yield made
    made.db.dispose()


def test_a_window_is_read_as_plain_records(world: World) -> None:
    note = world.note("# Planning\n\nExport invoices.", channel=SECRET, private=True)
    world.story(note, "Export invoices", status=StoryStatus.approved)
    answer = world.decision("Use the invoice's VAT rate.", channel=CLIENT)
    world.decision("Before the window.", at=world.ago(days=2))
    world.question("Which VAT rate?", answer_decision_id=answer)
    world.question("Still open?", at=world.ago(days=20))
    said = world.said("On the team channel.")
    world.said("On the client channel.", channel=CLIENT)

    seen = world.store.activity(
        "acme", since=world.ago(days=1), until=world.clock.now, discussion_channel=TEAM
    )

    [story] = seen.changed
    assert (story.title, story.status, story.source_channel, story.source_private) == (
        "Export invoices",
        "approved",
        SECRET,
        True,
    )
    assert story.card == MessageRef(CLIENT, "1700000200.000000")
    assert story.thread_ts == "1700000100.000100"
    assert story.created_at.tzinfo is not None
    assert story.created_at.astimezone(UTC) == world.ago(hours=2)
    assert seen.waiting == ()
    [read_note] = seen.notes
    assert read_note.stories == (story,) and read_note.source_private
    assert [d.text for d in seen.decisions] == ["Use the invoice's VAT rate."]
    [asked] = seen.asked
    assert asked.answered and asked.answer_decision is not None
    assert asked.answer_decision.text == "Use the invoice's VAT rate."
    assert [q.text for q in seen.open_questions] == ["Still open?"]
    assert [m.message for m in seen.discussion] == [said]


def test_a_skipped_digest_keeps_the_channel_it_was_claimed_for(world: World) -> None:
    key = DigestKey("acme", "team", MONDAY)
    now = world.clock.now
    assert world.store.claim(
        key,
        channel=TEAM,
        window_start=now - timedelta(days=1),
        window_end=now,
        claimed_at=now,
        stale_before=now - timedelta(minutes=3),
    )

    world.store.mark_posted(key, None, claimed_at=now)

    with world.db.session() as session:
        stored = get_digest("acme", DigestSide.team, MONDAY, session=session)
    assert stored is not None
    assert (stored.status, stored.channel_id, stored.message_ts) == (DigestStatus.posted, TEAM, "")
    assert world.store.last_posted("acme", "team") == PostedDigest(MONDAY, now)
