"""What the knowledge use cases need from the outside: stores, search, and what people see."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain import MessageRef
from bot.domain.knowledge import DecisionInput, DecisionView, QuestionView
from bot.retrieval.types import SearchResult
from bot.services.knowledge.views import Abstention, Answer, AskInput


class DecisionStore(Protocol):
    def add(self, decision: DecisionInput) -> tuple[DecisionView, bool, DecisionView | None]:
        """The stored decision, whether it is new, and the one it superseded (when new)."""
        ...

    def revise_from_message(
        self, message: MessageRef, text: str | None, *, actor_id: str | None, at: datetime
    ) -> list[DecisionView]:
        """The decisions taken from `message`, now edited to `text` or removed (None), each
        change kept in the decision's history; those that did not change are left out."""
        ...


class QuestionStore(Protocol):
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
    ) -> tuple[QuestionView, bool]: ...

    def asked(self, channel: str, message_ts: str) -> QuestionView | None: ...

    def in_thread(self, channel: str, thread_ts: str) -> list[QuestionView]:
        """Earlier questions in that thread, oldest first."""
        ...

    def get(self, question_id: int) -> QuestionView: ...

    def escalated_at(self, where: MessageRef) -> QuestionView | None: ...

    def record_bot_answer(self, question_id: int, text: str, citations: list[str]) -> None: ...

    def mark_escalated(self, question_id: int, where: MessageRef) -> None: ...

    def claim_for_answer(self, question_id: int) -> bool:
        """Of two answers at once, exactly one claims an open question."""
        ...

    def release_claim(self, question_id: int) -> None: ...

    def mark_answered(self, question_id: int, decision_id: int) -> QuestionView: ...

    def record_feedback(
        self, question_id: int, answer: MessageRef, user_id: str, *, helpful: bool
    ) -> QuestionView: ...


class Searcher(Protocol):
    def lookup(
        self, query: str, *, project: str, channel: str | None = None, k: int = 5
    ) -> SearchResult:
        """The passages visible from ``channel`` and whether they are enough to answer."""
        ...


class AnswerPublisher(Protocol):
    """Where the asker sees the bot work on a question, and where reviewers are asked."""

    def show_looking(self, thread: MessageRef) -> MessageRef: ...

    def show_answer(self, where: MessageRef, answer: Answer) -> None: ...

    def show_abstention(self, where: MessageRef, abstention: Abstention) -> None: ...

    def show_error(self, where: MessageRef, text: str) -> None: ...

    def remove(self, where: MessageRef) -> None: ...

    def post_escalation(self, abstention: Abstention, ask: AskInput) -> MessageRef: ...


class EscalationPublisher(Protocol):
    """Where a reviewer's answer to an escalated question is shown."""

    def tell_asker(self, question: QuestionView, decision: DecisionView, answerer: str) -> None: ...

    def show_answered(
        self, escalation: MessageRef, question: QuestionView, decision: DecisionView, answerer: str
    ) -> None: ...

    def show_answered_privately(
        self, escalation: MessageRef, decision: DecisionView, answerer: str
    ) -> None:
        """The escalation closed without repeating a private question or its answer."""
        ...


class FeedbackPublisher(Protocol):
    def thank(self, *, helpful: bool) -> None: ...

    def ask_reviewers_to_correct(
        self, thread: MessageRef, reviewers: Sequence[str], reporter: str
    ) -> None: ...


class TranslationCache(Protocol):
    """Translations made once per record text (see services.knowledge.translation)."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, language: str, text: str) -> None:
        """Keep a translation; a key already kept stays as it is."""
        ...


class Translator(Protocol):
    def translations(self, project: str, text: str) -> dict[str, str]:
        """Language -> the record's translation, for the project's languages it lacks."""
        ...
