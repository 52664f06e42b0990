"""Hybrid (vector + keyword) search against real Chroma in a temp folder, the keyword index in a
migrated SQLite file, and the real WordLlama.

Scope rules are security rules: each test here that asks "may this channel see that?" runs
every search mode, since a leak through any one of them is a leak.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.retrieval.embeddings import WordLlamaEmbedder
from bot.retrieval.hybrid import (
    HybridSearcher,
    best_similarity,
    reciprocal_rank_fusion,
    scope_where,
)
from bot.retrieval.indexed import IndexedKnowledgeStore
from bot.retrieval.keyword_sql import SqlKeywordIndex
from bot.retrieval.store import ChromaKnowledgeStore
from bot.retrieval.types import (
    Document,
    IndexRecord,
    Metadata,
    Passage,
    Scope,
    SearchMode,
    translation_document,
)
from bot.storage.db import create_db_engine
from tests.bench.retrieval import CROSS, DATA, KINDS, SETS, in_scope, load_all, load_decisions
from tests.fixtures_db import copy_migrated_sqlite

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


def open_store(embedder: WordLlamaEmbedder, folder: Path, template: Path) -> IndexedKnowledgeStore:
    """Chroma in ``folder/chroma`` and the keyword index in a migrated ``folder/apo.db``."""
    url = f"sqlite:///{folder / 'apo.db'}"
    copy_migrated_sqlite(template, url)
    chroma = ChromaKnowledgeStore(embedder, path=str(folder / "chroma"))
    return IndexedKnowledgeStore(chroma, SqlKeywordIndex(create_db_engine(url)))


def searcher_on(store: IndexedKnowledgeStore, **options: Any) -> HybridSearcher:
    return HybridSearcher(store.vectors, store.keywords, **options)


@pytest.fixture(scope="module")
def acme(
    embedder: WordLlamaEmbedder,
    tmp_path_factory: pytest.TempPathFactory,
    migrated_sqlite_template: Path,
) -> HybridSearcher:
    """The benchmark's decision log, indexed once; tests using it only read."""
    store = open_store(embedder, tmp_path_factory.mktemp("acme"), migrated_sqlite_template)
    store.upsert(load_decisions(DATA / "decisions.yaml"))
    return searcher_on(store)


@pytest.fixture
def store(
    embedder: WordLlamaEmbedder, tmp_path: Path, migrated_sqlite_template: Path
) -> IndexedKnowledgeStore:
    return open_store(embedder, tmp_path, migrated_sqlite_template)


# -- what keyword search adds ----------------------------------------------------------------


@pytest.mark.parametrize(("ticket", "decision"), [("ACME-203", 32), ("ACME-118", 6)])
def test_a_bare_ticket_id_is_found_by_hybrid_where_vectors_miss_it(
    acme: HybridSearcher, ticket: str, decision: int
) -> None:
    vector = acme.search(ticket, project="acme", channel=TEAM, mode="vector")
    hybrid = acme.search(ticket, project="acme", channel=TEAM)

    assert f"decision:acme:{decision}" not in ids(vector)
    assert ids(hybrid)[0] == f"decision:acme:{decision}"
    assert hybrid[0].keyword_score > 0


def test_a_norwegian_word_ranks_its_decision_first_only_with_keywords(
    acme: HybridSearcher,
) -> None:
    question = "Is brevpost something we offer to users?"
    vector = ids(acme.search(question, project="acme", channel=TEAM, mode="vector"))
    hybrid = ids(acme.search(question, project="acme", channel=TEAM))

    assert hybrid[0] == "decision:acme:80"
    assert "decision:acme:80" not in vector[:1]


