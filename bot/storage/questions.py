"""Questions asked of the bot, their answers, escalations, and feedback on answers."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.errors import NotFound
from bot.storage._sql import insert_ignore, rowcount
from bot.storage.models import AnswerFeedback, Decision, Question
from bot.storage.types import FeedbackVerdict, QuestionStatus, now_utc


def add_question(
    project: str,
    channel_id: str,
    text: str,
    *,
    asker_id: str,
    thread_ts: str | None = None,
    message_ts: str | None = None,
    asked_at: datetime | None = None,
    source_private: bool = False,
    looking_ts: str | None = None,
    session: Session,
) -> tuple[Question, bool]:
    """Record a question; with ``message_ts`` a retried mention returns the first record."""
    row = Question(
        project=project,
        channel_id=channel_id,
        text=text,
        asker_id=asker_id,
        thread_ts=thread_ts,
        message_ts=message_ts,
        asked_at=asked_at or now_utc(),
        source_private=source_private,
        looking_ts=looking_ts,
    )
    if message_ts is None:
        session.add(row)
        session.flush()
        return row, True
    created = insert_ignore(session, row, "channel_id", "message_ts")
    stmt = select(Question).where(
        col(Question.channel_id) == channel_id, col(Question.message_ts) == message_ts
    )
    return session.exec(stmt).one(), created


def question_by_message(channel: str, message_ts: str, *, session: Session) -> Question | None:
    stmt = select(Question).where(
        col(Question.channel_id) == channel, col(Question.message_ts) == message_ts
    )
    return session.exec(stmt).first()


def get_question(question_id: int, *, session: Session) -> Question:
    question = session.get(Question, question_id)
    if question is None:
        raise NotFound(f"There is no question #{question_id}.")
    return question


def answer_question(
    question_id: int,
    *,
    decision_id: int | None = None,
    at: datetime | None = None,
    session: Session,
) -> Question:
    """Mark answered; when the answer became a decision, link both ways."""
    question = get_question(question_id, session=session)
    question.status = QuestionStatus.answered
    question.answered_at = at or now_utc()
    if decision_id is not None:
        question.answer_decision_id = decision_id
        decision = session.get(Decision, decision_id)
        if decision is None:
            raise NotFound(f"There is no decision #{decision_id}.")
        if decision.question_id is None:
            decision.question_id = question_id
            session.add(decision)
    session.add(question)
    session.flush()
    return question


def claim_for_answer(question_id: int, *, session: Session) -> bool:
    """Mark an open question answered before its answer is recorded; of two reviewers
    answering at once (button and thread reply) exactly one gets True."""
    stmt = (
        sa.update(Question)
        .where(
            col(Question.id) == question_id,
            col(Question.status).in_([QuestionStatus.asked, QuestionStatus.escalated]),
        )
        .values(status=QuestionStatus.answered, answered_at=now_utc())
    )
    return rowcount(session, stmt) == 1


def release_answer_claim(question_id: int, *, session: Session) -> None:
    """Undo `claim_for_answer` when the answer could not be recorded, so it can be retried."""
    question = get_question(question_id, session=session)
    if question.answer_decision_id is None:
        question.status = (
            QuestionStatus.escalated if question.escalation_ts else QuestionStatus.asked
        )
        question.answered_at = None
        session.add(question)
        session.flush()


def record_bot_answer(
    question_id: int, text: str, citations: list[str], *, session: Session
) -> Question:
    """The bot answered from recorded knowledge; keep what it said and what it cited."""
    question = get_question(question_id, session=session)
    question.status = QuestionStatus.answered
    question.answered_at = now_utc()
    question.answer_text = text
    question.citations = list(citations)
    session.add(question)
    session.flush()
    return question


def question_by_escalation(channel: str, ts: str, *, session: Session) -> Question | None:
    """The question whose escalation message is (channel, ts): replies there are answers."""
    stmt = select(Question).where(
        col(Question.escalation_channel) == channel, col(Question.escalation_ts) == ts
    )
    return session.exec(stmt).first()


def thread_questions(channel: str, thread_ts: str, *, session: Session) -> list[Question]:
    """Earlier questions in the same thread, oldest first: the context of a follow-up."""
    stmt = (
        select(Question)
        .where(col(Question.channel_id) == channel, col(Question.thread_ts) == thread_ts)
        .order_by(col(Question.asked_at), col(Question.id))
    )
    return list(session.exec(stmt).all())


def escalate_question(question_id: int, *, channel: str, ts: str, session: Session) -> Question:
    """Mark a question as sent to the reviewers, remembering where that message is."""
    question = get_question(question_id, session=session)
    question.status = QuestionStatus.escalated
    question.escalation_channel = channel
    question.escalation_ts = ts
    session.add(question)
    session.flush()
    return question


def open_questions(project: str, *, session: Session) -> list[Question]:
    """Asked or escalated, not answered yet; oldest first."""
    stmt = (
        select(Question)
        .where(
            col(Question.project) == project,
            col(Question.status).in_([QuestionStatus.asked, QuestionStatus.escalated]),
        )
        .order_by(col(Question.asked_at), col(Question.id))
    )
    return list(session.exec(stmt).all())


def list_questions(
    project: str, *, since: datetime, until: datetime | None = None, session: Session
) -> list[Question]:
    """Questions asked or answered in [since, until): what a digest reports."""
    asked = col(Question.asked_at) >= since
    answered = col(Question.answered_at) >= since
    if until is not None:
        asked = sa.and_(asked, col(Question.asked_at) < until)
        answered = sa.and_(answered, col(Question.answered_at) < until)
    stmt = (
        select(Question)
        .where(col(Question.project) == project, sa.or_(asked, answered))
        .order_by(col(Question.asked_at), col(Question.id))
    )
    return list(session.exec(stmt).all())


def record_answer_feedback(
    channel_id: str,
    message_ts: str,
    user_id: str,
    verdict: FeedbackVerdict,
    *,
    note: str | None = None,
    question_id: int | None = None,
    at: datetime | None = None,
    session: Session,
) -> AnswerFeedback:
    """One verdict per person per answer message; a second click replaces the first."""
    row = AnswerFeedback(
        channel_id=channel_id,
        message_ts=message_ts,
        user_id=user_id,
        verdict=verdict,
        note=note,
        question_id=question_id,
        at=at or now_utc(),
    )
    if not insert_ignore(session, row, "channel_id", "message_ts", "user_id"):
        stmt = (
            sa.update(AnswerFeedback)
            .where(
                col(AnswerFeedback.channel_id) == channel_id,
                col(AnswerFeedback.message_ts) == message_ts,
                col(AnswerFeedback.user_id) == user_id,
            )
            .values(verdict=verdict, note=note, at=row.at)
        )
        session.connection().execute(stmt)
    stored = session.exec(
        select(AnswerFeedback)
        .where(
            col(AnswerFeedback.channel_id) == channel_id,
            col(AnswerFeedback.message_ts) == message_ts,
            col(AnswerFeedback.user_id) == user_id,
        )
        .execution_options(populate_existing=True)
    ).one()
    return stored


def wrong_answer_feedback(
    project: str, *, since: datetime, until: datetime, session: Session
) -> list[tuple[AnswerFeedback, Question]]:
    """ "Wrong or outdated" verdicts on the project's answers given in [since, until), oldest
    first, each with its question."""
    stmt = (
        select(AnswerFeedback, Question)
        .join(Question, col(AnswerFeedback.question_id) == col(Question.id))
        .where(
            col(Question.project) == project,
            col(AnswerFeedback.verdict) == FeedbackVerdict.wrong,
            col(AnswerFeedback.at) >= since,
            col(AnswerFeedback.at) < until,
        )
        .order_by(col(AnswerFeedback.at), col(AnswerFeedback.id))
    )
    return [(feedback, question) for feedback, question in session.exec(stmt).all()]
