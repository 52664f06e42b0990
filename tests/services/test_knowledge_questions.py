"""Questions, escalations and feedback as use cases: what people see, in which order, and what
is stored; the model is a fake that fails the test when it is called unexpectedly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.domain import Actor, MessageRef
from bot.domain.knowledge import DecisionInput
from bot.errors import BotError, NotAllowed
from bot.retrieval.embeddings import WordLlamaEmbedder
from bot.retrieval.types import IndexRecord
from bot.services.knowledge.decisions import DecisionService
from bot.services.knowledge.escalations import REVIEWERS_ONLY, EscalationService
from bot.services.knowledge.questions import COULD_NOT_FINISH
from bot.services.knowledge.views import Abstention, Answer, AskInput
from tests.services.knowledge_setup import (
    CLIENT,
    DEVELOPER,
    PRIVATE,
    PROJECTS,
    REVIEWER,
    TEAM,
    FakeKnowledgePublisher,
    Knowledge,
    build_knowledge,
)

DUE_DATE = "Invoices are due 14 days after the invoice date."
QUESTION = "What is the payment deadline for invoices?"


@pytest.fixture(scope="module")
def embedder() -> Iterator[WordLlamaEmbedder]:
    embedder = WordLlamaEmbedder()
    embedder.load()
    yield embedder


@pytest.fixture
def kb(tmp_path: Path, embedder: WordLlamaEmbedder) -> Knowledge:
    return build_knowledge(tmp_path, embedder)


def ask(text: str, ts: str, *, channel: str = TEAM, private: bool = False) -> AskInput:
    return AskInput("acme", channel, DEVELOPER, text, ts, ts, private)


def model_answer(text: str, *cited: int) -> dict[str, Any]:
    return {"answerable": True, "answer": text, "cited": list(cited)}


def record(kb: Knowledge, text: str) -> None:
    kb.decisions.record(DecisionInput("acme", text, REVIEWER, "command"), Actor(REVIEWER))


def escalate(kb: Knowledge, text: str, ts: str, **kw: Any) -> tuple[Abstention, MessageRef]:
    show = FakeKnowledgePublisher()
    kb.questions.answer(ask(text, ts, **kw), show)
    assert show.names() == ["looking", "abstention", "escalation"]
    abstention = show.calls[1][2]
    return abstention, show.posted[-1]


def test_abstains_and_escalates_before_any_model_call(kb: Knowledge) -> None:
    show = FakeKnowledgePublisher()

    kb.questions.answer(ask("Do credit notes need their own KID?", "1.1"), show)

    assert show.names() == ["looking", "abstention", "escalation"]
    assert show.calls[0][1] == MessageRef(TEAM, "1.1")  # "Looking…" in the asker's thread
    assert show.calls[1][1] == show.posted[0]  # …is replaced by the abstention
    abstention = show.calls[1][2]
    assert abstention.reviewers == (REVIEWER,) and abstention.escalation_channel == CLIENT
    assert kb.chat.prompts == []
    assert show.posted[1].channel == CLIENT
    question = kb.escalations.escalated_at(show.posted[1])
    assert question is not None and question.id == abstention.question_id


def test_answers_from_a_recorded_decision_with_citations(kb: Knowledge) -> None:
    record(kb, DUE_DATE)
    kb.chat.queue(model_answer("Invoices are due after 14 days [1].", 1))
    show = FakeKnowledgePublisher()

    kb.questions.answer(ask(QUESTION, "1.2"), show)

    assert show.names() == ["looking", "answer"]
    answer: Answer = show.calls[1][2]
    [citation] = answer.citations
    assert (citation.kind, citation.title, citation.author) == ("decision", "Decision #1", REVIEWER)
    assert "14 days after the invoice date" in kb.chat.prompts[0].text


def test_a_repeated_delivery_removes_its_looking_message(kb: Knowledge) -> None:
    first, again = FakeKnowledgePublisher(), FakeKnowledgePublisher()
    kb.questions.answer(ask("Do credit notes need their own KID?", "1.3"), first)

    kb.questions.answer(ask("Do credit notes need their own KID?", "1.3"), again)

    assert again.names() == ["looking", "remove"]
    assert again.calls[1][1] == again.posted[0]  # the new "Looking…", nothing else


class WorkerDied(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs, no handler sees it."""


