"""Hybrid (vector + BM25) search against real Chroma in a temp folder and the real WordLlama.

Scope rules are security rules: each test here that asks "may this channel see that?" runs
every search mode, since a leak through any one of them is a leak.
"""

from __future__ import annotations

import itertools
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.retrieval.embeddings import WordLlamaEmbedder
from bot.retrieval.hybrid import (
    HybridSearcher,
    best_similarity,
    reciprocal_rank_fusion,
    scope_predicate,
    scope_where,
)
from bot.retrieval.keyword import KeywordIndex, tokenize
from bot.retrieval.store import ChromaKnowledgeStore
from bot.retrieval.types import Document, Metadata, Passage, SearchMode, Where
from tests.bench.retrieval import DATA, in_scope, load_decisions, load_questions

MODES: tuple[SearchMode, ...] = ("hybrid", "vector", "keyword")
TEAM, LEADS, CLIENT = "C07ACMEDEV", "G07ACMELEADS", "C07ACMECLIENT"


def dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def ids(passages: list[Passage]) -> list[str]:
    return [p.id for p in passages]


def doc(
    doc_id: str,
    text: str,
    *,
    project: str = "acme",
    channel: str = TEAM,
    private: bool = False,
    superseded: bool = False,
    kind: str = "decision",
) -> Document:
    metadata: Metadata = {
        "project": project,
        "kind": kind,
        "source_channel": channel,
        "private": private,
        "superseded": superseded,
    }
    return Document(doc_id, text, metadata)


@pytest.fixture(scope="module")
def embedder() -> WordLlamaEmbedder:
    return WordLlamaEmbedder()


@pytest.fixture(scope="module")
def acme(embedder: WordLlamaEmbedder, tmp_path_factory: pytest.TempPathFactory) -> HybridSearcher:
    """The benchmark's decision log, indexed once; tests using it only read."""
    store = ChromaKnowledgeStore(embedder, path=str(tmp_path_factory.mktemp("acme")))
    store.upsert(load_decisions())
    return HybridSearcher(store)


@pytest.fixture
def store(embedder: WordLlamaEmbedder, tmp_path: Path) -> ChromaKnowledgeStore:
    return ChromaKnowledgeStore(embedder, path=str(tmp_path / "chroma"))


# -- what keyword search adds ----------------------------------------------------------------


@pytest.mark.parametrize(("ticket", "decision"), [("ACME-203", 32), ("ACME-118", 6)])
def test_a_bare_ticket_id_is_found_by_hybrid_where_vectors_miss_it(
    acme: HybridSearcher, ticket: str, decision: int
) -> None:
    vector = acme.search(ticket, project="acme", channel=TEAM, mode="vector")
    hybrid = acme.search(ticket, project="acme", channel=TEAM)

    assert f"decision:{decision}" not in ids(vector)
    assert ids(hybrid)[0] == f"decision:{decision}"
    assert hybrid[0].keyword_score > 0


def test_a_norwegian_word_ranks_its_decision_first_only_with_keywords(
    acme: HybridSearcher,
) -> None:
    question = "Is brevpost something we offer to users?"
    vector = ids(acme.search(question, project="acme", channel=TEAM, mode="vector"))
    hybrid = ids(acme.search(question, project="acme", channel=TEAM))

    assert hybrid[0] == "decision:80"
    assert "decision:80" not in vector[:1]


def test_tokens_keep_ticket_ids_norwegian_letters_and_normalise_unicode() -> None:
    tokens = tokenize("Se ACME-142 og Brønnøysund: fakturaene ble sendt ﬁrst, beløp １４２ kr.")

    assert {"acme-142", "142", "brønnøysund", "first"} <= set(tokens)
    assert tokens.count("142") == 2  # the ticket's part and the full-width number
    assert tokenize("fakturaene") == tokenize("fakturaer") == tokenize("faktura")
    assert tokenize("Hva er det som skal til? What is it that we should do?") == []


