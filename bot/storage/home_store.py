"""`SqlHomeStore`: what a Home tab lists, one query per section for all of a person's projects
at once (a Home tab is rendered on every open, so it must stay cheap)."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import col, select

from bot.domain import MessageRef
from bot.domain.home import OpenQuestion, RecentDecision, WaitingStory
from bot.domain.stories import indefinite_article
from bot.storage.db import Database
from bot.storage.models import Decision, MeetingNote, Question, Story
from bot.storage.types import QuestionStatus, StoryStatus

_OPEN = (QuestionStatus.asked, QuestionStatus.escalated)


class SqlHomeStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def waiting_stories(self, projects: Collection[str], limit: int) -> list[WaitingStory]:
        """Drafted stories nobody decided on yet, oldest first, with their notes' source."""
        if not projects:
            return []
        stmt = (
            select(Story, MeetingNote)
            .join(MeetingNote, col(MeetingNote.id) == col(Story.note_id))
            .where(col(Story.project).in_(projects), col(Story.status) == StoryStatus.draft)
            .order_by(col(Story.created_at), col(Story.id))
            .limit(limit)
        )
        with self._db.session() as session:
            rows = session.exec(stmt).all()
            return [_waiting(story, note) for story, note in rows]

    def escalated_questions(self, projects: Collection[str], limit: int) -> list[OpenQuestion]:
        """Questions sent to the reviewers and not answered yet, oldest first."""
        if not projects:
            return []
        stmt = (
            select(Question)
            .where(
                col(Question.project).in_(projects),
                col(Question.status) == QuestionStatus.escalated,
            )
            .order_by(col(Question.asked_at), col(Question.id))
            .limit(limit)
        )
        with self._db.session() as session:
            return [_question(q) for q in session.exec(stmt).all()]

    def open_questions_of(self, asker_id: str, limit: int) -> list[OpenQuestion]:
        """What this person asked that nobody has answered yet, newest first."""
        stmt = (
            select(Question)
            .where(col(Question.asker_id) == asker_id, col(Question.status).in_(_OPEN))
            .order_by(col(Question.asked_at).desc(), col(Question.id).desc())
            .limit(limit)
        )
        with self._db.session() as session:
            return [_question(q) for q in session.exec(stmt).all()]

    def recent_decisions(self, projects: Collection[str], limit: int) -> list[RecentDecision]:
        """The newest current decisions of these projects (private ones included: the caller
        decides who may see them)."""
        if not projects:
            return []
        stmt = (
            select(Decision)
            .where(
                col(Decision.project).in_(projects),
                col(Decision.removed_at).is_(None),
                col(Decision.superseded_by_id).is_(None),
            )
            .order_by(col(Decision.created_at).desc(), col(Decision.id).desc())
            .limit(limit)
        )
        with self._db.session() as session:
            return [_decision(d) for d in session.exec(stmt).all()]


def _waiting(story: Story, note: MeetingNote) -> WaitingStory:
    sentence = f"As {indefinite_article(story.role)} {story.role}, I want {story.goal}"
    card = None
    if story.card_channel and story.card_ts:
        card = MessageRef(story.card_channel, story.card_ts)
    return WaitingStory(
        id=story.id or 0,
        project=story.project,
        title=story.title,
        sentence=sentence,
        source_channel=note.channel_id,
        source_private=note.source_private,
        card=card,
    )


def _question(q: Question) -> OpenQuestion:
    escalation = (
        MessageRef(q.escalation_channel, q.escalation_ts)
        if q.escalation_channel and q.escalation_ts
        else None
    )
    return OpenQuestion(
        id=q.id or 0,
        project=q.project,
        text=q.text,
        asker_id=q.asker_id,
        channel=q.channel_id,
        private=q.source_private,
        asked_at=q.asked_at,
        escalation=escalation,
    )


def _decision(d: Decision) -> RecentDecision:
    return RecentDecision(
        id=d.id or 0,
        project=d.project,
        text=d.text,
        author_id=d.author_id,
        created_at=d.created_at,
        permalink=d.source_permalink,
        source_channel=d.source_channel,
        source_private=d.source_private,
    )
