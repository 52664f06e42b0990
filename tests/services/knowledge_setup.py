"""The knowledge services wired as the container wires them, on a fresh SQLite file and an
embedded Chroma index in a temporary folder, with a fake chat model and in-memory publishers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.container import sync_projects
from bot.domain import MessageRef
from bot.domain.knowledge import DecisionView, QuestionView
from bot.llm.prompts import PromptLibrary
from bot.projects import ProjectsConfig
from bot.retrieval.hybrid import HybridSearcher
from bot.retrieval.indexed import IndexedKnowledgeStore
from bot.retrieval.keyword_sql import SqlKeywordIndex
from bot.retrieval.markdown import split_markdown
from bot.retrieval.store import ChromaKnowledgeStore
from bot.retrieval.types import Embedder
from bot.services.knowledge.decisions import DecisionService
from bot.services.knowledge.escalations import EscalationService
from bot.services.knowledge.indexing import KnowledgeIndexer
from bot.services.knowledge.questions import QuestionService
from bot.services.knowledge.views import Abstention, Answer, AskInput
from bot.storage.db import Database
from bot.storage.knowledge import SqlDecisionStore, SqlQuestionStore
from bot.storage.migrate import upgrade
from tests.fakes import FakeChatModel, FixedClock

TEAM, CLIENT, PRIVATE = "C0TEAM", "C0CLIENT", "C0SECRET"
REVIEWER, DEVELOPER, CLIENT_USER = "U0APO", "U0DEV", "U0CLIENTX"
PROJECTS = ProjectsConfig.model_validate(
    {
        "projects": [
            {
                "key": "acme",
                "name": "Acme Invoicing",
                "channels": [TEAM, CLIENT, PRIVATE],
                "reviewers": [REVIEWER],
                "client": {"timezone": "Europe/Oslo", "channel": CLIENT},
                "team": {"timezone": "Asia/Bangkok", "channel": TEAM},
            },
            {
                "key": "globex",
                "name": "Globex Portal",
                "reviewers": ["U0G"],
                "client": {"timezone": "Europe/Oslo", "channel": "C0GLOBEXCL"},
                "team": {"timezone": "Asia/Bangkok", "channel": "C0GLOBEXTM"},
            },
        ]
    }
)


@dataclass
class FakeKnowledgePublisher:
    """Records what a person would see, in order; messages get made-up timestamps."""

    calls: list[tuple[Any, ...]] = field(default_factory=list)
    posted: list[MessageRef] = field(default_factory=list)

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]

    def _post(self, channel: str) -> MessageRef:
        self.posted.append(MessageRef(channel, f"{len(self.posted) + 1}.000"))
        return self.posted[-1]

    def show_looking(self, thread: MessageRef) -> MessageRef:
        self.calls.append(("looking", thread))
        return self._post(thread.channel)

    def show_answer(self, where: MessageRef, answer: Answer) -> None:
        self.calls.append(("answer", where, answer))

    def show_abstention(self, where: MessageRef, abstention: Abstention) -> None:
        self.calls.append(("abstention", where, abstention))

    def show_error(self, where: MessageRef, text: str) -> None:
        self.calls.append(("error", where, text))

    def remove(self, where: MessageRef) -> None:
        self.calls.append(("remove", where))

    def post_escalation(self, abstention: Abstention, ask: AskInput) -> MessageRef:
        self.calls.append(("escalation", abstention, ask))
        return self._post(abstention.escalation_channel)

    def tell_asker(self, question: QuestionView, decision: DecisionView, answerer: str) -> None:
        self.calls.append(("tell_asker", question, decision, answerer))

    def show_answered(
        self, escalation: MessageRef, question: QuestionView, decision: DecisionView, answerer: str
    ) -> None:
        self.calls.append(("answered", escalation, question, decision, answerer))

    def show_answered_privately(
        self, escalation: MessageRef, decision: DecisionView, answerer: str
    ) -> None:
        self.calls.append(("answered_privately", escalation, decision, answerer))

    def thank(self, *, helpful: bool) -> None:
        self.calls.append(("thank", helpful))

    def ask_reviewers_to_correct(
        self, thread: MessageRef, reviewers: Sequence[str], reporter: str
    ) -> None:
        self.calls.append(("ask_reviewers", thread, tuple(reviewers), reporter))


@dataclass
class Knowledge:
    db: Database
    index: IndexedKnowledgeStore
    chat: FakeChatModel
    clock: FixedClock
    indexer: KnowledgeIndexer
    question_store: SqlQuestionStore
    decisions: DecisionService
    questions: QuestionService
    escalations: EscalationService


def build_knowledge(tmp_path: Path, embedder: Embedder) -> Knowledge:
    url = f"sqlite:///{tmp_path / 'apo.db'}"
    upgrade(url)
    db = Database(url)
    sync_projects(db, PROJECTS)
    chroma = ChromaKnowledgeStore(embedder, path=str(tmp_path / "chroma"))
    index = IndexedKnowledgeStore(chroma, SqlKeywordIndex(db.engine))
    chat, clock = FakeChatModel(), FixedClock()
    indexer = KnowledgeIndexer(lambda: index, split_markdown, clock=clock)
    question_store = SqlQuestionStore(db)
    decisions = DecisionService(SqlDecisionStore(db), question_store, PROJECTS, indexer)
    prompt = PromptLibrary().get(
        "answer_question", variables=frozenset({"project_name", "passages", "history", "question"})
    )
    questions = QuestionService(
        question_store,
        PROJECTS,
        HybridSearcher(chroma, index.keywords),
        chat,
        prompt,
    )
    escalations = EscalationService(question_store, PROJECTS, decisions)
    return Knowledge(
        db, index, chat, clock, indexer, question_store, decisions, questions, escalations
    )