def test_a_resumed_answer_finishes_in_the_first_looking_message(kb: Knowledge) -> None:
    record(kb, DUE_DATE)
    kb.chat.queue(WorkerDied(), model_answer("Invoices are due after 14 days [1].", 1))
    first, resumed = FakeKnowledgePublisher(), FakeKnowledgePublisher()
    with pytest.raises(WorkerDied):
        kb.questions.answer(ask(QUESTION, "1.4"), first)

    kb.questions.answer(ask(QUESTION, "1.4"), resumed, resume=True)

    assert first.names() == ["looking"]
    assert resumed.names() == ["answer"]  # no second "Looking…"
    assert resumed.calls[0][1] == first.posted[0]


def test_a_resumed_answer_already_finished_leaves_nothing(kb: Knowledge) -> None:
    record(kb, DUE_DATE)
    kb.chat.queue(model_answer("Invoices are due after 14 days [1].", 1))
    kb.questions.answer(ask(QUESTION, "1.5"), FakeKnowledgePublisher())
    again = FakeKnowledgePublisher()

    kb.questions.answer(ask(QUESTION, "1.5"), again, resume=True)  # a copy of the message

    assert again.names() == []  # the answer stays as it is


def test_short_mentions_get_guidance_and_no_escalation(kb: Knowledge) -> None:
    show = FakeKnowledgePublisher()

    kb.questions.answer(ask("thanks!", "1.4"), show)

    assert show.names() == ["looking", "error"]
    assert "whole question" in show.calls[1][2]


def test_a_model_failure_replaces_looking_and_is_raised(kb: Knowledge) -> None:
    record(kb, DUE_DATE)
    kb.chat.queue(RuntimeError("the model fell over"))
    show = FakeKnowledgePublisher()

    with pytest.raises(RuntimeError):
        kb.questions.answer(ask(QUESTION, "1.5"), show)

    assert show.names() == ["looking", "error"] and show.calls[1][2] == COULD_NOT_FINISH


def test_a_reviewers_answer_becomes_a_decision_and_the_asker_is_told(kb: Knowledge) -> None:
    abstention, escalation = escalate(kb, QUESTION, "1.6")
    show = FakeKnowledgePublisher()

    decision = kb.escalations.answer(abstention.question_id, DUE_DATE, Actor(REVIEWER), show)

    assert show.names() == ["tell_asker", "answered"]
    asker = show.calls[0][1]
    assert asker.thread == MessageRef(TEAM, "1.6") and asker.answered
    assert show.calls[1][1] == escalation
    assert (decision.author_id, decision.source_channel, decision.private) == (
        REVIEWER,
        TEAM,
        False,
    )
    [doc] = kb.index.get([f"decision:{decision.id}"])
    assert doc.text == f"Question: {QUESTION}\nAnswer: {DUE_DATE}"
    with pytest.raises(BotError, match="already been answered"):
        kb.escalations.answer(abstention.question_id, "again", Actor(REVIEWER), show)

    kb.chat.queue(model_answer("14 days [1].", 1))
    later = FakeKnowledgePublisher()
    kb.questions.answer(ask(QUESTION, "1.7"), later)
    assert later.names() == ["looking", "answer"]  # answered from the record next time


def test_only_reviewers_answer_escalations(kb: Knowledge) -> None:
    abstention, escalation = escalate(kb, QUESTION, "1.8")
    show = FakeKnowledgePublisher()

    with pytest.raises(NotAllowed, match=REVIEWERS_ONLY):
        kb.escalations.question_to_answer(abstention.question_id, Actor(DEVELOPER))
    with pytest.raises(NotAllowed, match=REVIEWERS_ONLY):
        kb.escalations.answer(abstention.question_id, "I think so", Actor(DEVELOPER), show)
    kb.escalations.answer_in_thread(
        escalation, "I think so?", Actor(DEVELOPER), show, permalink=None
    )
    kb.escalations.answer_in_thread(
        MessageRef(CLIENT, "9.9"), "not an escalation", Actor(REVIEWER), show, permalink=None
    )

    assert show.calls == []
    assert not kb.question_store.get(abstention.question_id).answered
    kb.escalations.answer_in_thread(escalation, DUE_DATE, Actor(REVIEWER), show, permalink=None)
    assert show.names() == ["tell_asker", "answered"]


