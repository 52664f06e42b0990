"""Model faults on the services: every way a model call fails or answers badly is caught by
code, the person sees a clear message, and nothing is lost (the notes stay for Retry, the
question can be asked again, the digest goes out without its summary).

The transport faults themselves (timeouts, 429, 5xx, malformed or cut-off JSON, refusals, a
copy of the instructions) are turned into these errors by the OpenAI client: tests/test_llm.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.errors import LLMBadOutput, LLMError, LLMRateLimited, LLMTimeout
from bot.retrieval.embeddings import WordLlamaEmbedder
from bot.services.knowledge.views import Abstention
from tests.harness.app_server import TEAM_CHANNEL
from tests.services.digest_world import TEAM, World
from tests.services.knowledge_setup import FakeKnowledgePublisher, Knowledge, build_knowledge
from tests.services.stories_setup import Stories, build_stories, migrated_template
from tests.services.test_knowledge_questions import DUE_DATE, QUESTION, ask, record
from tests.services.test_stories_batches import ONE_STORY, QUOTE

FAULTS = [
    LLMTimeout("The language model did not answer in time."),
    LLMRateLimited("The language model is rate-limiting us right now."),
    LLMError("The language model answered with an error (HTTP 503)."),
    LLMBadOutput("The language model's answer could not be used: it was cut off."),
    LLMBadOutput("The language model's answer could not be used: the model declined to answer."),
    LLMBadOutput("The language model's answer could not be used: it repeated the instructions."),
]
FAULT_IDS = ["timeout", "429", "5xx", "truncated", "refusal", "prompt-copy"]


@pytest.fixture(scope="module")
def embedder() -> WordLlamaEmbedder:
    embedder = WordLlamaEmbedder()
    embedder.load()
    return embedder


@pytest.fixture(scope="module")
def kb(
    tmp_path_factory: pytest.TempPathFactory, embedder: WordLlamaEmbedder
) -> Iterator[Knowledge]:
    """One index for the module (each test asks in its own messages): far fewer open files."""
    knowledge = build_knowledge(tmp_path_factory.mktemp("faults"), embedder)
    record(knowledge, DUE_DATE)
    yield knowledge
    knowledge.db.dispose()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("db"))


@pytest.fixture
def stories(tmp_path: Path, template: Path) -> Iterator[Stories]:
    world = build_stories(tmp_path, template)
    yield world
    world.db.dispose()


_asked = iter(range(1, 10_000))


def next_ts() -> str:
    return f"3.{next(_asked)}"


@pytest.mark.parametrize("fault", FAULTS, ids=FAULT_IDS)
def test_a_model_fault_while_answering_says_so_and_the_question_can_be_asked_again(
    kb: Knowledge, fault: LLMError
) -> None:
    kb.chat.queue(fault)
    show = FakeKnowledgePublisher()

    kb.questions.answer(ask(QUESTION, next_ts()), show)

    assert show.names() == ["looking", "error"]
    assert show.calls[1][2] == fault.user_message  # what happened, in words

    kb.chat.queue({"answerable": True, "answer": "14 days [1].", "cited": [1]})
    again = FakeKnowledgePublisher()
    kb.questions.answer(ask(QUESTION, next_ts()), again)
    assert again.names() == ["looking", "answer"]


@pytest.mark.parametrize(
    "reply",
    [
        {"answerable": True, "answer": "Due in 3 days [9].", "cited": [9]},
        {"answerable": True, "answer": "Due in 3 days [0].", "cited": [0, -1]},
        {"answerable": True, "answer": "Due in 3 days.", "cited": []},
        {"answerable": False, "answer": "Due in 3 days.", "cited": [1]},
    ],
    ids=["cites-a-passage-not-given", "cites-no-passage", "cites-nothing", "says-unanswerable"],
)
def test_an_answer_resting_on_no_given_passage_is_not_shown_but_escalated(
    kb: Knowledge, reply: dict[str, Any]
) -> None:
    kb.chat.queue(reply)
    show = FakeKnowledgePublisher()

    kb.questions.answer(ask(QUESTION, next_ts()), show)

    assert show.names() == ["looking", "abstention", "escalation"]
    assert isinstance(show.calls[1][2], Abstention)
    assert "3 days" not in repr(show.calls)


@pytest.mark.parametrize("fault", FAULTS, ids=FAULT_IDS)
def test_a_model_fault_while_drafting_keeps_the_notes_and_offers_retry(
    stories: Stories, fault: LLMError
) -> None:
    stories.chat.queue(fault)
    note_id = stories.receive(QUOTE)

    assert stories.stories.run_batch(note_id, stories.publisher, channel=TEAM_CHANNEL) is None

    [failure] = stories.publisher.of("failure")  # the failure message carries Retry
    assert failure.detail == fault.user_message
    note, drafted = stories.store.batch(note_id)
    assert (note.status, note.text, drafted) == ("failed", QUOTE, [])
    stories.chat.queue(ONE_STORY)
    retried = stories.stories.run_batch(note_id, stories.publisher, channel=TEAM_CHANNEL)
    assert retried is not None and len(retried.stories) == 1


@pytest.mark.parametrize("fault", FAULTS, ids=FAULT_IDS)
def test_a_model_fault_while_summarising_still_posts_the_digest(
    tmp_path: Path, fault: LLMError
) -> None:
    world = World(tmp_path)
    world.digests.collect_message(
        TEAM, "1772441000.000100", "Started on the credit note screen today.",
        user_id="U0DEV", thread_ts=None, permalink=None,
    )  # fmt: skip
    world.chat.queue(fault)

    assert world.post("client") is not None

    [sent] = world.slack.posts
    assert sent.content.discussion is not None and sent.content.discussion.text is None
    assert len(sent.content.discussion.sources) == 1  # where the discussion is, linked
