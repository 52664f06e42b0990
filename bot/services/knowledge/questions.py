"""Answering questions from what was recorded, and escalating when nothing was.

The model only phrases an answer from passages the retriever found in this project, within
what the asking channel may see; whether to answer at all is decided first, in code, on the
evidence of the passages found (similarity, keyword strength, agreement of the two rankings,
exact ids and names: see the searcher's ``lookup``), then by the model, which may still say that
nothing answers it. When either abstains the bot says so and asks the reviewers; their
answer is recorded as a decision (see escalations.py), so the same question is answered next time.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from bot.domain import MessageRef
from bot.domain.knowledge import QuestionView
from bot.errors import BotError
from bot.llm.base import ChatModel
from bot.llm.prompts import Prompt
from bot.projects import ProjectsConfig
from bot.retrieval.types import Passage
from bot.services.knowledge.ports import AnswerPublisher, QuestionStore, Searcher
from bot.services.knowledge.views import Abstention, Answer, AskInput, Citation

MAX_QUESTION_CHARS = 2000
MIN_QUESTION_WORDS = 3
COULD_NOT_FINISH = "I could not finish looking."


class ModelAnswer(BaseModel):
    answerable: bool = Field(description="true only if the records answer the question")
    answer: str
    cited: list[int] = Field(description="numbers of the records the answer relies on")


class QuestionService:
    def __init__(
        self,
        store: QuestionStore,
        projects: ProjectsConfig,
        searcher: Searcher,
        chat: ChatModel,
        prompt: Prompt,
    ) -> None:
        self._store = store
        self._projects = projects
        self._searcher = searcher
        self._chat = chat
        self._prompt = prompt

    def answer(
        self, ask: AskInput, show: AnswerPublisher, *, resume: bool = False
    ) -> Answer | Abstention | None:
        """Show that the bot is looking, then answer, or abstain and ask the reviewers. A
        repeated delivery of a question already handled leaves nothing behind. `resume`: the
        worker answering this question died; finish it in the same "Looking…" message.
        Returns what was shown (None: nothing new)."""
        earlier = (
            self._store.asked(ask.channel, ask.message_ts) if resume and ask.message_ts else None
        )
        if earlier is not None and (earlier.answered or earlier.escalation is not None):
            return None  # the attempt that died had finished it
        looking = earlier.looking if earlier is not None else None
        if looking is None:
            where = MessageRef(ask.channel, ask.thread_ts or ask.message_ts or "")
            looking = show.show_looking(where)
        try:
            result = self._respond(ask, record=True, looking=looking, resume=resume)
        except BotError as exc:
            show.show_error(looking, exc.user_message)
            return None
        except Exception:
            # Never leave "Looking…" hanging; the error handler adds the reference.
            show.show_error(looking, COULD_NOT_FINISH)
            raise
        if result is None:
            show.remove(looking)
        elif isinstance(result, Abstention):
            show.show_abstention(looking, result)
            escalation = show.post_escalation(result, ask)
            self._store.mark_escalated(result.question_id, escalation)
        else:
            show.show_answer(looking, result)
        return result

    def answered_in(self, thread: MessageRef) -> bool:
        """Whether the bot has been asked something in this thread: a reply there continues
        that conversation (a follow-up needs no new mention)."""
        return bool(self._store.in_thread(thread.channel, thread.ts))

    def preview(self, ask: AskInput) -> Answer | Abstention:
        """What the bot would say, storing nothing (the CLI's `apo ask`)."""
        result = self._respond(ask, record=False)
        assert result is not None  # only a stored question can be a repeat
        return result

    def _respond(
        self,
        ask: AskInput,
        *,
        record: bool,
        looking: MessageRef | None = None,
        resume: bool = False,
    ) -> Answer | Abstention | None:
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
        earlier = self._store.in_thread(ask.channel, ask.thread_ts) if ask.thread_ts else []
        question_id = 0
        if record:
            question, created = self._store.add(
                project.key,
                ask.channel,
                text,
                asker_id=ask.asker_id,
                thread_ts=ask.thread_ts or ask.message_ts,
                message_ts=ask.message_ts,
                private=ask.private,
                looking=looking,
            )
            unfinished = not question.answered and question.escalation is None
            if not created and not (resume and unfinished):
                return None
            question_id = question.id
        query = " ".join([*(q.text for q in earlier[-1:]), text])
        found = self._searcher.lookup(query, project=project.key, channel=ask.channel)
        passages = list(found.passages)
        if found.decision == "abstain":
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
            project=project.key,
        )
        cited = [n for n in dict.fromkeys(answer.cited) if 1 <= n <= len(passages)]
        if not answer.answerable or not cited:
            return self._abstain(question_id, project.key, passages[:3])
        citations = tuple(_citation(n, passages[n - 1]) for n in cited)
        if record:
            self._store.record_bot_answer(
                question_id, answer.answer, [c.passage_id for c in citations]
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
        record = passage.record
        day = record.created_at.isoformat()[:10] if record.created_at else ""
        blocks.append(f"[{n}] ({record.kind}, {day})\n{passage.text}")
    return "\n\n".join(blocks) or "(no records)"


def _history(earlier: list[QuestionView]) -> str:
    lines = []
    for q in earlier[-3:]:
        lines.append(f"Q: {q.text}")
        if q.answer_text:
            lines.append(f"A: {q.answer_text}")
    return "\n".join(lines) or "(none)"


def _citation(number: int, passage: Passage) -> Citation:
    record = passage.record
    return Citation(
        number=number,
        passage_id=passage.id,
        kind=record.kind,
        title=record.title,
        excerpt=passage.text[:300],
        permalink=record.permalink,
        author=record.author,
        created_at=record.created_at,
    )
