"""The stores behind the knowledge use cases: decisions, questions and their escalations, and
feedback on answers. Each method is one unit of work and speaks domain views, never rows."""

from __future__ import annotations

from datetime import datetime

from bot.domain import MessageRef
from bot.domain.knowledge import DecisionInput, DecisionView, QuestionView
from bot.errors import BotError
from bot.storage.db import Database
from bot.storage.decisions import add_decision, get_decision, revise_from_message
from bot.storage.models import Decision, Question
from bot.storage.questions import (
    add_question,
    answer_question,
    claim_for_answer,
    escalate_question,
    get_question,
    question_by_escalation,
    question_by_message,
    record_answer_feedback,
    record_bot_answer,
    release_answer_claim,
    thread_questions,
)
from bot.storage.types import DecisionOrigin, FeedbackVerdict, QuestionStatus


class SqlDecisionStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, decision: DecisionInput) -> tuple[DecisionView, bool, DecisionView | None]:
        """Store a decision: the new (or earlier) record, whether it is new, and the decision it
        superseded as it now stands (None when it replaced none or was recorded before)."""
        with self._db.session() as session:
            if decision.supersedes_id is not None:
                old = get_decision(decision.supersedes_id, session=session)
                if old.project != decision.project:
                    raise BotError(f"Decision #{old.id} belongs to another project.")
            row, created = add_decision(
                decision.project,
                decision.text,
                author_id=decision.author_id,
                origin=DecisionOrigin(decision.origin),
                source_channel=decision.source_channel,
                source_ts=decision.source_ts,
                source_permalink=decision.permalink,
                source_private=decision.private,
                supersedes_id=decision.supersedes_id,
                question_id=decision.question_id,
                session=session,
            )
            superseded = None
            if created and decision.supersedes_id is not None:
                superseded = decision_view(get_decision(decision.supersedes_id, session=session))
            return decision_view(row), created, superseded

    def revise_from_message(
        self, message: MessageRef, text: str | None, *, actor_id: str | None, at: datetime
    ) -> list[DecisionView]:
        """The decisions taken from `message`, edited to `text` or removed (None), each with a
        revision in its history."""
        with self._db.session() as session:
            rows = revise_from_message(
                message.channel, message.ts, text, actor_id=actor_id, at=at, session=session
            )
            return [decision_view(row) for row in rows]


class SqlQuestionStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(
        self,
        project: str,
        channel: str,
        text: str,
        *,
        asker_id: str,
        thread_ts: str | None,
        message_ts: str | None,
        private: bool,
        looking: MessageRef | None = None,
    ) -> tuple[QuestionView, bool]:
        """A new question; a retried message (same channel and ts) returns the first, False."""
        with self._db.session() as session:
            row, created = add_question(
                project,
                channel,
                text,
                asker_id=asker_id,
                thread_ts=thread_ts,
                message_ts=message_ts,
                source_private=private,
                looking_ts=looking.ts if looking else None,
                session=session,
            )
            return question_view(row), created

    def asked(self, channel: str, message_ts: str) -> QuestionView | None:
        """The question asked by that message, if it was recorded."""
        with self._db.session() as session:
            row = question_by_message(channel, message_ts, session=session)
            return None if row is None else question_view(row)

    def in_thread(self, channel: str, thread_ts: str) -> list[QuestionView]:
        with self._db.session() as session:
            return [question_view(q) for q in thread_questions(channel, thread_ts, session=session)]

    def get(self, question_id: int) -> QuestionView:
        with self._db.session() as session:
            return question_view(get_question(question_id, session=session))

    def escalated_at(self, where: MessageRef) -> QuestionView | None:
        with self._db.session() as session:
            row = question_by_escalation(where.channel, where.ts, session=session)
            return None if row is None else question_view(row)

    def record_bot_answer(self, question_id: int, text: str, citations: list[str]) -> None:
        with self._db.session() as session:
            record_bot_answer(question_id, text, citations, session=session)

    def mark_escalated(self, question_id: int, where: MessageRef) -> None:
        with self._db.session() as session:
            escalate_question(question_id, channel=where.channel, ts=where.ts, session=session)

    def claim_for_answer(self, question_id: int) -> bool:
        with self._db.session() as session:
            return claim_for_answer(question_id, session=session)

    def release_claim(self, question_id: int) -> None:
        with self._db.session() as session:
            release_answer_claim(question_id, session=session)

    def mark_answered(self, question_id: int, decision_id: int) -> QuestionView:
        with self._db.session() as session:
            row = answer_question(question_id, decision_id=decision_id, session=session)
            return question_view(row)

    def record_feedback(
        self, question_id: int, answer: MessageRef, user_id: str, *, helpful: bool
    ) -> QuestionView:
        verdict = FeedbackVerdict.helpful if helpful else FeedbackVerdict.wrong
        with self._db.session() as session:
            record_answer_feedback(
                answer.channel,
                answer.ts,
                user_id,
                verdict,
                question_id=question_id,
                session=session,
            )
            return question_view(get_question(question_id, session=session))


def decision_view(row: Decision) -> DecisionView:
    assert row.id is not None
    return DecisionView(
        id=row.id,
        project=row.project,
        text=row.text,
        author_id=row.author_id,
        origin=str(row.origin),
        permalink=row.source_permalink,
        source_channel=row.source_channel,
        created_at=row.created_at,
        supersedes_id=row.supersedes_id,
        superseded_by_id=row.superseded_by_id,
        private=row.source_private,
        question_id=row.question_id,
        removed=row.removed_at is not None,
    )


def question_view(row: Question) -> QuestionView:
    assert row.id is not None
    escalation = None
    if row.escalation_channel and row.escalation_ts:
        escalation = MessageRef(row.escalation_channel, row.escalation_ts)
    return QuestionView(
        id=row.id,
        project=row.project,
        channel=row.channel_id,
        text=row.text,
        asker_id=row.asker_id,
        thread_ts=row.thread_ts,
        message_ts=row.message_ts,
        private=row.source_private,
        answered=row.status == QuestionStatus.answered,
        answer_text=row.answer_text,
        escalation=escalation,
        looking=MessageRef(row.channel_id, row.looking_ts) if row.looking_ts else None,
    )
