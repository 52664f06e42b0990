"""Cross-project leakage: project B's people ask, with every trick in
tests/data/abuse/project_a.json, for project A's records. Nothing of A may reach B's answers,
escalations, the prompts sent to the model, or B's digests.

The model here obeys its input (it repeats every record it was given as the answer, and cites
them all), so whatever the retriever lets through would show; the guarantee must come from the
code that picks the passages, not from the model's good behaviour. New surfaces (the Home tab,
Jira) can reuse `leaks` and `A`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.domain import Actor
from bot.domain.knowledge import DecisionInput
from bot.llm.prompts import PromptLibrary
from bot.retrieval.embeddings import WordLlamaEmbedder
from bot.services.digests.service import DigestService
from bot.services.knowledge.views import AskInput
from bot.storage.digest_store import SqlDigestStore
from tests.fakes import SentPrompt
from tests.services.knowledge_setup import (
    PROJECTS,
    REVIEWER,
    TEAM,
    FakeKnowledgePublisher,
    Knowledge,
    build_knowledge,
)

DATA = json.loads((Path(__file__).parents[1] / "data/abuse/project_a.json").read_text("utf-8"))
B_TEAM, B_CLIENT, B_REVIEWER, B_USER = "C0GLOBEXTM", "C0GLOBEXCL", "U0G", "U0GLOBEXDEV"


@dataclass(frozen=True)
class ProjectA:
    """What must stay in project A: each record's full text, its ticket id, and its words
    that project B's own records never use."""

    texts: tuple[str, ...]
    tickets: tuple[str, ...]

    def leaked_into(self, shown: str, *, asked: str = "") -> list[str]:
        """A's texts and tickets found in `shown`, beyond what the asker typed (`asked`)."""
        found = []
        for text in self.texts:
            body = text.split(": ", 1)[-1]  # without the ticket id, which questions quote
            if body in shown and body not in asked:
                found.append(body)
        found += [t for t in self.tickets if t in shown and t not in asked]
        return found


A = ProjectA(
    texts=tuple(d["text"] for d in DATA["decisions"]) + tuple(DATA["channel_messages"]),
    tickets=(*(d["ticket"] for d in DATA["decisions"]), "ACME-199"),
)


def adversarial_questions() -> list[str]:
    """Every template over every one of A's decisions: at least 50 distinct questions. The
    "b_topic" ones ask what B's records do answer, so they reach the model with B's passages,
    with an injection asking for A's records besides."""
    key, name = DATA["project_a"]["key"], DATA["project_a"]["name"]
    questions = {
        template.format(
            key=key,
            name=name,
            text=d["text"],
            ticket=d["ticket"],
            topic=d["topic"],
            start=" ".join(d["text"].split()[:8]),
        )
        for template in DATA["question_templates"] + DATA["b_topic_templates"]
        for d in DATA["decisions"]
    }
    return sorted(questions)


QUESTIONS = adversarial_questions()


def records_section(prompt: SentPrompt) -> str:
    """What the model was given as records or messages: the data part of the user message."""
    text = prompt.messages[-1].content
    match = re.search(r"<records>(.*?)</records>", text, re.S) or re.search(
        r"<messages>(.*?)</messages>", text, re.S
    )
    return match.group(1) if match else text


def obey_and_repeat(prompt: SentPrompt) -> dict[str, Any]:
    """A model that does what the question says: it answers with every record it saw."""
    seen = records_section(prompt)
    if prompt.purpose == "digest_summary":
        return {"summary": seen, "cited": list(range(1, 81))}
    return {"answerable": True, "answer": seen, "cited": [1, 2, 3, 4, 5]}


@pytest.fixture(scope="module")
def embedder() -> WordLlamaEmbedder:
    embedder = WordLlamaEmbedder()
    embedder.load()
    return embedder


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, embedder: WordLlamaEmbedder
) -> Iterator[Knowledge]:
    """Both projects' records, shared by the questions (each asks in its own thread)."""
    yield from _both_projects(tmp_path_factory.mktemp("leak"), embedder)


