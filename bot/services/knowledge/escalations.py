"""Escalations: when nothing recorded answers a question, a reviewer's answer becomes a decision
linked to the question, so the same question is answered from the record next time; the asker
hears about it in their own thread. Also feedback on the bot's answers."""

from __future__ import annotations

from bot.domain import Actor, MessageRef
from bot.domain.knowledge import DecisionInput, DecisionView, QuestionView
from bot.errors import BotError, NotAllowed
from bot.projects import ProjectsConfig
from bot.services.knowledge.decisions import DecisionService, check_decision_text, is_reviewer
from bot.services.knowledge.ports import EscalationPublisher, FeedbackPublisher, QuestionStore

REVIEWERS_ONLY = "Only the project's reviewers can record an answer as a decision."


NOT_THIS_ANSWER = "That button belongs to an answer in another channel."


class EscalationService:
    def __init__(
        self, store: QuestionStore, projects: ProjectsConfig, decisions: DecisionService
    ) -> None:
        self._store = store
        self._projects = projects
        self._decisions = decisions

    def escalated_at(self, where: MessageRef) -> QuestionView | None:
        """The question whose escalation message is there: replies in its thread are answers."""
        return self._store.escalated_at(where)

    def question_to_answer(self, question_id: int, actor: Actor) -> QuestionView:
        """The question, for a reviewer's answer form."""
        question = self._store.get(question_id)
        self._check_reviewer(question, actor)
        return question

    def check_can_answer(self, question_id: int, actor: Actor) -> QuestionView:
        """Quick checks (database only) before a reviewer's answer is accepted."""
        question = self.question_to_answer(question_id, actor)
        if question.answered:
            raise BotError(f"Question #{question_id} has already been answered.")
        return question

    def answer(
        self,
        question_id: int,
        text: str,
        actor: Actor,
        show: EscalationPublisher,
        *,
        permalink: str | None = None,
    ) -> DecisionView:
        """Record a reviewer's answer as a decision and tell the asker and the reviewers."""
        question = self.check_can_answer(question_id, actor)
        check_decision_text(text)
        if not self._store.claim_for_answer(question_id):
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
                    author_id=actor.user_id,
                    origin="answer",
                    source_channel=question.channel,
                    permalink=permalink,
                    private=question.private,
                    question_id=question_id,
                    question_text=question.text,
                ),
                actor,
            )
            answered = self._store.mark_answered(question_id, decision.id)
        except Exception:
            self._store.release_claim(question_id)
            raise
        show.tell_asker(answered, decision, actor.user_id)
        if answered.escalation is not None:
            if answered.private:
                # Neither the question nor its answer leaves the private conversation.
                show.show_answered_privately(answered.escalation, decision, actor.user_id)
            else:
                show.show_answered(answered.escalation, answered, decision, actor.user_id)
        return decision

    def correct(
        self, question_id: int, text: str, actor: Actor, show: EscalationPublisher
    ) -> DecisionView:
        """A reviewer's correction of an answer someone marked wrong (from the digest): a
        decision answering the question, indexed with it so the next asker gets it, and
        told to the asker in their thread."""
        question = self.question_to_answer(question_id, actor)
        check_decision_text(text)
        decision, _ = self._decisions.record(
            DecisionInput(
                project=question.project,
                text=text,
                author_id=actor.user_id,
                origin="answer",
                source_channel=question.channel,
                private=question.private,
                question_id=question_id,
                question_text=question.text,
            ),
            actor,
        )
        show.tell_asker(
            self._store.mark_answered(question_id, decision.id), decision, actor.user_id
        )
        return decision

    def answer_in_thread(
        self,
        escalation: MessageRef,
        text: str,
        actor: Actor,
        show: EscalationPublisher,
        *,
        permalink: str | None,
    ) -> None:
        """A reply in an escalation's thread: a reviewer's is the answer, anyone else's is
        conversation and ignored. A refused answer raises BotError with the reason."""
        question = self._store.escalated_at(escalation)
        if question is None or not self._may_answer(question, actor):
            return
        self.answer(question.id, text, actor, show, permalink=permalink)

    def feedback(
        self,
        question_id: int,
        answer: MessageRef,
        thread: MessageRef,
        actor: Actor,
        show: FeedbackPublisher,
        *,
        helpful: bool,
    ) -> None:
        """One verdict per person per answer; "wrong or outdated" asks the reviewers to record
        the current decision. A button pointing at a question of another channel (a replayed
        or altered payload) is refused before anything is stored."""
        if self._store.get(question_id).channel != answer.channel:
            raise NotAllowed(NOT_THIS_ANSWER)
        question = self._store.record_feedback(question_id, answer, actor.user_id, helpful=helpful)
        show.thank(helpful=helpful)
        if not helpful:
            reviewers = self._projects.get(question.project).reviewers
            show.ask_reviewers_to_correct(thread, reviewers, actor.user_id)

    def _may_answer(self, question: QuestionView, actor: Actor) -> bool:
        return is_reviewer(self._projects.get(question.project), actor)

    def _check_reviewer(self, question: QuestionView, actor: Actor) -> None:
        if not self._may_answer(question, actor):
            raise NotAllowed(REVIEWERS_ONLY)