# -- scope: channel, project, superseded -----------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_private_decision_never_reaches_another_channel(
    store: IndexedKnowledgeStore, mode: SearchMode
) -> None:
    secret = "The Bangkok team's hourly rate rises from NOK 650 to NOK 690 (ACME-301)."
    store.upsert(
        [
            doc("rate", secret, channel=LEADS, private=True),
            doc("release", "Releases go out every second Wednesday at 20:00 Oslo time."),
            doc("kid", "KID numbers use a MOD10 check digit."),
        ]
    )
    searcher = searcher_on(store)
    for query in (secret, "hourly rate NOK 690", "ACME-301", "What do we charge per hour?"):
        for channel in (TEAM, CLIENT):
            found = searcher.search(query, project="acme", channel=channel, k=10, mode=mode)
            assert "rate" not in ids(found), (query, channel)

    assert ids(searcher.search(secret, project="acme", channel=LEADS, mode=mode))[0] == "rate"
    assert "rate" in ids(searcher.search(secret, project="acme", channel=None, mode=mode))


@pytest.mark.parametrize("mode", MODES)
def test_a_document_that_does_not_say_it_is_public_stays_in_its_channel(
    store: IndexedKnowledgeStore, mode: SearchMode
) -> None:
    text = "Penetration test findings are discussed only in the security channel."
    store.upsert([Document("unmarked", text, {"project": "acme", "source_channel": LEADS})])
    searcher = searcher_on(store)

    assert searcher.search(text, project="acme", channel=TEAM, mode=mode) == []
    assert ids(searcher.search(text, project="acme", channel=LEADS, mode=mode)) == ["unmarked"]


@pytest.mark.parametrize("mode", MODES)
def test_another_projects_documents_are_never_returned(
    store: IndexedKnowledgeStore, mode: SearchMode
) -> None:
    question = "Which PEPPOL access point did we choose? ACME-130"
    store.upsert(
        [doc(f"beta-{i}", f"{question} Beta decision {i}.", project="beta") for i in range(6)]
        + [doc("acme-ap", "We send EHF through NordPeppol AS, our PEPPOL access point.")]
    )
    searcher = searcher_on(store)

    found = searcher.search(question, project="acme", channel=TEAM, k=10, mode=mode)
    assert ids(found) == ["acme-ap"]
    assert searcher.search(question, project="gamma", channel=TEAM, mode=mode) == []
    assert {p.metadata["project"] for p in searcher.search(question, project="beta")} == {"beta"}


@pytest.mark.parametrize("mode", MODES)
def test_superseded_decisions_only_with_the_flag(
    store: IndexedKnowledgeStore, mode: SearchMode
) -> None:
    store.upsert(
        [
            doc("old", "Invoice emails are sent through SendGrid.", superseded=True),
            doc("new", "Invoice emails move from SendGrid to Postmark."),
            Document("note", "SendGrid bounced mail to Outlook.", {"project": "acme"}),
        ]
    )
    searcher = searcher_on(store)
    query = "Which service sends invoice emails, SendGrid?"

    current = ids(searcher.search(query, project="acme", mode=mode))
    history = ids(searcher.search(query, project="acme", mode=mode, include_superseded=True))
    assert "old" not in current
    assert {"new", "note"} <= set(current)  # no superseded key means current
    assert "old" in history


def test_chroma_and_the_keyword_index_apply_the_same_scope(store: IndexedKnowledgeStore) -> None:
    # Each half filters in its own engine: one rule, two spellings, checked against a third.
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
        (None, TEAM, LEADS), (False, True), (None, ("story",), ("story", "decision"))
    ):
        scope = Scope("acme", channel, include, kinds)
        expected = set()
        for d in docs:
            r = IndexRecord.from_metadata(d.metadata)
            if (
                r.project == "acme"
                and (include or not r.superseded)
                and (channel is None or not r.private or r.source_channel == channel)
                and (kinds is None or r.kind in kinds)
            ):
                expected.add(d.id)
        assert {d.id for d in store.all(scope_where(scope))} == expected, scope
        keyword = store.keywords.search("document", scope=scope, k=len(docs))
        assert {hit.id for hit in keyword} == expected, scope
        assert expected  # every combination leaves something to compare


@pytest.mark.parametrize("mode", MODES)
def test_filtered_documents_do_not_crowd_out_visible_ones(
    store: IndexedKnowledgeStore, mode: SearchMode
) -> None:
    hidden = [
        doc(
            f"secret-{i}", f"Vipps payment link limit NOK 10 000, secret variant {i}.", private=True
        )
        for i in range(8)
    ]
    store.upsert([*hidden, doc("public", "Invoices can carry a Vipps link.", channel=CLIENT)])
    searcher = searcher_on(store, candidates=2)

    found = searcher.search(
        "Vipps payment link limit", project="acme", channel=CLIENT, k=1, mode=mode
    )
    assert ids(found) == ["public"]