# -- scope: channel, project, superseded -----------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_private_decision_never_reaches_another_channel(
    store: ChromaKnowledgeStore, mode: SearchMode
) -> None:
    secret = "The Bangkok team's hourly rate rises from NOK 650 to NOK 690 (ACME-301)."
    store.upsert(
        [
            doc("rate", secret, channel=LEADS, private=True),
            doc("release", "Releases go out every second Wednesday at 20:00 Oslo time."),
            doc("kid", "KID numbers use a MOD10 check digit."),
        ]
    )
    searcher = HybridSearcher(store)
    for query in (secret, "hourly rate NOK 690", "ACME-301", "What do we charge per hour?"):
        for channel in (TEAM, CLIENT):
            found = searcher.search(query, project="acme", channel=channel, k=10, mode=mode)
            assert "rate" not in ids(found), (query, channel)

    assert ids(searcher.search(secret, project="acme", channel=LEADS, mode=mode))[0] == "rate"
    assert "rate" in ids(searcher.search(secret, project="acme", channel=None, mode=mode))


@pytest.mark.parametrize("mode", MODES)
def test_a_document_that_does_not_say_it_is_public_stays_in_its_channel(
    store: ChromaKnowledgeStore, mode: SearchMode
) -> None:
    text = "Penetration test findings are discussed only in the security channel."
    store.upsert([Document("unmarked", text, {"project": "acme", "source_channel": LEADS})])
    searcher = HybridSearcher(store)

    assert searcher.search(text, project="acme", channel=TEAM, mode=mode) == []
    assert ids(searcher.search(text, project="acme", channel=LEADS, mode=mode)) == ["unmarked"]


@pytest.mark.parametrize("mode", MODES)
def test_another_projects_documents_are_never_returned(
    store: ChromaKnowledgeStore, mode: SearchMode
) -> None:
    question = "Which PEPPOL access point did we choose? ACME-130"
    store.upsert(
        [doc(f"beta-{i}", f"{question} Beta decision {i}.", project="beta") for i in range(6)]
        + [doc("acme-ap", "We send EHF through NordPeppol AS, our PEPPOL access point.")]
    )
    searcher = HybridSearcher(store)

    found = searcher.search(question, project="acme", channel=TEAM, k=10, mode=mode)
    assert ids(found) == ["acme-ap"]
    assert searcher.search(question, project="gamma", channel=TEAM, mode=mode) == []
    assert {p.metadata["project"] for p in searcher.search(question, project="beta")} == {"beta"}


@pytest.mark.parametrize("mode", MODES)
def test_superseded_decisions_only_with_the_flag(
    store: ChromaKnowledgeStore, mode: SearchMode
) -> None:
    store.upsert(
        [
            doc("old", "Invoice emails are sent through SendGrid.", superseded=True),
            doc("new", "Invoice emails move from SendGrid to Postmark."),
            Document("note", "SendGrid bounced mail to Outlook.", {"project": "acme"}),
        ]
    )
    searcher = HybridSearcher(store)
    query = "Which service sends invoice emails, SendGrid?"

    current = ids(searcher.search(query, project="acme", mode=mode))
    history = ids(searcher.search(query, project="acme", mode=mode, include_superseded=True))
    assert "old" not in current
    assert {"new", "note"} <= set(current)  # no superseded key means current
    assert "old" in history


def test_scope_filter_and_predicate_agree_on_every_combination(
    store: ChromaKnowledgeStore,
) -> None:
    # The vector side filters in Chroma, the keyword side in Python: one rule, two spellings.
    options: list[list[Any]] = [[True, False, None], [LEADS, TEAM, None], [True, False, None]]
    docs = []
    for n, (private, source, superseded) in enumerate(itertools.product(*options)):
        for project, kind in itertools.product(("acme", "beta"), ("decision", "story")):
            metadata: Metadata = {"project": project, "kind": kind}
            for key, value in (("private", private), ("source_channel", source)):
                if value is not None:
                    metadata[key] = value
            if superseded is not None:
                metadata["superseded"] = superseded
            docs.append(Document(f"{n}-{project}-{kind}", f"document {n}", metadata))
    store.upsert(docs)

    for channel, include, kinds in itertools.product(
        (None, TEAM, LEADS), (False, True), (None, ["story"], ["story", "decision"])
    ):
        where: Where = scope_where("acme", channel, include_superseded=include, kinds=kinds)
        visible = scope_predicate("acme", channel, include_superseded=include, kinds=kinds)
        expected = {d.id for d in docs if visible(d.metadata)}
        assert {d.id for d in store.all(where)} == expected, (channel, include, kinds)
        assert expected  # every combination leaves something to compare


