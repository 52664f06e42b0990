"""The human review of drafted stories: only reviewers decide, and every decision and edit is
kept. A decision is stored at once (`approve`, `reject`, `edit`: database work only, so a
Slack request can answer within its 3 seconds); `show_decision` then makes an approved story
searchable knowledge and redraws the story's card and its batch summary, and may run again."""

from __future__ import annotations

import logging

from bot.domain import Actor
from bot.domain.stories import StoredNote, StoredStory, StoryEdit, StoryState, StoryView
from bot.errors import BotError, NotAllowed
from bot.projects import ProjectsConfig
from bot.quality import check_batch
from bot.services.stories.batches import StoryService
from bot.services.stories.convert import edit_to_check, findings, story_view
from bot.services.stories.ports import BatchPublisher, StoryIndex, StoryStore

log = logging.getLogger(__name__)


class ReviewService:
    def __init__(
        self,
        store: StoryStore,
        projects: ProjectsConfig,
        stories: StoryService,
        index: StoryIndex | None = None,
    ) -> None:
        self._store = store
        self._projects = projects
        self._stories = stories
        self._index = index

    def open_for_review(self, story_id: int, actor: Actor) -> StoryView:
        """The story a reviewer is about to edit or reject; refused for others and for a
        rejected story. An approved story may still be edited (its issue in the tracker
        follows) or rejected (the card then offers to close its issue)."""
        _, story = self._reviewable(story_id, actor)
        if story.status == "rejected":
            raise BotError(f"Story #{story.id} is already rejected; it can't be changed.")
        return story

    def approve(self, story_id: int, actor: Actor) -> StoryView:
        self._reviewable(story_id, actor)
        self._store.decide(story_id, "approved", actor.user_id)
        return self._current(story_id)

    def reject(
        self, story_id: int, actor: Actor, reason: str, *, seen: StoryState = "draft"
    ) -> StoryView:
        """`seen` is the state the reviewer's form was opened on: an approved story is
        rejected only by someone who saw it approved (the form says so)."""
        self._reviewable(story_id, actor)
        self._store.decide(story_id, "rejected", actor.user_id, reason, expected=seen)
        return self._current(story_id)

    def edit(self, story_id: int, actor: Actor, change: StoryEdit) -> StoryView:
        note, current = self._reviewable(story_id, actor)
        if current.status == "rejected":
            raise BotError(f"Story #{story_id} is already rejected; it can't be edited.")
        [checked] = check_batch([edit_to_check(change, current)], note.text).stories
        self._store.edit(story_id, actor.user_id, change, findings(checked.findings))
        return self._current(story_id)

    def show_decision(self, story_id: int, publisher: BatchPublisher) -> StoryView:
        """After a decision or edit: index an approved story (again is harmless: by id), then
        redraw its card and the batch summary from what is stored now."""
        note, stored = self._store.story(story_id)
        story = story_view(stored, note.text)
        if story.status == "approved":
            self._index_approved(story, note)
        elif story.status == "rejected" and self._index is not None:
            self._index.remove_story(story.id)  # it may have been approved (and indexed) first
        self._redraw(publisher, note, stored, story)
        return story

    def show_batch(self, note_id: int, publisher: BatchPublisher) -> None:
        """Redraw the batch summary from what is stored now."""
        note, _ = self._store.batch(note_id)
        if note.placement is not None:
            publisher.show_batch(note.placement, self._stories.batch(note_id))

    def _reviewable(self, story_id: int, actor: Actor) -> tuple[StoredNote, StoryView]:
        note, stored = self._store.story(story_id)
        story = story_view(stored, note.text)
        project = self._projects.get(story.project)
        if not (actor.admin or project.is_reviewer(actor.user_id)):
            names = ", ".join(f"<@{r}>" for r in project.reviewers) or "nobody yet"
            raise NotAllowed(
                f"Only the reviewers of {project.name} can approve, edit or reject stories "
                f"({names}). Ask one of them, or have your id added to the projects file."
            )
        return note, story

    def _current(self, story_id: int) -> StoryView:
        note, stored = self._store.story(story_id)
        return story_view(stored, note.text)

    def _redraw(
        self, publisher: BatchPublisher, note: StoredNote, stored: StoredStory, story: StoryView
    ) -> None:
        """The story's card, then the batch summary above it."""
        if stored.card is not None:
            publisher.update_card(stored.card, story)
        if note.placement is not None:
            publisher.show_batch(note.placement, self._stories.batch(note.id))

    def _index_approved(self, story: StoryView, note: StoredNote) -> None:
        """Approved stories become searchable knowledge; failure here must not undo approval."""
        if self._index is None:
            return
        try:
            self._index.index_story(story, channel=note.channel_id, private=note.private)
        except Exception:
            log.exception("could not index approved story %s", story.id)
