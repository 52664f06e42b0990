"""What the story use cases need from the outside: a store, a place to show a batch (Slack), and
the search index. `bot.container` picks the implementations; tests pass in-memory fakes."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from typing import Protocol

from bot.domain import MessageRef
from bot.domain.jobs import Job
from bot.domain.stories import (
    BatchView,
    FindingView,
    StoredNote,
    StoredStory,
    StoryContent,
    StoryEdit,
    StoryState,
    StoryView,
)


class PublishFailed(Exception):
    """The chat refused or lost a message the batch needed (e.g. a story card)."""


class StoryStore(Protocol):
    def note_placed_at(self, where: MessageRef) -> StoredNote | None: ...

    def save_note(
        self,
        project: str,
        text: str,
        *,
        source: str,
        delivery_id: str,
        channel_id: str | None,
        author_id: str | None,
        title: str = "",
        meeting_date: date | None = None,
        private: bool,
        source_ts: str | None = None,
        job: Callable[[int], Job] | None = None,
    ) -> tuple[int, bool]:
        """Store notes once per delivery: (note id, True for the call that stored them); a
        new note's `job(note_id)` is stored with it, in the same transaction."""
        ...

    def notes_from_message(self, message: MessageRef) -> list[StoredNote]:
        """The notes taken from that Slack message (the message shortcut), not removed."""
        ...

    def mark_removed(self, note_id: int) -> None:
        """The notes' message was deleted: they leave digests (their stories stay)."""
        ...

    def start_drafting(
        self, note_id: int, *, private: bool | None, resume: bool = False
    ) -> StoredNote | None: ...

    def save_drafts(
        self,
        note_id: int,
        stories: Sequence[StoryContent],
        *,
        open_questions: Sequence[str],
        out_of_scope: Sequence[str],
        uncovered_needs: Sequence[str],
    ) -> None: ...

    def mark_failed(self, note_id: int, error: str) -> None: ...

    def fail_interrupted(
        self, error: str, *, now: datetime, resuming: Collection[int] = ()
    ) -> list[StoredNote]: ...

    def set_placement(self, note_id: int, where: MessageRef) -> None: ...

    def batch(self, note_id: int) -> tuple[StoredNote, list[StoredStory]]: ...

    def story(self, story_id: int) -> tuple[StoredNote, StoredStory]: ...

    def approved(self, project: str) -> list[tuple[StoredNote, StoredStory]]: ...

    def set_card(self, story_id: int, where: MessageRef) -> None: ...

    def claim_card(self, story_id: int, *, now: datetime, stale_before: datetime) -> bool:
        """True if this run should post the story's card: it has none and no live claim
        (one made since `stale_before`). Of racing runs (two Retry presses) one wins."""
        ...

    def release_card(self, story_id: int) -> None:
        """Posting the card failed; the next run may claim it straight away."""
        ...

    def mark_exported(self, story_ids: Collection[int]) -> None: ...

    def decide(
        self,
        story_id: int,
        decision: StoryState,
        actor_id: str,
        reason: str | None = None,
        *,
        expected: StoryState = "draft",
    ) -> None: ...

    def edit(
        self, story_id: int, actor_id: str, change: StoryEdit, findings: Sequence[FindingView]
    ) -> None: ...


class BatchPublisher(Protocol):
    """Shows a drafting batch where people work (Slack): a progress message that becomes the
    batch summary (or a failure with Retry), and one review card per story in its thread."""

    def is_private(self, channel: str) -> bool:
        """Whether what is posted in `channel` must stay there (private channels, DMs)."""
        ...

    def show_progress(
        self, where: MessageRef | None, *, channel: str, batch: BatchView, step: str
    ) -> MessageRef:
        """Post the progress message in `channel`, or update it at `where`; returns it."""
        ...

    def post_card(self, thread: MessageRef, story: StoryView) -> MessageRef:
        """Post a story's review card in the batch's thread; `PublishFailed` if refused."""
        ...

    def update_card(self, where: MessageRef, story: StoryView) -> None: ...

    def show_batch(self, where: MessageRef, batch: BatchView) -> None: ...

    def show_failure(
        self, where: MessageRef, *, project_name: str, problem: str, note_id: int
    ) -> None: ...


class StoryIndex(Protocol):
    """The search index answers are drawn from: notes as they are drafted, stories once
    approved."""

    def index_note(
        self,
        note_id: int,
        text: str,
        *,
        project: str,
        title: str,
        channel: str | None,
        private: bool,
        created_at: datetime,
    ) -> object: ...

    def index_story(self, story: StoryView, *, channel: str | None, private: bool) -> None: ...

    def remove_note(self, note_id: int, *, project: str) -> None: ...

    def remove_story(self, story_id: int) -> None: ...
