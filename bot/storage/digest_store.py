"""The digest service's store: claims on the digest table, collected channel messages, and
one read of everything a digest window reports, as plain `bot.domain` records."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlmodel import Session

from bot.domain import MessageRef
from bot.domain.digests import (
    DigestActivity,
    DigestDecision,
    DigestKey,
    DigestMessage,
    DigestNote,
    DigestQuestion,
    DigestSideName,
    DigestStory,
    DigestWrongAnswer,
    PostedDigest,
)
from bot.domain.stories import StoryState
from bot.domain.tracker import IssueRef
from bot.storage.db import Database
from bot.storage.decisions import get_decision, list_decisions
from bot.storage.digest_claims import (
    claim_digest,
    last_posted_digest,
    mark_digest_failed,
    mark_digest_posted,
)
from bot.storage.messages import (
    add_channel_message,
    forget_channel_messages,
    list_channel_messages,
    revise_channel_message,
)
from bot.storage.models import AnswerFeedback, Decision, MeetingNote, Question, Story
from bot.storage.notes import get_note, notes_between
from bot.storage.questions import list_questions, open_questions, wrong_answer_feedback
from bot.storage.stories import list_stories
from bot.storage.types import DigestSide, NoteStatus, QuestionStatus, StoryStatus


class SqlDigestStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def collect(
        self,
        project: str,
        message: MessageRef,
        text: str,
        *,
        user_id: str | None,
        thread_ts: str | None,
        permalink: str | None,
    ) -> bool:
        with self._db.session() as session:
            return add_channel_message(
                project,
                message.channel,
                message.ts,
                text,
                user_id=user_id,
                thread_ts=thread_ts,
                permalink=permalink,
                session=session,
            )

    def revise(self, message: MessageRef, text: str | None) -> bool:
        with self._db.session() as session:
            return revise_channel_message(message.channel, message.ts, text, session=session) > 0

    def forget_before(self, cutoff: datetime) -> int:
        with self._db.session() as session:
            return forget_channel_messages(cutoff, session=session)

    def last_posted(self, project: str, side: DigestSideName) -> PostedDigest | None:
        with self._db.session() as session:
            digest = last_posted_digest(project, DigestSide(side), session=session)
            return PostedDigest(digest.local_date, digest.window_end) if digest else None

    def claim(
        self,
        key: DigestKey,
        *,
        channel: str,
        window_start: datetime,
        window_end: datetime,
        claimed_at: datetime,
        stale_before: datetime,
    ) -> bool:
        with self._db.session() as session:
            return claim_digest(
                key.project,
                DigestSide(key.side),
                key.local_date,
                channel_id=channel,
                window_start=window_start,
                window_end=window_end,
                stale_before=stale_before,
                claimed_at=claimed_at,
                session=session,
            )

    def mark_posted(
        self, key: DigestKey, message: MessageRef | None, *, claimed_at: datetime
    ) -> None:
        with self._db.session() as session:
            mark_digest_posted(
                key.project,
                DigestSide(key.side),
                key.local_date,
                # A skipped quiet digest posted nothing: it keeps the channel it was claimed for.
                channel_id=message.channel if message else None,
                message_ts=message.ts if message else "",
                claimed_at=claimed_at,
                session=session,
            )

    def mark_failed(self, key: DigestKey, error: str, *, claimed_at: datetime) -> None:
        with self._db.session() as session:
            mark_digest_failed(
                key.project,
                DigestSide(key.side),
                key.local_date,
                error,
                claimed_at=claimed_at,
                session=session,
            )

    def activity(
        self, project: str, *, since: datetime, until: datetime, discussion_channel: str
    ) -> DigestActivity:
        with self._db.session() as session:
            read = _Reader(session)
            changed = list_stories(project=project, since=since, until=until, session=session)
            waiting = list_stories(project=project, status=StoryStatus.draft, session=session)
            decisions = list_decisions(
                project, include_superseded=True, since=since, until=until, session=session
            )
            asked = list_questions(project, since=since, until=until, session=session)
            still_open = open_questions(project, session=session)
            notes = notes_between(project, since=since, until=until, session=session)
            wrong = wrong_answer_feedback(project, since=since, until=until, session=session)
            messages = list_channel_messages(
                project, since=since, until=until, channel_id=discussion_channel, session=session
            )
            return DigestActivity(
                changed=tuple(read.story(s) for s in changed),
                waiting=tuple(read.story(s) for s in waiting),
                decisions=tuple(_decision(d) for d in decisions),
                asked=tuple(read.question(q) for q in asked),
                open_questions=tuple(read.question(q) for q in still_open),
                # A drafted note that yielded nothing ("hello") is no meeting to report.
                notes=tuple(
                    note
                    for note in (read.note(n) for n in notes)
                    if note.stories or note.open_questions or not _drafted(notes, note.id)
                ),
                discussion=tuple(
                    DigestMessage(MessageRef(m.channel_id, m.ts), m.user_id, m.text)
                    for m in messages
                ),
                wrong_answers=read.wrong_answers(wrong),
            )


class _Reader:
    """Rows to records within one session, reading each story's notes once."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._notes: dict[int, MeetingNote] = {}

    def _note(self, note_id: int) -> MeetingNote:
        if note_id not in self._notes:
            self._notes[note_id] = get_note(note_id, session=self._session)
        return self._notes[note_id]

    def story(self, story: Story) -> DigestStory:
        assert story.id is not None
        note = self._note(story.note_id)
        card = (
            MessageRef(story.card_channel, story.card_ts)
            if story.card_channel and story.card_ts
            else None
        )
        return DigestStory(
            id=story.id,
            note_id=story.note_id,
            title=story.title,
            status=cast(StoryState, str(story.status)),
            decided_by=story.decided_by,
            card=card,
            thread_ts=note.placement_ts,
            created_at=story.created_at,
            source_channel=note.channel_id,
            source_private=note.source_private,
            issue=IssueRef(story.issue_key, story.issue_url or "") if story.issue_key else None,
        )

    def note(self, note: MeetingNote) -> DigestNote:
        assert note.id is not None
        self._notes[note.id] = note
        batch = (
            MessageRef(note.placement_channel, note.placement_ts)
            if note.placement_channel and note.placement_ts
            else None
        )
        return DigestNote(
            id=note.id,
            title=note.title,
            text=note.raw_text,
            meeting_date=note.meeting_date,
            received_at=note.created_at,
            batch=batch,
            open_questions=tuple(note.open_questions),
            stories=tuple(
                self.story(s) for s in list_stories(note_id=note.id, session=self._session)
            ),
            source_channel=note.channel_id,
            source_private=note.source_private,
        )

    def wrong_answers(
        self, verdicts: list[tuple[AnswerFeedback, Question]]
    ) -> tuple[DigestWrongAnswer, ...]:
        """One entry per answer message, however many people marked it wrong."""
        grouped: dict[tuple[str, str], list[tuple[AnswerFeedback, Question]]] = {}
        for feedback, question in verdicts:
            grouped.setdefault((feedback.channel_id, feedback.message_ts), []).append(
                (feedback, question)
            )
        return tuple(
            DigestWrongAnswer(
                question=self.question(rows[-1][1]),
                citations=tuple(rows[-1][1].citations),
                answer=MessageRef(*where),
                reporters=tuple(dict.fromkeys(f.user_id for f, _ in rows)),
                at=rows[-1][0].at,
            )
            for where, rows in grouped.items()
        )

    def question(self, question: Question) -> DigestQuestion:
        assert question.id is not None
        answer = (
            _decision(get_decision(question.answer_decision_id, session=self._session))
            if question.answer_decision_id is not None
            else None
        )
        ts = question.thread_ts or question.message_ts
        return DigestQuestion(
            id=question.id,
            text=question.text,
            asker_id=question.asker_id,
            asked_at=question.asked_at,
            message=MessageRef(question.channel_id, ts) if ts else None,
            answered=question.status == QuestionStatus.answered,
            answer_text=question.answer_text,
            answer_decision=answer,
            source_channel=question.channel_id,
            source_private=question.source_private,
        )


def _drafted(notes: list[MeetingNote], note_id: int) -> bool:
    return any(n.id == note_id and n.status == NoteStatus.drafted for n in notes)


def _decision(decision: Decision) -> DigestDecision:
    assert decision.id is not None
    return DigestDecision(
        id=decision.id,
        text=decision.text,
        author_id=decision.author_id,
        at=decision.created_at,
        permalink=decision.source_permalink,
        superseded=decision.superseded_by_id is not None,
        source_channel=decision.source_channel,
        source_private=decision.source_private,
    )