@pytest.mark.parametrize("mode", MODES)
def test_filtered_documents_do_not_crowd_out_visible_ones(
    store: ChromaKnowledgeStore, mode: SearchMode
) -> None:
    hidden = [
        doc(
            f"secret-{i}", f"Vipps payment link limit NOK 10 000, secret variant {i}.", private=True
        )
        for i in range(8)
    ]
    store.upsert([*hidden, doc("public", "Invoices can carry a Vipps link.", channel=CLIENT)])
    searcher = HybridSearcher(store, candidates=2)

    found = searcher.search(
        "Vipps payment link limit", project="acme", channel=CLIENT, k=1, mode=mode
    )
    assert ids(found) == ["public"]

    index = KeywordIndex(store)
    top = index.search(
        "Vipps payment link limit",
        project="acme",
        k=1,
        predicate=lambda md: md.get("private") is False,
    )
    assert [d.id for d, _ in top] == ["public"]


# -- scores ------------------------------------------------------------------------------------


def test_keyword_only_hits_carry_their_raw_cosine_similarity(
    store: ChromaKnowledgeStore, embedder: WordLlamaEmbedder
) -> None:
    texts = {
        "ticket": "Reminder fees are charged only once per invoice (ACME-142).",
        "range": "ACME-100 to ACME-150.",
        "jira": "ACME tickets in Jira.",
        "board": "The Acme 142 board.",
        "freeze": "Code freeze is Monday at noon Oslo time.",
    }
    store.upsert([doc(i, t) for i, t in texts.items()])
    searcher = HybridSearcher(store, candidates=1)  # each side looks only k deep
    query_vector = embedder.embed_query("ACME-142")

    def cosine(doc_id: str) -> float:
        return dot(query_vector, embedder.embed_query(texts[doc_id]))

    vector = searcher.search("ACME-142", project="acme", k=2, mode="vector")
    hybrid = searcher.search("ACME-142", project="acme", k=2)
    assert "ticket" not in ids(vector)  # so in hybrid it is a keyword-only hit
    ticket = next(p for p in hybrid if p.id == "ticket")
    assert ticket.keyword_score > 0
    assert ticket.similarity == pytest.approx(cosine("ticket"), abs=1e-4)
    for passage in [*vector, *searcher.search("ACME-142", project="acme", mode="keyword")]:
        assert passage.similarity == pytest.approx(cosine(passage.id), abs=1e-4)


def test_passages_are_ordered_by_fused_score_and_best_similarity_reads_raw_cosine(
    acme: HybridSearcher,
) -> None:
    passages = acme.search("When is code freeze in Bangkok time?", project="acme", channel=TEAM)

    assert ids(passages)[0] == "decision:68"
    fused = [p.fused_score for p in passages]
    assert fused == sorted(fused, reverse=True)
    assert best_similarity(passages) == max(p.similarity for p in passages)
    assert best_similarity([]) == -1.0


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]], k=60)

    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert max(fused, key=fused.__getitem__) == "b"
    assert fused["a"] == pytest.approx(1 / 61) and fused["d"] == pytest.approx(1 / 62)


# -- freshness and the store additions ---------------------------------------------------------


def test_keyword_index_rebuilds_after_every_write(store: ChromaKnowledgeStore) -> None:
    store.upsert([doc("d1", "KID numbers use MOD10.")])
    searcher = HybridSearcher(store)
    assert searcher.search("ACME-999", project="acme", mode="keyword") == []

    store.upsert([doc("d2", "ACME-999: reminders are sent in the customer's language.")])
    assert ids(searcher.search("ACME-999", project="acme", mode="keyword")) == ["d2"]

    store.delete_where({"project": "acme", "kind": "decision", "source_channel": TEAM})
    assert searcher.search("ACME-999", project="acme", mode="keyword") == []


