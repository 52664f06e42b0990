"""The human loop: when nothing recorded answers a question, a reviewer's answer becomes a
decision linked to the question, so the same question is answered from the record next time."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import BotError
from bot.projects import ProjectsConfig
from bot.services.decisions import (
    DecisionInput,
    DecisionService,
    DecisionView,
    check_decision_text,
)
from bot.storage import (
    answer_question,
    claim_for_answer,
    escalate_question,
    get_question,
    question_by_escalation,
    record_answer_feedback,
    release_answer_claim,
)
from bot.storage.db import Database
from bot.storage.models import Question
from bot.storage.types import FeedbackVerdict, QuestionStatus


@dataclass(frozen=True)
class HumanAnswer:
    question: Question
    decision: DecisionView


class HumanAnswers:
    def __init__(self, db: Database, projects: ProjectsConfig, decisions: DecisionService) -> None:
        self._db = db
        self._projects = projects
        self._decisions = decisions

    def mark_escalated(self, question_id: int, channel: str, ts: str) -> None:
        with self._db.session() as session:
            escalate_question(question_id, channel=channel, ts=ts, session=session)

    def question(self, question_id: int) -> Question:
        with self._db.session() as session:
            return get_question(question_id, session=session)

    def escalated_at(self, channel: str, ts: str) -> Question | None:
        with self._db.session() as session:
            return question_by_escalation(channel, ts, session=session)

    def may_answer(self, question: Question, user_id: str) -> bool:
        return self._projects.get(question.project).is_reviewer(user_id)

    def check_can_answer(self, question_id: int, user_id: str) -> Question:
        """Quick checks (database only) before a reviewer's answer is accepted."""
        question = self.question(question_id)
        if not self.may_answer(question, user_id):
            raise BotError("Only the project's reviewers can record an answer as a decision.")
        if question.status == QuestionStatus.answered:
            raise BotError(f"Question #{question_id} has already been answered.")
        return question

    def answer_by_human(
        self,
        question_id: int,
        text: str,
        answerer_id: str,
        *,
        permalink: str | None = None,
    ) -> HumanAnswer:
        question = self.check_can_answer(question_id, answerer_id)
        check_decision_text(text)
        with self._db.session() as session:
            if not claim_for_answer(question_id, session=session):
                raise BotError(f"Question #{question_id} has already been answered.")
        try:
            # The answer belongs where the question was asked: a private question's answer
            # is cited only in that channel, a public one anywhere in the project. No source
            # ts: the claim above already keeps answers single, and the reply's ts belongs to
            # another channel than the question's.
            decision, _ = self._decisions.record(
                DecisionInput(
                    project=question.project,
                    text=text,
                    author_id=answerer_id,
                    origin="answer",
                    source_channel=question.channel_id,
                    permalink=permalink,
                    private=question.source_private,
                    question_id=question_id,
                    question_text=question.text,
                )
            )
            with self._db.session() as session:
                answered = answer_question(question_id, decision_id=decision.id, session=session)
        except Exception:
            with self._db.session() as session:
                release_answer_claim(question_id, session=session)
            raise
        return HumanAnswer(answered, decision)

    def feedback(
        self, question_id: int, channel: str, message_ts: str, user_id: str, helpful: bool
    ) -> Question:
        verdict = FeedbackVerdict.helpful if helpful else FeedbackVerdict.wrong
        with self._db.session() as session:
            record_answer_feedback(
                channel, message_ts, user_id, verdict, question_id=question_id, session=session
            )
            return get_question(question_id, session=session)

    def reviewers(self, project: str) -> tuple[str, ...]:
        return self._projects.get(project).reviewers
