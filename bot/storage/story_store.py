"""`SqlStoryStore`: notes, drafted stories and their review, one unit of work per method.

It takes and returns the plain types of `bot.domain`; rows and sessions stay in here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime, timedelta
from typing import cast

import sqlalchemy as sa
from sqlmodel import col, select

from bot.domain import MessageRef
from bot.domain.jobs import Job
from bot.domain.stories import (
    Criterion,
    FindingView,
    NoteState,
    Severity,
    StoredNote,
    StoredStory,
    StoryContent,
    StoryEdit,
    StoryState,
)
from bot.domain.tracker import IssueRef, TrackedIssue
from bot.storage._sql import rowcount
from bot.storage.db import Database
from bot.storage.jobs import record_job
from bot.storage.models import AcceptanceCriterion, MeetingNote, Story
from bot.storage.notes import (
    get_note,
    note_dedupe_key,
    notes_from_message,
    notes_with_status,
    save_meeting_note,
    set_note_findings,
    set_note_placement,
    set_note_status,
    start_drafting,
)
from bot.storage.reviews import decide_story, edit_story
from bot.storage.stories import (
    add_stories,
    claim_story_card,
    criteria_for_stories,
    get_story,
    list_criteria,
    list_stories,
    release_story_card,
    set_story_card,
)
from bot.storage.types import NoteSource, NoteStatus, StoryStatus, now_utc

# With PostgreSQL another replica may be drafting a note right now; only a draft untouched for
# longer than any draft takes counts as interrupted.
_REPLICA_GRACE = timedelta(minutes=15)


class SqlStoryStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- notes ---------------------------------------------------------------------------

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
        """Store notes once per delivery: (note id, True only for the call that stored it).
        A new note's `job(note_id)` commits with it, so notes are never kept without the job
        that drafts them (the caller puts its key on the queue after the commit)."""
        key = note_dedupe_key(channel_id, author_id, text, delivery_id)
        with self._db.session() as session:
            note, created = save_meeting_note(
                project,
                text,
                source=NoteSource(source),
                dedupe_key=key,
                channel_id=channel_id,
                author_id=author_id,
                title=title,
                meeting_date=meeting_date,
                source_private=private,
                source_ts=source_ts,
                session=session,
            )
            assert note.id is not None
            if created and job is not None:
                record_job(session, job(note.id))
        return note.id, created

    def notes_from_message(self, message: MessageRef) -> list[StoredNote]:
        with self._db.session() as session:
            return [
                _note(n) for n in notes_from_message(message.channel, message.ts, session=session)
            ]

    def note_placed_at(self, where: MessageRef) -> StoredNote | None:
        """The notes whose batch message (the top of the cards' thread) is `where`."""
        stmt = select(MeetingNote).where(
            col(MeetingNote.placement_channel) == where.channel,
            col(MeetingNote.placement_ts) == where.ts,
        )
        with self._db.session() as session:
            note = session.exec(stmt).first()
            return _note(note) if note is not None else None

    def mark_removed(self, note_id: int) -> None:
        with self._db.session() as session:
            note = get_note(note_id, session=session)
            note.status = NoteStatus.removed
            session.add(note)

    def start_drafting(
        self, note_id: int, *, private: bool | None, resume: bool = False
    ) -> StoredNote | None:
        """Claim the note for drafting; None if another worker has it or it is drafted."""
        with self._db.session() as session:
            if not start_drafting(note_id, session=session, resume=resume):
                return None
            note = get_note(note_id, session=session)
            if private is not None and note.source_private != private:
                note.source_private = private
                session.add(note)
            return _note(note)

    def save_drafts(
        self,
        note_id: int,
        stories: Sequence[StoryContent],
        *,
        open_questions: Sequence[str],
        out_of_scope: Sequence[str],
        uncovered_needs: Sequence[str],
    ) -> None:
        """Store the drafted stories and what the notes left open; the note is drafted."""
        with self._db.session() as session:
            add_stories(note_id, stories, session=session)
            set_note_findings(
                note_id,
                open_questions=open_questions,
                out_of_scope=out_of_scope,
                uncovered_needs=uncovered_needs,
                session=session,
            )
            set_note_status(note_id, NoteStatus.drafted, session=session)

    def mark_failed(self, note_id: int, error: str) -> None:
        with self._db.session() as session:
            set_note_status(note_id, NoteStatus.failed, error=error, session=session)

    def fail_interrupted(
        self, error: str, *, now: datetime, resuming: Collection[int] = ()
    ) -> list[StoredNote]:
        """Notes left drafting by a crash or restart become failed; returns them. With SQLite
        the bot is one process, so every such note was interrupted, except those whose
        drafting job is still open (`resuming`): a worker will finish them."""
        grace = timedelta(0) if self._db.backend == "sqlite" else _REPLICA_GRACE
        with self._db.session() as session:
            stuck = [
                note
                for note in notes_with_status(NoteStatus.drafting, session=session)
                if note.updated_at <= now - grace and note.id not in resuming
            ]
            for note in stuck:
                assert note.id is not None
                set_note_status(note.id, NoteStatus.failed, error=error, session=session)
            return [_note(note) for note in stuck]

    def set_placement(self, note_id: int, where: MessageRef) -> None:
        with self._db.session() as session:
            set_note_placement(note_id, where.channel, where.ts, session=session)

    # -- stories -------------------------------------------------------------------------

    def batch(self, note_id: int) -> tuple[StoredNote, list[StoredStory]]:
        """The note and its stories, in order."""
        with self._db.session() as session:
            note = get_note(note_id, session=session)
            stories = list_stories(note_id=note_id, session=session)
            criteria = criteria_for_stories([s.id for s in stories if s.id], session=session)
        return _note(note), [_story(s, criteria.get(s.id or 0, [])) for s in stories]

    def story(self, story_id: int) -> tuple[StoredNote, StoredStory]:
        """The story and the notes it was drafted from."""
        with self._db.session() as session:
            story = get_story(story_id, session=session)
            note = get_note(story.note_id, session=session)
            criteria = list_criteria(story_id, session=session)
        return _note(note), _story(story, criteria)

    def approved(self, project: str) -> list[tuple[StoredNote, StoredStory]]:
        """The project's approved backlog, each story with its notes, in note order."""
        with self._db.session() as session:
            stories = list_stories(project=project, status=StoryStatus.approved, session=session)
            criteria = criteria_for_stories([s.id for s in stories if s.id], session=session)
            notes = {s.note_id: _note(get_note(s.note_id, session=session)) for s in stories}
        return [(notes[s.note_id], _story(s, criteria.get(s.id or 0, []))) for s in stories]

    def set_card(self, story_id: int, where: MessageRef) -> None:
        with self._db.session() as session:
            set_story_card(story_id, where.channel, where.ts, session=session)

    def claim_card(self, story_id: int, *, now: datetime, stale_before: datetime) -> bool:
        with self._db.session() as session:
            return claim_story_card(story_id, now=now, stale_before=stale_before, session=session)

    def release_card(self, story_id: int) -> None:
        with self._db.session() as session:
            release_story_card(story_id, session=session)

    def decide(
        self,
        story_id: int,
        decision: StoryState,
        actor_id: str,
        reason: str | None = None,
        *,
        expected: StoryState = "draft",
    ) -> None:
        """Approve or reject a draft once (or reject an approved story, when `expected` says
        the reviewer saw it approved); `AlreadyDecided` if someone decided first."""
        with self._db.session() as session:
            decide_story(
                story_id,
                StoryStatus(decision),
                actor_id,
                reason,
                expected=StoryStatus(expected),
                session=session,
            )

    def edit(
        self, story_id: int, actor_id: str, change: StoryEdit, findings: Sequence[FindingView]
    ) -> None:
        with self._db.session() as session:
            edit_story(
                story_id,
                actor_id,
                title=change.title,
                role=change.role,
                goal=change.goal,
                benefit=change.benefit,
                criteria=change.criteria,
                findings=findings,
                points=change.points,
                priority=change.priority,
                session=session,
            )

    # -- the story's issue in the tracker ------------------------------------------------

    def claim_push(self, story_id: int, owner: str, *, seconds: float) -> bool:
        """Take the story for `owner` (a job key) unless another owner holds it and its time
        has not run out; the same owner may take it again (its next attempt after a crash)."""
        now = now_utc()
        stmt = (
            sa.update(Story)
            .where(
                col(Story.id) == story_id,
                sa.or_(
                    col(Story.issue_owner).is_(None),
                    col(Story.issue_owner) == owner,
                    col(Story.issue_owner_until) < now,
                ),
            )
            .values(issue_owner=owner, issue_owner_until=now + timedelta(seconds=seconds))
        )
        with self._db.session() as session:
            return rowcount(session, stmt) == 1

    def release_push(self, story_id: int, owner: str) -> None:
        stmt = (
            sa.update(Story)
            .where(col(Story.id) == story_id, col(Story.issue_owner) == owner)
            .values(issue_owner=None, issue_owner_until=None)
        )
        with self._db.session() as session:
            rowcount(session, stmt)

    def start_push(self, story_id: int) -> None:
        """A create is about to be sent: until its answer is stored, its outcome is unknown."""
        with self._db.session() as session:
            story = get_story(story_id, session=session)
            if story.issue_key is None and story.issue_pending_at is None:
                story.issue_pending_at = now_utc()
                session.add(story)

    def set_issue(self, story_id: int, issue: IssueRef) -> None:
        with self._db.session() as session:
            story = get_story(story_id, session=session)
            story.issue_key, story.issue_url = issue.key, issue.url
            story.issue_pending_at = None
            story.issue_problem = None
            session.add(story)

    def set_push_problem(self, story_id: int, problem: str | None) -> None:
        """Show `problem` on the card (None clears it); each problem counts one failure."""
        with self._db.session() as session:
            story = get_story(story_id, session=session)
            story.issue_problem = problem
            if problem is not None:
                story.issue_failures += 1
            session.add(story)

    def set_issue_closed(self, story_id: int) -> None:
        with self._db.session() as session:
            story = get_story(story_id, session=session)
            story.issue_closed = True
            story.issue_problem = None
            session.add(story)

    def mark_exported(self, story_ids: Collection[int]) -> None:
        with self._db.session() as session:
            at = now_utc()
            for story_id in story_ids:
                story = get_story(story_id, session=session)
                story.exported_at = at
                session.add(story)


def _note(note: MeetingNote) -> StoredNote:
    assert note.id is not None
    placement = (
        MessageRef(note.placement_channel, note.placement_ts)
        if note.placement_channel and note.placement_ts
        else None
    )
    return StoredNote(
        id=note.id,
        project=note.project,
        text=note.raw_text,
        status=cast(NoteState, str(note.status)),
        title=note.title,
        meeting_date=note.meeting_date,
        author_id=note.author_id,
        channel_id=note.channel_id,
        private=note.source_private,
        created_at=note.created_at,
        placement=placement,
        open_questions=tuple(note.open_questions),
        out_of_scope=tuple(note.out_of_scope),
        uncovered_needs=tuple(note.uncovered_needs),
    )


def _story(story: Story, criteria: Sequence[AcceptanceCriterion]) -> StoredStory:
    assert story.id is not None
    content = StoryContent(
        title=story.title,
        role=story.role,
        goal=story.goal,
        benefit=story.benefit,
        criteria=tuple(Criterion(c.given, c.when, c.then) for c in criteria),
        source_quotes=tuple(story.source_quotes),
        open_questions=tuple(story.open_questions),
        dependencies=tuple(story.dependencies),
        findings=tuple(
            FindingView(str(f["check"]), cast(Severity, f["severity"]), str(f["message"]))
            for f in story.lint_findings
        ),
        unsupported=story.unsupported,
        duplicate_of=story.duplicate_of,
    )
    card = (
        MessageRef(story.card_channel, story.card_ts)
        if story.card_channel and story.card_ts
        else None
    )
    issue = IssueRef(story.issue_key, story.issue_url or "") if story.issue_key else None
    tracked = TrackedIssue(
        issue=issue,
        problem=story.issue_problem,
        failures=story.issue_failures,
        pending=story.issue_pending_at is not None,
        closed=story.issue_closed,
    )
    return StoredStory(
        id=story.id,
        note_id=story.note_id,
        project=story.project,
        position=story.position,
        content=content,
        status=cast(StoryState, str(story.status)),
        decided_by=story.decided_by,
        decided_at=story.decided_at,
        reject_reason=story.reject_reason,
        card=card,
        points=story.points,
        priority=story.priority,
        tracked=tracked,
        exported=story.exported_at is not None,
    )