# -- scores ------------------------------------------------------------------------------------


def test_keyword_only_hits_carry_their_raw_cosine_similarity(
    store: IndexedKnowledgeStore, embedder: WordLlamaEmbedder
) -> None:
    texts = {
        "ticket": "Reminder fees are charged only once per invoice (ACME-142).",
        "range": "ACME-100 to ACME-150.",
        "jira": "ACME tickets in Jira.",
        "board": "The Acme 142 board.",
        "freeze": "Code freeze is Monday at noon Oslo time.",
    }
    store.upsert([doc(i, t) for i, t in texts.items()])
    # each side looks only k deep; equal weights, so the keyword side's first hit makes top 2
    searcher = searcher_on(store, candidates=1, vector_weight=1.0)
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

    assert ids(passages)[0] == "decision:acme:68"
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


def test_a_write_reaches_both_halves_and_the_next_query_at_once(
    store: IndexedKnowledgeStore,
) -> None:
    store.upsert([doc("d1", "KID numbers use MOD10.")])
    searcher = searcher_on(store)
    assert searcher.search("ACME-999", project="acme", mode="keyword") == []

    store.upsert([doc("d2", "ACME-999: reminders are sent in the customer's language.")])
    for mode in MODES:
        assert ids(searcher.search("ACME-999", project="acme", mode=mode))[0] == "d2"

    store.upsert([doc("d2", "Reminders are sent in Norwegian.")])  # re-indexed: replaced
    assert searcher.search("ACME-999", project="acme", mode="keyword") == []
    assert store.keywords.count() == store.count() == 2

    assert store.delete_where({"project": "acme", "kind": "decision", "source_channel": TEAM}) == 2
    assert searcher.search("reminders", project="acme", mode="keyword") == []
    assert store.keywords.count() == store.count() == 0


@pytest.mark.parametrize("mode", MODES)
def test_writes_by_another_writer_never_leak_through_the_keyword_snapshot(
    store: IndexedKnowledgeStore, embedder: WordLlamaEmbedder, tmp_path: Path, mode: SearchMode
) -> None:
    # A second store on the same folder and database file stands in for another process.
    store.upsert([doc("rate", "Hourly rate NOK 690 (ACME-301)."), doc("gone", "ACME-302 KID")])
    searcher = searcher_on(store)
    assert "rate" in ids(searcher.search("ACME-301", project="acme", channel=TEAM, mode=mode))

    other = IndexedKnowledgeStore(  # another process: its own Chroma client and engine
        ChromaKnowledgeStore(embedder, path=str(tmp_path / "chroma")),
        SqlKeywordIndex(create_db_engine(f"sqlite:///{tmp_path / 'apo.db'}")),
    )
    other.upsert([doc("rate", "Hourly rate NOK 690 (ACME-301).", channel=LEADS, private=True)])
    other.delete(["gone"])

    assert "rate" not in ids(searcher.search("ACME-301", project="acme", channel=TEAM, mode=mode))
    assert "gone" not in ids(searcher.search("ACME-302", project="acme", channel=TEAM, mode=mode))
    assert "rate" in ids(searcher.search("ACME-301", project="acme", channel=LEADS, mode=mode))


