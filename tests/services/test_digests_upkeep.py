"""Collected messages follow Slack edits and deletions and are kept for the retention period
only; failed and empty notes stay out of the digest."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.domain import MessageRef
from bot.llm.prompts import PromptLibrary
from bot.services.digests.service import DigestService
from bot.storage.messages import list_channel_messages
from bot.storage.models import MeetingNote
from bot.storage.types import NoteStatus, StoryStatus
from tests.services.digest_world import TEAM, World


def ts(world: World, **ago: float) -> str:
    return f"{(world.clock.now - timedelta(**ago)).timestamp():.6f}"


def kept(world: World) -> list[str]:
    with world.db.session() as session:
        since = world.clock.now - timedelta(days=1000)
        return [m.text for m in list_channel_messages("acme", since=since, session=session)]


def collect(world: World, text: str, at: str) -> None:
    world.digests.collect_message(TEAM, at, text, user_id="U0DEV", thread_ts=None, permalink=None)


def test_messages_older_than_the_retention_period_are_forgotten(tmp_path: Path) -> None:
    world = World(tmp_path)
    digests = DigestService(
        world.store,
        world.projects,
        world.chat,
        PromptLibrary().get("summarize_discussion"),
        retention=timedelta(days=30),
        clock=world.clock,
    )
    collect(world, "from last quarter", ts(world, days=31))
    collect(world, "from last week", ts(world, days=7))

    assert digests.forget_old_messages() == 1
    assert kept(world) == ["from last week"]
    assert digests.forget_old_messages() == 0


def test_the_default_retention_is_ninety_days(tmp_path: Path) -> None:
    world = World(tmp_path)
    collect(world, "old", ts(world, days=91))
    collect(world, "recent", ts(world, days=89))

    world.digests.forget_old_messages()

    assert kept(world) == ["recent"]


def test_an_edited_message_is_summarised_as_it_reads_now_and_a_deleted_one_not_at_all(
    tmp_path: Path,
) -> None:
    world = World(tmp_path)
    first, second = ts(world, hours=3), ts(world, hours=2)
    collect(world, "we ship friday", first)
    collect(world, "the staging db is down", second)

    assert world.digests.revise_message(TEAM, first, "we ship monday")
    assert world.digests.revise_message(TEAM, second, None)
    assert not world.digests.revise_message(TEAM, "1.000001", "never collected")

    assert kept(world) == ["we ship monday"]
    world.chat.queue({"summary": "Shipping moved to Monday [1].", "cited": [1]})
    discussion = world.build("client").discussion
    assert discussion is not None and discussion.sources == (MessageRef(TEAM, first),)


def test_failed_and_empty_notes_are_not_reported(tmp_path: Path) -> None:
    world = World(tmp_path)
    drafted = world.note("# Monday meeting\nCredit notes.")
    world.story(drafted, "Credit a sent invoice", status=StoryStatus.draft)
    failed = world.note("# Tuesday meeting\nThe model failed.")
    empty = world.note("hello")
    with world.db.session() as session:
        for note_id, status in (
            (drafted, NoteStatus.drafted),
            (failed, NoteStatus.failed),
            (empty, NoteStatus.drafted),
        ):
            row = session.get(MeetingNote, note_id)
            assert row is not None
            row.status = status
            session.add(row)

    meetings = world.build("team").meetings

    assert [m.note_id for m in meetings] == [drafted]