def test_a_private_question_and_its_answer_stay_private(kb: Knowledge) -> None:
    secret = "What is the confidential merger budget for Globex?"
    abstention, escalation = escalate(kb, secret, "1.9", channel=PRIVATE, private=True)
    show = FakeKnowledgePublisher()

    decision = kb.escalations.answer(
        abstention.question_id, "The merger budget is 9 million NOK.", Actor(REVIEWER), show
    )

    assert show.names() == ["tell_asker", "answered_privately"]
    assert show.calls[1][1] == escalation
    assert decision.private and decision.source_channel == PRIVATE
    [doc] = kb.index.get([f"decision:{decision.id}"])
    record = IndexRecord.from_metadata(doc.metadata)
    assert record.private and record.source_channel == PRIVATE
    public = FakeKnowledgePublisher()
    kb.questions.answer(ask("What is the merger budget for Globex?", "2.0"), public)
    assert public.names() == ["looking", "abstention", "escalation"]  # not cited elsewhere


def test_the_escalation_of_a_private_question_says_so(kb: Knowledge) -> None:
    show = FakeKnowledgePublisher()

    kb.questions.answer(ask("What is the secret launch date?", "2.1", private=True), show)

    [_, _, (_, _, escalated)] = show.calls
    assert escalated.private  # the publisher leaves the question out of the client channel


def test_a_failed_answer_releases_the_question(kb: Knowledge) -> None:
    abstention, _ = escalate(kb, QUESTION, "2.2")

    class BrokenDecisions:
        def add(self, decision: DecisionInput) -> Any:
            raise RuntimeError("database went away")

    broken = EscalationService(
        kb.question_store,
        PROJECTS,
        DecisionService(BrokenDecisions(), kb.question_store, PROJECTS, kb.indexer),
    )
    show = FakeKnowledgePublisher()
    with pytest.raises(RuntimeError):
        broken.answer(abstention.question_id, DUE_DATE, Actor(REVIEWER), show)

    assert show.calls == [] and not kb.question_store.get(abstention.question_id).answered
    kb.escalations.answer(abstention.question_id, DUE_DATE, Actor(REVIEWER), show)
    assert show.names() == ["tell_asker", "answered"]


def test_too_long_answers_are_refused_and_can_be_given_again(kb: Knowledge) -> None:
    _, escalation = escalate(kb, QUESTION, "2.3")
    show = FakeKnowledgePublisher()

    with pytest.raises(BotError, match="keep it under 4,000"):
        kb.escalations.answer_in_thread(
            escalation, "x" * 4500, Actor(REVIEWER), show, permalink=None
        )
    kb.escalations.answer_in_thread(escalation, DUE_DATE, Actor(REVIEWER), show, permalink=None)

    assert show.names() == ["tell_asker", "answered"]


def test_wrong_answer_feedback_asks_the_reviewers(kb: Knowledge) -> None:
    answer, thread = MessageRef(TEAM, "3.1"), MessageRef(TEAM, "3.0")
    abstention, _ = escalate(kb, QUESTION, "3.0")
    helpful, wrong = FakeKnowledgePublisher(), FakeKnowledgePublisher()

    kb.escalations.feedback(
        abstention.question_id, answer, thread, Actor(DEVELOPER), helpful, helpful=True
    )
    kb.escalations.feedback(
        abstention.question_id, answer, thread, Actor(DEVELOPER), wrong, helpful=False
    )

    assert helpful.calls == [("thank", True)]
    assert wrong.calls == [("thank", False), ("ask_reviewers", thread, (REVIEWER,), DEVELOPER)]