@pytest.mark.parametrize("mode", MODES)
def test_writes_by_another_writer_never_leak_through_the_keyword_snapshot(
    store: ChromaKnowledgeStore, embedder: WordLlamaEmbedder, tmp_path: Path, mode: SearchMode
) -> None:
    # A second store object on the same index stands in for another process: its writes don't
    # bump this store's version, so the BM25 snapshot stays old (max_age=None: never refreshed).
    store.upsert([doc("rate", "Hourly rate NOK 690 (ACME-301)."), doc("gone", "ACME-302 KID")])
    searcher = HybridSearcher(store, keyword_max_age=None)
    assert "rate" in ids(searcher.search("ACME-301", project="acme", channel=TEAM, mode=mode))

    other = ChromaKnowledgeStore(embedder, path=str(tmp_path / "chroma"))
    other.upsert([doc("rate", "Hourly rate NOK 690 (ACME-301).", channel=LEADS, private=True)])
    other.delete(["gone"])

    assert "rate" not in ids(searcher.search("ACME-301", project="acme", channel=TEAM, mode=mode))
    assert "gone" not in ids(searcher.search("ACME-302", project="acme", channel=TEAM, mode=mode))
    assert "rate" in ids(searcher.search("ACME-301", project="acme", channel=LEADS, mode=mode))


def test_one_build_per_project_however_many_threads_ask(store: ChromaKnowledgeStore) -> None:
    store.upsert([doc(f"d{i}", f"decision {i} about KID") for i in range(20)])
    calls: list[Any] = []

    class Counting:
        @property
        def version(self) -> int:
            return store.version

        def all(self, where: Where | None = None) -> list[Document]:
            calls.append(where)
            return store.all(where)

    index = KeywordIndex(Counting())
    barrier = threading.Barrier(8)
    results: list[int] = []

    def ask() -> None:
        barrier.wait()
        results.append(len(index.search("KID", project="acme", k=50)))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [20] * 8
    assert calls == [{"project": "acme"}]


def test_store_all_delete_where_and_version(embedder: WordLlamaEmbedder, tmp_path: Path) -> None:
    store = ChromaKnowledgeStore(embedder, path=str(tmp_path / "c"), batch_size=2)
    start = store.version
    store.upsert([doc(f"k#{i}", f"section {i}", kind="knowledge") for i in range(5)])
    store.upsert([doc("story:1", "a story", kind="story")])

    assert store.version == start + 2
    assert sorted(d.id for d in store.all()) == ["k#0", "k#1", "k#2", "k#3", "k#4", "story:1"]
    assert len(store.all({"kind": "knowledge"})) == 5
    assert store.delete_where({"kind": "knowledge"}) == 5
    assert store.version == start + 3
    assert [d.id for d in store.all()] == ["story:1"]
    assert store.delete_where({"kind": "knowledge"}) == 0
    with pytest.raises(ValueError, match="needs a filter"):
        store.delete_where({})


def test_bad_arguments_are_refused_and_empty_questions_find_nothing(
    acme: HybridSearcher,
) -> None:
    with pytest.raises(ValueError, match="project"):
        acme.search("KID", project="")
    with pytest.raises(ValueError, match="channel"):
        acme.search("KID", project="acme", channel="")
    with pytest.raises(ValueError, match="mode"):
        acme.search("KID", project="acme", mode="fuzzy")  # type: ignore[arg-type]
    assert acme.search("   ", project="acme") == []
    assert acme.search("KID", project="acme", kinds=[]) == []
    assert acme.search("KID", project="acme", kinds=["story"]) == []


# -- the labelled set stays coherent ----------------------------------------------------------


def test_benchmark_data_is_consistent() -> None:
    docs = {d.id: d for d in load_decisions()}
    questions = load_questions()
    answerable = [q for q in questions if q.expected]

    assert len(docs) >= 80 and len(answerable) >= 60
    assert len(questions) - len(answerable) >= 12
    for question in questions:
        for expected in question.expected:
            assert in_scope(docs[expected], question.channel), (question.text, expected)
        for hidden in question.must_not_see:
            assert not in_scope(docs[hidden], question.channel), (question.text, hidden)
    assert sum(1 for d in docs.values() if d.metadata["private"]) >= 3
    log = yaml.safe_load((DATA / "decisions.yaml").read_text(encoding="utf-8"))["decisions"]
    by_number = {item["id"]: item for item in log}
    replaced = [item for item in log if item.get("superseded")]
    assert len(replaced) >= 3
    for item in replaced:  # the decision that replaced it is in the log, and is current
        assert not by_number[item["superseded_by"]].get("superseded"), item["id"]
