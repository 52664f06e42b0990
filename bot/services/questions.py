"""Answering questions from what was recorded, and a human loop when nothing was.

The model only phrases an answer from passages the retriever found in this project, within
what the asking channel may see; whether to answer at all is decided first, in code, on the raw
similarity of the best passage. Below the threshold the bot says so and escalates; the human
answer is recorded as a decision, so the same question is answered next time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, Field

from bot.errors import BotError
from bot.llm.base import ChatModel
from bot.llm.prompts import Prompt
from bot.projects import ProjectsConfig
from bot.storage import (
    add_question,
    record_bot_answer,
    thread_questions,
)
from bot.storage.db import Database
from bot.storage.models import Question

MAX_QUESTION_CHARS = 2000
MIN_QUESTION_WORDS = 3


class Passage(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def metadata(self) -> Mapping[str, str | int | float | bool]: ...
    @property
    def similarity(self) -> float: ...


class Searcher(Protocol):
    def search(
        self, query: str, *, project: str, channel: str | None = None, k: int = 5
    ) -> Sequence[Passage]: ...


class ModelAnswer(BaseModel):
    answerable: bool = Field(description="true only if the records answer the question")
    answer: str
    cited: list[int] = Field(description="numbers of the records the answer relies on")


@dataclass(frozen=True)
class Citation:
    number: int
    passage_id: str
    kind: str
    title: str
    excerpt: str
    permalink: str
    author: str
    created_at: datetime | None


@dataclass(frozen=True)
class Answer:
    question_id: int
    text: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Abstention:
    question_id: int
    nearest: tuple[Citation, ...]
    reviewers: tuple[str, ...]
    escalation_channel: str


@dataclass(frozen=True)
class AskInput:
    project: str
    channel: str
    asker_id: str
    text: str
    message_ts: str | None = None
    thread_ts: str | None = None
    private: bool = False  # asked in a private channel or a DM: the question stays there


class QuestionService:
    def __init__(
        self,
        db: Database,
        projects: ProjectsConfig,
        searcher: Searcher,
        chat: ChatModel,
        prompt: Prompt,
        *,
        min_similarity: float,
    ) -> None:
        self._db = db
        self._projects = projects
        self._searcher = searcher
        self._chat = chat
        self._prompt = prompt
        self.min_similarity = min_similarity

    def ask(self, ask: AskInput, *, record: bool = True) -> Answer | Abstention | None:
        """Answer or abstain; None when this message was already handled (a retry).

        With `record=False` (the CLI's "what would the bot say?") nothing is stored."""
        project = self._projects.get(ask.project)
        text = ask.text.strip()
        if len(text.split()) < MIN_QUESTION_WORDS:
            # Too short to be a question worth a reviewer's time ("thanks", "hi").
            raise BotError(
                "Ask me a whole question after the mention, for example: "
                "what is the payment deadline for invoices?"
            )
        if len(text) > MAX_QUESTION_CHARS:
            raise BotError(
                f"That question is too long; keep it under {MAX_QUESTION_CHARS:,} characters."
            )
        with self._db.session() as session:
            earlier = (
                thread_questions(ask.channel, ask.thread_ts, session=session)
                if ask.thread_ts
                else []
            )
            if record:
                question, created = add_question(
                    project.key,
                    ask.channel,
                    text,
                    asker_id=ask.asker_id,
                    thread_ts=ask.thread_ts or ask.message_ts,
                    message_ts=ask.message_ts,
                    source_private=ask.private,
                    session=session,
                )
                if not created:
                    return None
        question_id = question.id if record and question.id is not None else 0
        query = " ".join([*(q.text for q in earlier[-1:]), text])
        passages = list(self._searcher.search(query, project=project.key, channel=ask.channel))
        best = max((p.similarity for p in passages), default=0.0)
        if best < self.min_similarity:
            return self._abstain(question_id, project.key, passages[:3])
        answer = self._chat.structured(
            self._prompt.render(
                project_name=project.name,
                passages=_numbered(passages),
                history=_history(earlier),
                question=text,
            ),
            ModelAnswer,
            purpose="answer_question",
        )
        cited = [n for n in dict.fromkeys(answer.cited) if 1 <= n <= len(passages)]
        if not answer.answerable or not cited:
            return self._abstain(question_id, project.key, passages[:3])
        citations = tuple(_citation(n, passages[n - 1]) for n in cited)
        if record:
            with self._db.session() as session:
                record_bot_answer(
                    question_id, answer.answer, [c.passage_id for c in citations], session=session
                )
        return Answer(question_id, answer.answer, citations)

    def _abstain(self, question_id: int, project: str, nearest: list[Passage]) -> Abstention:
        config = self._projects.get(project)
        return Abstention(
            question_id,
            tuple(_citation(i, p) for i, p in enumerate(nearest, start=1)),
            config.reviewers,
            config.client.channel,
        )


def _numbered(passages: Sequence[Passage]) -> str:
    blocks = []
    for n, passage in enumerate(passages, start=1):
        meta = passage.metadata
        blocks.append(
            f"[{n}] ({meta.get('kind', 'record')}, {str(meta.get('created_at', ''))[:10]})\n"
            f"{passage.text}"
        )
    return "\n\n".join(blocks) or "(no records)"


def _history(earlier: list[Question]) -> str:
    lines = []
    for q in earlier[-3:]:
        lines.append(f"Q: {q.text}")
        if q.answer_text:
            lines.append(f"A: {q.answer_text}")
    return "\n".join(lines) or "(none)"


def _citation(number: int, passage: Passage) -> Citation:
    meta = passage.metadata
    created = str(meta.get("created_at") or "")
    return Citation(
        number=number,
        passage_id=passage.id,
        kind=str(meta.get("kind", "record")),
        title=str(meta.get("title", "")),
        excerpt=passage.text[:300],
        permalink=str(meta.get("permalink", "")),
        author=str(meta.get("author", "")),
        created_at=datetime.fromisoformat(created) if created else None,
    )
