"""Meeting notes: stored once per submission however often Slack or the user retries."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.errors import NotFound
from bot.storage._sql import insert_ignore, rowcount
from bot.storage.models import MeetingNote
from bot.storage.types import NoteSource, NoteStatus


def note_dedupe_key(*parts: object) -> str:
    """A stable key from what identifies one submission, e.g. channel, author, text, trigger.

    ``None`` parts count as empty strings; the text is hashed as given (no normalising), so an
    edited resubmission is a new note.
    """
    joined = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def save_meeting_note(
    project: str,
    raw_text: str,
    *,
    source: NoteSource,
    dedupe_key: str,
    channel_id: str | None = None,
    author_id: str | None = None,
    title: str = "",
    meeting_date: date | None = None,
    source_private: bool = False,
    source_ts: str | None = None,
    session: Session,
) -> tuple[MeetingNote, bool]:
    """Store a note; on a repeat of ``(project, dedupe_key)`` return the stored one.

    The flag is True only for the call that created the note, so exactly one caller goes on to
    draft stories from it.
    """
    note = MeetingNote(
        project=project,
        raw_text=raw_text,
        source=source,
        dedupe_key=dedupe_key,
        channel_id=channel_id,
        author_id=author_id,
        title=title,
        meeting_date=meeting_date,
        source_private=source_private,
        source_ts=source_ts,
    )
    created = insert_ignore(session, note, "project", "dedupe_key")
    stored = session.exec(
        select(MeetingNote).where(
            col(MeetingNote.project) == project, col(MeetingNote.dedupe_key) == dedupe_key
        )
    ).one()
    return stored, created


def get_note(note_id: int, *, session: Session) -> MeetingNote:
    note = session.get(MeetingNote, note_id)
    if note is None:
        raise NotFound(f"There is no meeting note #{note_id}.")
    return note


def start_drafting(note_id: int, *, session: Session, resume: bool = False) -> bool:
    """Move a received (or failed) note to drafting; False if another worker already has it.
    `resume`: also take over a note left drafting by a worker that died (its job's lease
    lapsed, so the job ledger hands it to exactly one successor)."""
    claimable = [NoteStatus.received, NoteStatus.failed]
    if resume:
        claimable.append(NoteStatus.drafting)
    stmt = (
        sa.update(MeetingNote)
        .where(col(MeetingNote.id) == note_id, col(MeetingNote.status).in_(claimable))
        .values(status=NoteStatus.drafting, error=None)
    )
    claimed = rowcount(session, stmt) == 1
    # Reload so a note object the caller already holds shows the new status.
    if session.get(MeetingNote, note_id, populate_existing=True) is None:
        raise NotFound(f"There is no meeting note #{note_id}.")
    return claimed


def set_note_status(
    note_id: int, status: NoteStatus, *, error: str | None = None, session: Session
) -> MeetingNote:
    """Set the status; ``error`` is kept for failed notes and cleared otherwise."""
    note = get_note(note_id, session=session)
    note.status = status
    note.error = error if status is NoteStatus.failed else None
    session.add(note)
    session.flush()
    return note


def set_note_placement(note_id: int, channel: str, ts: str, *, session: Session) -> MeetingNote:
    """Remember the "drafting…" message so later updates edit it instead of posting anew."""
    note = get_note(note_id, session=session)
    note.placement_channel = channel
    note.placement_ts = ts
    session.add(note)
    session.flush()
    return note


def set_note_findings(
    note_id: int,
    *,
    open_questions: Sequence[str],
    out_of_scope: Sequence[str],
    uncovered_needs: Sequence[str],
    session: Session,
) -> MeetingNote:
    """Keep the batch-level results of drafting: questions for the client, exclusions, gaps."""
    note = get_note(note_id, session=session)
    note.open_questions = list(open_questions)
    note.out_of_scope = list(out_of_scope)
    note.uncovered_needs = list(uncovered_needs)
    session.add(note)
    session.flush()
    return note


def notes_with_status(status: NoteStatus, *, session: Session) -> list[MeetingNote]:
    """Every note in a status, oldest first (e.g. drafts a restart interrupted)."""
    stmt = (
        select(MeetingNote).where(col(MeetingNote.status) == status).order_by(col(MeetingNote.id))
    )
    return list(session.exec(stmt).all())


def notes_between(
    project: str, *, since: datetime, until: datetime, session: Session
) -> list[MeetingNote]:
    """Notes received in [since, until), oldest first: what a digest reports. Notes whose
    draft failed or whose message was deleted are left out."""
    stmt = (
        select(MeetingNote)
        .where(
            col(MeetingNote.project) == project,
            col(MeetingNote.status).not_in([NoteStatus.failed, NoteStatus.removed]),
            col(MeetingNote.created_at) >= since,
            col(MeetingNote.created_at) < until,
        )
        .order_by(col(MeetingNote.created_at), col(MeetingNote.id))
    )
    return list(session.exec(stmt).all())


def notes_from_message(channel_id: str, ts: str, *, session: Session) -> list[MeetingNote]:
    """Notes taken from that Slack message (the message shortcut), not removed."""
    stmt = select(MeetingNote).where(
        col(MeetingNote.channel_id) == channel_id,
        col(MeetingNote.source_ts) == ts,
        col(MeetingNote.status) != NoteStatus.removed,
    )
    return list(session.exec(stmt).all())