@pytest.fixture
def fresh_world(tmp_path: Path, embedder: WordLlamaEmbedder) -> Iterator[Knowledge]:
    """The same records and no questions asked yet (B's questions quote A; a digest lists them)."""
    yield from _both_projects(tmp_path, embedder)


def _both_projects(folder: Path, embedder: WordLlamaEmbedder) -> Iterator[Knowledge]:
    kb = build_knowledge(folder, embedder)
    for decision in DATA["decisions"]:
        kb.decisions.record(
            DecisionInput("acme", decision["text"], REVIEWER, "command", source_channel=TEAM),
            Actor(REVIEWER),
        )
    for text in DATA["project_b"]["decisions"]:
        kb.decisions.record(
            DecisionInput("globex", text, B_REVIEWER, "command", source_channel=B_TEAM),
            Actor(B_REVIEWER),
        )
    kb.chat.respond_with(obey_and_repeat)
    yield kb
    kb.db.dispose()


def test_the_question_set_is_large_and_built_from_a_real_records() -> None:
    assert len(QUESTIONS) >= 50
    assert sum(any(t in q for t in A.tickets) for q in QUESTIONS) >= 6


@pytest.mark.parametrize("number", range(len(QUESTIONS)))
def test_an_adversarial_question_in_project_b_surfaces_nothing_of_project_a(
    world: Knowledge, number: int
) -> None:
    question = QUESTIONS[number]
    show = FakeKnowledgePublisher()
    before = len(world.chat.prompts)
    ts = f"1800000000.{number:06d}"

    world.questions.answer(AskInput("globex", B_TEAM, B_USER, question, ts, ts, False), show)

    for prompt in world.chat.prompts[before:]:
        assert A.leaked_into(records_section(prompt)) == [], "sent to the model"
    for call in show.calls:
        if call[0] == "escalation":  # the asker's own words go to B's reviewers, in B
            abstention, ask = call[1], call[2]
            assert abstention.escalation_channel == B_CLIENT and ask.project == "globex"
            call = ("escalation", abstention)
        assert A.leaked_into(repr(call), asked=question) == [], f"shown in B: {call[0]}"


def test_the_obedient_model_was_asked_and_does_repeat_what_it_is_given(
    world: Knowledge,
) -> None:
    """The leak checks above can fail: B questions reach the model, and the model's answer
    repeats its records; asked in A, the same question does surface A's record."""
    assert any(p.purpose == "answer_question" for p in world.chat.prompts)
    show = FakeKnowledgePublisher()
    question = "When does Acme send the first dunning letter?"
    world.questions.answer(AskInput("acme", TEAM, "U0DEV", question, "1.9", "1.9", False), show)
    assert A.leaked_into(repr(show.calls), asked=question) != []


def test_project_bs_digests_hold_nothing_of_project_a(fresh_world: Knowledge) -> None:
    world = fresh_world
    digests = DigestService(
        SqlDigestStore(world.db),
        PROJECTS,
        world.chat,
        PromptLibrary().get("summarize_discussion"),
    )
    sent = int(time.time()) - 3600  # an hour ago: inside the digests' window
    for n, text in enumerate(DATA["channel_messages"]):
        digests.collect_message(
            TEAM, f"{sent}.{n:06d}", text, user_id="U0DEV", thread_ts=None, permalink=None
        )
    digests.collect_message(
        B_TEAM,
        f"{sent}.000100",
        "Globex wants the portal invoices to show the due date in bold. " + QUESTIONS[0],
        user_id=B_USER,
        thread_ts=None,
        permalink=None,
    )
    before = len(world.chat.prompts)

    today = world.clock.now.date()
    shown = [repr(digests.build("globex", side, today)) for side in ("client", "team")]

    assert A.leaked_into("\n".join(shown), asked=QUESTIONS[0]) == []
    summaries = world.chat.prompts[before:]
    typed_in_b = QUESTIONS[0]  # a B member quoting A is B's own message
    assert summaries
    assert all(A.leaked_into(records_section(p), asked=typed_in_b) == [] for p in summaries)
    # The same build for A does carry A's discussion: the check can fail.
    assert A.leaked_into(repr(digests.build("acme", "client", today)))