def test_store_all_and_delete_where(embedder: WordLlamaEmbedder, tmp_path: Path) -> None:
    store = ChromaKnowledgeStore(embedder, path=str(tmp_path / "c"), batch_size=2)
    store.upsert([doc(f"k#{i}", f"section {i}", kind="knowledge") for i in range(5)])
    store.upsert([doc("story:1", "a story", kind="story")])

    assert sorted(d.id for d in store.all()) == ["k#0", "k#1", "k#2", "k#3", "k#4", "story:1"]
    assert len(store.all({"kind": "knowledge"})) == 5
    assert store.delete_where({"kind": "knowledge"}) == 5
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
    docs, questions = load_all()
    by_id = {d.id: d for d in docs}
    answerable = [q for q in questions if q.expected]

    assert len({d.metadata["project"] for d in docs}) >= 2
    assert len(questions) >= 200 and len(answerable) >= 120
    assert sum(1 for q in questions if q.kind == "unanswerable") >= 40
    for question in questions:
        assert question.kind in KINDS and question.split in ("tune", "holdout"), question.text
        for expected in question.expected:
            assert in_scope(by_id[expected], question), (question.text, expected)
        for hidden in question.must_not_see:
            assert not in_scope(by_id[hidden], question), (question.text, hidden)
    for kind in KINDS:  # every kind on both sides of the split
        splits = {q.split for q in questions if q.kind == kind}
        assert splits == {"tune", "holdout"}, kind
    tune = sum(q.split == "tune" for q in questions) / len(questions)
    assert 0.35 <= tune <= 0.45
    assert set(KINDS) >= CROSS
    assert sum(1 for d in docs if d.metadata["private"]) >= 6
    for decisions, _ in SETS:
        log = yaml.safe_load((DATA / decisions).read_text(encoding="utf-8"))["decisions"]
        by_number = {item["id"]: item for item in log}
        replaced = [item for item in log if item.get("superseded")]
        assert len(replaced) >= 3
        for item in replaced:  # the decision that replaced it is in the log, and is current
            assert not by_number[item["superseded_by"]].get("superseded"), item["id"]


def test_an_index_built_before_the_keyword_table_is_copied_in_once(
    store: IndexedKnowledgeStore,
) -> None:
    store.vectors.upsert([doc("old", "ACME-77: KID numbers use MOD10."), doc("b", "Code freeze.")])
    assert store.keywords.count() == 0

    assert store.fill_keywords() == 2
    assert ids(searcher_on(store).search("ACME-77", project="acme", mode="keyword")) == ["old"]
    assert store.fill_keywords() == 0  # not again once the table holds anything


def test_a_record_found_through_its_translation_is_cited_in_its_own_words(
    store: IndexedKnowledgeStore,
) -> None:
    """A companion translation ranks its original: one passage, the original's text, the
    better similarity of the two, the translation's terms counted as evidence."""
    original = doc("purring", "Purregebyret er 35 kroner, og andre purring har ikke nytt gebyr.")
    store.upsert(
        [
            original,
            translation_document(
                original,
                "English",
                "The reminder fee is NOK 35; the second reminder has no new fee.",
            ),
            doc("freeze", "Code freeze is Monday at noon Oslo time."),
        ]
    )
    searcher = searcher_on(store)

    passages = searcher.search("How much is the reminder fee?", project="acme", k=3)

    assert passages[0].id == "purring"
    assert len({p.id for p in passages}) == len(passages)  # never the same record twice
    first = passages[0]
    assert first.text == original.text
    assert first.translations and "reminder fee" in first.translations[0]
    assert first.term_overlap == 1.0  # "reminder", "fee" are in the translation

    store.delete(["purring"])  # the translation goes with its original
    assert all(p.id != "purring" for p in searcher.search("reminder fee", project="acme"))
    assert store.keywords.search("reminder fee", scope=Scope("acme"), k=5) == []


def test_a_record_written_again_keeps_only_the_translations_written_with_it(
    store: IndexedKnowledgeStore,
) -> None:
    """An edit from Norwegian into English needs no English translation any more: the old
    companion must not keep answering for the old text."""
    norwegian = doc("edited", "Purregebyret er 35 kroner.")
    store.upsert(
        [norwegian, translation_document(norwegian, "English", "The reminder fee is NOK 35.")]
    )
    assert store.keywords.search("reminder fee", scope=Scope("acme"), k=5) != []

    store.upsert([doc("edited", "Reminders are free of charge from now on.")])

    hits = store.keywords.search("fee NOK 35", scope=Scope("acme"), k=5)
    assert [h.id for h in hits] == []
    assert [d.id for d in store.all({"project": "acme"}) if d.id.startswith("edited")] == ["edited"]
