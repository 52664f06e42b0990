"""Stories from notes to backlog: receive notes, draft and check them, and the human review.

Nothing reaches the backlog without a reviewer's yes; every decision and edit is kept as an
event. The notes are stored before anything slow happens, so a failed draft loses nothing and
can be retried from them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.domain import BatchView, StoryView
from bot.errors import BotError
from bot.projects import ProjectsConfig
from bot.quality import Criterion, StoryDraft, check_batch, comparison_text
from bot.quality.duplicates import Similarity
from bot.services.draft_schema import DraftedStory
from bot.services.drafting import Progress, StoryDrafter
from bot.services.indexing import KnowledgeIndexer
from bot.services.notes_intake import NotesSubmission, check_notes
from bot.services.story_views import batch_view, story_view
from bot.storage import (
    NewCriterion,
    NewStory,
    add_stories,
    criteria_for_stories,
    get_note,
    get_story,
    list_criteria,
    list_stories,
    note_dedupe_key,
    notes_with_status,
    save_meeting_note,
    set_note_findings,
    set_note_placement,
    set_note_status,
    set_story_card,
    start_drafting,
)
from bot.storage.db import Database
from bot.storage.models import MeetingNote
from bot.storage.types import NoteSource, NoteStatus, StoryStatus, now_utc

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReceivedNotes:
    note_id: int
    created: bool  # False when this was a repeat delivery of notes already received


class StoryService:
    def __init__(
        self,
        db: Database,
        projects: ProjectsConfig,
        drafter: StoryDrafter,
        *,
        indexer: KnowledgeIndexer | None = None,
        similarity: Similarity | None = None,
        max_note_chars: int = 60_000,
    ) -> None:
        self._db = db
        self._projects = projects
        self._drafter = drafter
        self._indexer = indexer
        self._similarity = similarity
        self.max_note_chars = max_note_chars

    # -- notes in ------------------------------------------------------------------------

    def receive_notes(self, submission: NotesSubmission) -> ReceivedNotes:
        project = self._projects.get(submission.project)
        text = check_notes(submission.text, max_chars=self.max_note_chars)
        key = note_dedupe_key(
            submission.channel_id, submission.author_id, text, submission.delivery_id
        )
        with self._db.session() as session:
            note, created = save_meeting_note(
                project.key,
                text,
                source=NoteSource(submission.source),
                dedupe_key=key,
                channel_id=submission.channel_id,
                author_id=submission.author_id,
                title=submission.title,
                meeting_date=submission.meeting_date,
                source_private=submission.private,
                session=session,
            )
        assert note.id is not None
        return ReceivedNotes(note.id, created)

    def draft(
        self, note_id: int, on_progress: Progress, *, private: bool | None = None
    ) -> BatchView | None:
        """Draft, check and store stories for a note; None if another worker has it.

        `private` says whether the notes came from a private channel (known only after the
        ack, from Slack); it limits where the notes may be cited."""
        with self._db.session() as session:
            if not start_drafting(note_id, session=session):
                return None
            note = get_note(note_id, session=session)
            if private is not None and note.source_private != private:
                note.source_private = private
                session.add(note)
        project = self._projects.get(note.project)
        self._index_note(note)
        try:
            outcome = self._drafter.draft(
                note.raw_text,
                project_name=project.name,
                language=project.language,
                on_progress=on_progress,
            )
            on_progress("Checking the drafts…")
            drafts = [_to_quality(s) for s in outcome.stories]
            report = check_batch(
                drafts,
                note.raw_text,
                backlog=self._backlog(note.project),
                similarity=self._similarity,
            )
        except BotError as exc:
            with self._db.session() as session:
                set_note_status(note_id, NoteStatus.failed, error=exc.user_message, session=session)
            raise
        except Exception:
            with self._db.session() as session:
                set_note_status(note_id, NoteStatus.failed, error="internal error", session=session)
            raise
        new_stories = []
        for drafted, checked in zip(outcome.stories, report.stories, strict=True):
            backlog_match = next((d.backlog_id for d in checked.duplicates if d.backlog_id), None)
            new_stories.append(
                NewStory(
                    title=drafted.title,
                    role=drafted.role,
                    goal=drafted.goal,
                    benefit=drafted.benefit,
                    criteria=[
                        NewCriterion(c.given, c.when, c.then) for c in drafted.acceptance_criteria
                    ],
                    source_quotes=drafted.source_quotes,
                    open_questions=drafted.open_questions,
                    dependencies=drafted.depends_on,
                    lint_findings=[
                        {"check": str(f.check), "severity": f.severity, "message": f.message}
                        for f in checked.findings
                    ],
                    unsupported=checked.unsupported,
                    duplicate_of=int(backlog_match) if backlog_match else None,
                )
            )
        with self._db.session() as session:
            add_stories(note_id, new_stories, session=session)
            set_note_findings(
                note_id,
                open_questions=outcome.questions_for_client,
                out_of_scope=outcome.out_of_scope,
                uncovered_needs=report.uncovered_needs,
                session=session,
            )
            set_note_status(note_id, NoteStatus.drafted, session=session)
        return self.batch(note_id)

    def fail_interrupted(self) -> list[int]:
        """Notes left "drafting" by a crash or restart become failed, so Retry can pick them
        up; returns their ids. With SQLite the bot is one process, so every such note was
        interrupted; with PostgreSQL another replica may be drafting it right now, so only
        notes untouched for longer than any draft takes count."""
        grace = timedelta(0) if self._db.backend == "sqlite" else timedelta(minutes=15)
        cutoff = now_utc() - grace
        with self._db.session() as session:
            stuck = [
                note
                for note in notes_with_status(NoteStatus.drafting, session=session)
                if note.updated_at <= cutoff
            ]
            for note in stuck:
                assert note.id is not None
                set_note_status(
                    note.id,
                    NoteStatus.failed,
                    error="Drafting was interrupted by a restart of the bot.",
                    session=session,
                )
        return [n.id for n in stuck if n.id is not None]

    # -- reading -------------------------------------------------------------------------

    def batch(self, note_id: int) -> BatchView:
        with self._db.session() as session:
            note = get_note(note_id, session=session)
            stories = list_stories(note_id=note_id, session=session)
            criteria = criteria_for_stories([s.id for s in stories if s.id], session=session)
        views = [story_view(s, criteria.get(s.id or 0, []), note.raw_text) for s in stories]
        return batch_view(note, self._projects.get(note.project).name, views)

    def story(self, story_id: int) -> StoryView:
        with self._db.session() as session:
            story = get_story(story_id, session=session)
            note = get_note(story.note_id, session=session)
            return story_view(story, list_criteria(story_id, session=session), note.raw_text)

    def note_status(self, note_id: int) -> str:
        """received | drafting | drafted | failed"""
        with self._db.session() as session:
            return str(get_note(note_id, session=session).status)

    def note_text(self, note_id: int) -> str:
        with self._db.session() as session:
            return get_note(note_id, session=session).raw_text

    def placement(self, note_id: int) -> tuple[str, str] | None:
        """Where the batch's top message is (opaque channel and message ids)."""
        with self._db.session() as session:
            note = get_note(note_id, session=session)
        if note.placement_channel and note.placement_ts:
            return note.placement_channel, note.placement_ts
        return None

    def set_placement(self, note_id: int, channel: str, ts: str) -> None:
        with self._db.session() as session:
            set_note_placement(note_id, channel, ts, session=session)

    def card(self, story_id: int) -> tuple[str, str] | None:
        with self._db.session() as session:
            story = get_story(story_id, session=session)
        return (story.card_channel, story.card_ts) if story.card_channel and story.card_ts else None

    def set_card(self, story_id: int, channel: str, ts: str) -> None:
        with self._db.session() as session:
            set_story_card(story_id, channel, ts, session=session)

    def approved(self, project: str) -> list[StoryView]:
        with self._db.session() as session:
            stories = list_stories(project=project, status=StoryStatus.approved, session=session)
            criteria = criteria_for_stories([s.id for s in stories if s.id], session=session)
            notes = {s.note_id: get_note(s.note_id, session=session).raw_text for s in stories}
        return [story_view(s, criteria.get(s.id or 0, []), notes[s.note_id]) for s in stories]

    # -- helpers -------------------------------------------------------------------------

    def _backlog(self, project: str) -> list[tuple[str, str]]:
        return [(str(s.id), comparison_text(_view_to_quality(s))) for s in self.approved(project)]

    def _index_note(self, note: MeetingNote) -> None:
        """Notes become searchable as they are drafted (after the ack: the first index use
        loads the embedding model); failing to index must not stop the draft."""
        if self._indexer is None or note.id is None:
            return
        try:
            self._indexer.index_note(
                note.id,
                note.raw_text,
                project=note.project,
                title=note.title,
                channel=note.channel_id,
                private=note.source_private,
                created_at=note.created_at,
            )
        except Exception:
            log.exception("could not index meeting note %s", note.id)


def _to_quality(story: DraftedStory) -> StoryDraft:
    return StoryDraft(
        story.title,
        story.role,
        story.goal,
        story.benefit,
        tuple(Criterion(c.given, c.when, c.then) for c in story.acceptance_criteria),
        tuple(story.source_quotes),
    )


def _view_to_quality(story: StoryView) -> StoryDraft:
    return StoryDraft(story.title, story.role, story.goal, story.benefit)
