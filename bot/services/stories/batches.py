"""A drafting batch from stored notes to review cards: show progress, draft with the model,
check, store, post the cards that are missing, and finish with the batch summary, or fail with
a Retry.

The notes were stored first (`intake`), so a failed draft loses nothing and Retry drafts them
again from the stored copy. Every way in (`/story`, the notes form, the message shortcut,
Retry, `apo story`) runs this same flow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import timedelta

from bot.domain import Clock, MessageRef, utc_now
from bot.domain.stories import BatchView, StoredNote, StoredStory, StoryView
from bot.errors import BotError
from bot.projects import ProjectsConfig
from bot.quality import check_batch, comparison_text, merge_questions
from bot.quality.duplicates import Similarity
from bot.services.stories.access import check_shown_in
from bot.services.stories.convert import (
    batch_view,
    checked_content,
    drafted_to_check,
    story_view,
    view_to_check,
)
from bot.services.stories.drafting import Progress, StoryDrafter
from bot.services.stories.ports import BatchPublisher, PublishFailed, StoryIndex, StoryStore

log = logging.getLogger(__name__)
INTERRUPTED = "Drafting was interrupted by a restart of the bot."
CARDS_MISSING = "Slack did not accept all the story cards, so some are missing."
# A card claim this old belongs to a run that died mid-post; a Retry may post the card. One
# chat.postMessage with the Slack client's retries takes seconds, two minutes at worst.
STALE_CARD = timedelta(minutes=3)


class StoryService:
    def __init__(
        self,
        store: StoryStore,
        projects: ProjectsConfig,
        drafter: StoryDrafter,
        *,
        index: StoryIndex | None = None,
        similarity: Similarity | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._projects = projects
        self._drafter = drafter
        self._index = index
        self._similarity = similarity
        self._clock = clock

    # -- the batch in chat ---------------------------------------------------------------

    def run_batch(
        self, note_id: int, publisher: BatchPublisher, *, channel: str, resume: bool = False
    ) -> BatchView | None:
        """Draft stored notes and show every step: at the batch's message when it has one,
        else in `channel`. Errors end as a failure with Retry; None unless this call drafted
        or finished the batch. `resume`: take over a draft whose worker died mid-way."""
        note, stories = self._store.batch(note_id)
        before = self._view(note, stories)
        where = publisher.show_progress(
            note.placement, channel=channel, batch=before, step="Reading the notes…"
        )
        if note.placement is None:
            self._store.set_placement(note_id, where)

        def on_progress(step: str) -> None:
            publisher.show_progress(where, channel=where.channel, batch=before, step=step)

        try:
            private = publisher.is_private(where.channel)
            self._draft(note_id, on_progress, private=private, resume=resume)
        except BotError as exc:
            publisher.show_failure(
                where, project_name=before.project_name, problem=exc.user_message, note_id=note_id
            )
            log.warning("drafting note %s failed: %s", note_id, exc)
            return None
        note, stories = self._store.batch(note_id)
        if note.status != "drafted":
            return None  # another delivery or replica is drafting this note right now
        batch = self._view(note, stories)
        try:
            self._post_missing_cards(publisher, where, stories, batch)
        except PublishFailed as exc:
            # The stories are stored; Retry posts the cards that did not make it.
            log.warning("posting the cards of note %s failed: %s", note_id, exc)
            publisher.show_failure(
                where, project_name=batch.project_name, problem=CARDS_MISSING, note_id=note_id
            )
            return None
        publisher.show_batch(where, self.batch(note_id))
        return batch

    def show_interrupted(
        self, publisher: BatchPublisher, *, resuming: Collection[int] = ()
    ) -> None:
        """After a restart: every "Drafting…" message that will never finish becomes a
        failure with Retry (the notes are stored); notes in `resuming` will be finished by
        their still-open drafting job instead."""
        stuck = self._store.fail_interrupted(INTERRUPTED, now=self._clock(), resuming=resuming)
        for note in stuck:
            if note.placement is None:
                continue
            project_name = self._projects.get(note.project).name
            try:
                publisher.show_failure(
                    note.placement, project_name=project_name, problem=INTERRUPTED, note_id=note.id
                )
            except Exception:  # one unreachable message must not stop the start-up
                log.exception("could not update the interrupted draft of note %s", note.id)

    def _post_missing_cards(
        self,
        publisher: BatchPublisher,
        thread: MessageRef,
        stories: list[StoredStory],
        batch: BatchView,
    ) -> None:
        for stored, view in zip(stories, batch.stories, strict=True):
            if stored.card is not None:
                continue
            now = self._clock()
            if not self._store.claim_card(stored.id, now=now, stale_before=now - STALE_CARD):
                continue  # another run (a second Retry press) is posting this card
            try:
                card = publisher.post_card(thread, view)
            except Exception:
                self._store.release_card(stored.id)
                raise
            self._store.set_card(stored.id, card)

    # -- drafting ------------------------------------------------------------------------

    def draft(
        self, note_id: int, on_progress: Progress, *, private: bool | None = None
    ) -> BatchView | None:
        """Draft, check and store stories for stored notes; None if another worker has them.

        `private` says whether the notes came from a private channel (known only after the
        ack, from Slack); it limits where the notes may be cited."""
        return self.batch(note_id) if self._draft(note_id, on_progress, private=private) else None

    def _draft(
        self, note_id: int, on_progress: Progress, *, private: bool | None, resume: bool = False
    ) -> bool:
        note = self._store.start_drafting(note_id, private=private, resume=resume)
        if note is None:
            return False
        project = self._projects.get(note.project)
        try:
            outcome = self._drafter.draft(
                note.text,
                project=project.key,
                project_name=project.name,
                language=project.language,
                on_progress=on_progress,
            )
            on_progress("Checking the drafts…")
            report = check_batch(
                [drafted_to_check(s) for s in outcome.stories],
                note.text,
                backlog=self._backlog(note.project),
                similarity=self._similarity,
            )
        except BotError as exc:
            self._store.mark_failed(note_id, exc.user_message)
            raise
        except Exception:
            self._store.mark_failed(note_id, "internal error")
            raise
        self._store.save_drafts(
            note_id,
            [checked_content(s, r) for s, r in zip(outcome.stories, report.stories, strict=True)],
            # The model's questions first, then what the notes leave open that it did not ask.
            open_questions=merge_questions(outcome.questions_for_client, report.open_items),
            out_of_scope=outcome.out_of_scope,
            uncovered_needs=report.uncovered_needs,
        )
        if outcome.stories:  # notes that yielded nothing ("hello") are not knowledge
            self._index_note(note)
        return True

    # -- the notes' Slack message edited or deleted ---------------------------------------

    def revise_from_message(self, message: MessageRef, text: str | None) -> None:
        """Notes taken from a Slack message follow it. Deleted (`text` None): they leave
        digests and the index; their stories stay with their reviews. Edited: the index
        holds the new text; the stored copy the stories were drafted from is kept."""
        for note in self._store.notes_from_message(message):
            if text is None or not text.strip():
                self._store.mark_removed(note.id)
                if self._index is not None:
                    self._index.remove_note(note.id, project=note.project)
            elif note.status == "drafted" and self._store.batch(note.id)[1]:
                self._index_note(replace(note, text=text))

    # -- reading -------------------------------------------------------------------------

    def batch(self, note_id: int) -> BatchView:
        return self._view(*self._store.batch(note_id))

    def started_thread(self, where: MessageRef) -> bool:
        """Whether `where` is a batch message: the top of a thread of story cards."""
        return self._store.note_placed_at(where) is not None

    def story(self, story_id: int) -> StoryView:
        note, story = self._store.story(story_id)
        return story_view(story, note.text)

    def story_in(self, story_id: int, channel: str | None) -> StoryView:
        """The story for a button pressed in `channel`; `NotAllowed` where it is not shown."""
        note, story = self._store.story(story_id)
        check_shown_in(note, channel, self._projects)
        return story_view(story, note.text)

    def check_retry(self, note_id: int, channel: str | None) -> None:
        """Retry on a failed batch: only where the batch is shown (see `access`)."""
        note, _ = self._store.batch(note_id)
        check_shown_in(note, channel, self._projects)

    def approved(self, project: str, *, new_only: bool = False) -> list[StoryView]:
        """The approved backlog; `new_only` leaves out stories exported as CSV before or
        already filed in the tracker (re-importing them would duplicate them)."""
        return [
            story_view(story, note.text)
            for note, story in self._store.approved(project)
            if not (new_only and (story.exported or story.tracked.issue is not None))
        ]

    def mark_exported(self, story_ids: Collection[int]) -> None:
        self._store.mark_exported(story_ids)

    def approved_visible(
        self, project: str, sees: Callable[[str | None, bool], bool]
    ) -> list[StoryView]:
        """The approved backlog without the stories drafted from notes `sees` refuses
        (`sees(channel, private)`: notes from a private channel the reader is not in)."""
        return [
            story_view(story, note.text)
            for note, story in self._store.approved(project)
            if sees(note.channel_id, note.private)
        ]

    # -- helpers -------------------------------------------------------------------------

    def _view(self, note: StoredNote, stories: list[StoredStory]) -> BatchView:
        project = self._projects.get(note.project)
        return batch_view(
            note,
            project.name,
            stories,
            offer_push=project.tracker_name if project.push_mode == "button" else None,
        )

    def _backlog(self, project: str) -> list[tuple[str, str]]:
        return [(str(s.id), comparison_text(view_to_check(s))) for s in self.approved(project)]

    def _index_note(self, note: StoredNote) -> None:
        """Notes become searchable once they are drafted into stories, never before (a failed
        draft leaves nothing behind); failing to index must not undo the draft."""
        if self._index is None:
            return
        try:
            self._index.index_note(
                note.id,
                note.text,
                project=note.project,
                title=note.title,
                channel=note.channel_id,
                private=note.private,
                created_at=note.created_at,
            )
        except Exception:
            log.exception("could not index meeting note %s", note.id)
