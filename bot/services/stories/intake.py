"""Notes in: who may draft into which project from the notes form, where the drafts go, and
checking and storing the notes before anything slow happens.

Empty, wordless or oversized input gets a message that says what to do, instead of a model
call that can only fail.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.domain import Actor, Clock, utc_now
from bot.domain.jobs import Job
from bot.errors import BotError, NotAllowed
from bot.projects import Project, ProjectsConfig
from bot.services.stories.ports import StoryStore

_EMOJI_CODE = re.compile(r":[a-z0-9_+\-']+:")
_SLACK_TOKEN = re.compile(r"<[^>]*>")
NOT_YOUR_PROJECT = (
    "This channel is not part of a project, and you review no project whose backlog the "
    "stories could go to."
)


class NotesRejected(BotError):
    """The notes cannot be drafted from as they are; the message says why and what to do."""


@dataclass(frozen=True)
class NotesSubmission:
    project: str
    text: str
    source: str  # inline | modal | message | file | cli
    author_id: str | None
    channel_id: str | None
    title: str = ""
    meeting_date: date | None = None
    # Until Slack has told us the channel is public (after the ack), notes count as private:
    # a digest or answer built in between must not show them elsewhere.
    private: bool = True
    # What makes a delivery unique (e.g. trigger id): a retried delivery maps to the same note.
    delivery_id: str = ""
    # The Slack message the notes are (message shortcut): its deletion removes them.
    source_ts: str | None = None


def check_notes(text: str, *, max_chars: int) -> str:
    notes = text.strip()
    if not notes:
        raise NotesRejected(
            "There are no notes to draft from. Write `/story` followed by the notes, or "
            "`/story` alone to paste them into a form."
        )
    if len(notes) > max_chars:
        raise NotesRejected(
            f"These notes are {len(notes):,} characters long; the limit is {max_chars:,}. "
            "Split them into several parts, for example one per meeting topic."
        )
    words = _SLACK_TOKEN.sub(" ", _EMOJI_CODE.sub(" ", notes))
    if not any(ch.isalpha() for ch in words):
        raise NotesRejected(
            "These notes have no words I can draft stories from (only emoji, links or "
            "symbols). Paste the meeting notes as text."
        )
    return notes


@dataclass(frozen=True)
class ReceivedNotes:
    note_id: int
    created: bool  # False when this was a repeat delivery of notes already received
    job: Job | None = None  # stored with new notes, for the caller to put on the queue


@dataclass(frozen=True)
class NotesFormChoice:
    """The projects someone may draft into from the notes form, and the meeting's today."""

    projects: tuple[Project, ...]
    today: date


class NotesIntake:
    def __init__(
        self,
        store: StoryStore,
        projects: ProjectsConfig,
        *,
        max_note_chars: int = 60_000,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._projects = projects
        self._clock = clock
        self.max_note_chars = max_note_chars

    def notes_form(self, actor: Actor, channel: str) -> NotesFormChoice:
        """In a project channel the form is for that project only; elsewhere, for the
        projects this person reviews, so nobody drafts into a backlog that isn't theirs."""
        here = self._projects.for_channel(channel)
        allowed = [here] if here else self._reviewed_by(actor)
        if not allowed:
            raise NotAllowed(NOT_YOUR_PROJECT)
        today = self._clock().astimezone(allowed[0].client.zone).date()  # the meeting's side
        return NotesFormChoice(tuple(allowed), today)

    def notes_destination(self, actor: Actor, project_key: str, invoked_in: str | None) -> str:
        """The channel a notes form's drafts go to: where /story was used when that is a
        channel of the project, else the client side's channel, where the meeting belongs."""
        project = self._projects.get(project_key)
        here = self._projects.for_channel(invoked_in)
        if (here is None or here.key != project.key) and not project.is_reviewer(actor.user_id):
            raise NotAllowed(NOT_YOUR_PROJECT)
        if invoked_in and invoked_in in project.all_channels:
            return invoked_in
        return project.client.channel

    def receive(
        self, submission: NotesSubmission, draft: Callable[[int], Job] | None = None
    ) -> ReceivedNotes:
        """Check and store the notes, once per delivery; new notes are stored together with
        `draft(note_id)`, the job that drafts them."""
        project = self._projects.get(submission.project)
        text = check_notes(submission.text, max_chars=self.max_note_chars)
        note_id, created = self._store.save_note(
            project.key,
            text,
            source=submission.source,
            delivery_id=submission.delivery_id,
            channel_id=submission.channel_id,
            author_id=submission.author_id,
            title=submission.title,
            meeting_date=submission.meeting_date,
            private=submission.private,
            source_ts=submission.source_ts,
            job=draft,
        )
        job = draft(note_id) if created and draft is not None else None
        return ReceivedNotes(note_id, created, job)

    def _reviewed_by(self, actor: Actor) -> list[Project]:
        return [p for p in self._projects.projects if p.is_reviewer(actor.user_id)]
