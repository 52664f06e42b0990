"""Posting a drafting run in Slack: the placeholder, its progress, the cards, the summary.

Shared by `/story`, the notes modal, the message shortcut and the Retry button, so all four
behave the same way.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import BatchView, StoryView
from bot.errors import BotError
from bot.services.stories import StoryService
from bot.slack.blocks.stories import batch_message, drafting_message, failure_message, story_cards
from bot.slack.blocks.story_card import story_card
from bot.slack.channels import ChannelDirectory

log = logging.getLogger(__name__)


class StoryPublisher:
    def __init__(self, client: WebClient, stories: StoryService) -> None:
        self._client = client
        self._stories = stories

    def run(self, note_id: int, *, channel: str, project_name: str) -> BatchView | None:
        """Draft a stored note and show every step in `channel`; errors end as a Retry card."""
        batch_before = self._stories.batch(note_id)
        placed = self._stories.placement(note_id)
        progress_text, progress_blocks = drafting_message(
            project_name, batch_before.author_id, batch_before.title, "Reading the notes…"
        )
        if placed is None:
            posted = self._client.chat_postMessage(
                channel=channel, text=progress_text, blocks=progress_blocks
            )
            placed = (str(posted["channel"]), str(posted["ts"]))
            self._stories.set_placement(note_id, *placed)
        else:
            self._update(placed, progress_text, progress_blocks)

        def on_progress(step: str) -> None:
            text, blocks = drafting_message(
                project_name, batch_before.author_id, batch_before.title, step
            )
            self._update(placed, text, blocks)

        try:
            private = ChannelDirectory(self._client).is_private(placed[0])
            batch = self._stories.draft(note_id, on_progress, private=private)
        except BotError as exc:
            text, blocks = failure_message(project_name, exc.user_message, note_id)
            self._update(placed, text, blocks)
            log.warning("drafting note %s failed: %s", note_id, exc)
            return None
        if batch is None:
            if self._stories.note_status(note_id) != "drafted":
                return None  # another delivery or replica is drafting this note right now
            batch = self._stories.batch(note_id)  # drafted before: finish what is missing
        try:
            self._post_missing_cards(batch, placed)
        except (SlackApiError, OSError) as exc:
            # The stories are stored; Retry posts the cards that did not make it.
            log.warning("posting the cards of note %s failed: %s", note_id, exc)
            problem = "Slack did not accept all the story cards, so some are missing."
            text, blocks = failure_message(project_name, problem, note_id)
            self._update(placed, text, blocks)
            return None
        self.refresh_batch(self._stories.batch(note_id))
        return batch

    def _post_missing_cards(self, batch: BatchView, placed: tuple[str, str]) -> None:
        cards = story_cards(batch)
        for story, (text, blocks) in zip(batch.stories, cards, strict=True):
            if self._stories.card(story.id) is not None:
                continue
            card = self._client.chat_postMessage(
                channel=placed[0], thread_ts=placed[1], text=text, blocks=blocks
            )
            self._stories.set_card(story.id, str(card["channel"]), str(card["ts"]))

    def show_interrupted(self) -> None:
        """After a restart: turn every "Drafting…" placeholder that will never finish into a
        failure message with Retry (the notes are stored)."""
        for note_id in self._stories.fail_interrupted():
            placed = self._stories.placement(note_id)
            if placed is None:
                continue
            project = self._stories.batch(note_id).project_name
            text, blocks = failure_message(
                project, "Drafting was interrupted by a restart of the bot.", note_id
            )
            try:
                self._update(placed, text, blocks)
            except Exception:  # one unreachable message must not stop the start-up
                log.exception("could not update the interrupted draft of note %s", note_id)

    def refresh_batch(self, batch: BatchView) -> None:
        placed = self._stories.placement(batch.note_id)
        if placed is not None:
            text, blocks = batch_message(batch)
            self._update(placed, text, blocks)

    def refresh_story(self, story: StoryView) -> None:
        """Redraw a card after a decision or an edit, and the batch summary above it."""
        card = self._stories.card(story.id)
        if card is not None:
            text, blocks = story_card(story)
            self._update(card, text, blocks)
        self.refresh_batch(self._stories.batch(story.note_id))

    def _update(self, where: tuple[str, str], text: str, blocks: list[dict[str, object]]) -> None:
        self._client.chat_update(channel=where[0], ts=where[1], text=text, blocks=blocks)
