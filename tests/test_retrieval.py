"""Retrieval against real Chroma (a temp folder, or a `chroma run` server) and the real WordLlama.

The only fake is the OpenAI-compatible embeddings server, at the network boundary.
"""

from __future__ import annotations

import json
import math
import socket
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings

from bot.errors import BotError, ConfigError
from bot.quality import StoryDraft, check_batch
from bot.retrieval import embeddings as embeddings_module
from bot.retrieval.chroma_parts import to_chroma_where
from bot.retrieval.embeddings import (
    OpenAIEmbedder,
    WordLlamaEmbedder,
    as_langchain_embeddings,
    make_embedder,
)
from bot.retrieval.similarity import EmbeddingSimilarity, duplicate_threshold
from bot.retrieval.store import UNREACHABLE, ChromaKnowledgeStore
from bot.retrieval.types import Document, KnowledgeStore, SearchHit
from tests.harness.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]


def dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


@pytest.fixture(scope="module")
def embedder() -> WordLlamaEmbedder:
    return WordLlamaEmbedder()


@pytest.fixture
def store(embedder: WordLlamaEmbedder, tmp_path: Path) -> ChromaKnowledgeStore:
    return ChromaKnowledgeStore(embedder, path=str(tmp_path / "chroma"))


# -- embeddings -------------------------------------------------------------------------------


@pytest.fixture
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Refuse every outgoing connection and DNS lookup, and record the attempts."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network disabled by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_wordllama_loads_shipped_model_without_network(
    monkeypatch: pytest.MonkeyPatch, network_attempts: list[Any]
) -> None:
    monkeypatch.setattr(embeddings_module, "_wordllama_model", None)  # force a fresh load
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        vector = WordLlamaEmbedder().embed_query("The export button downloads a CSV file")

    assert network_attempts == []
    assert not [w for w in caught if "Hugging Face" in str(w.message)]
    assert len(vector) == 256
    assert math.isclose(math.fsum(v * v for v in vector), 1.0, rel_tol=1e-6)


def test_loading_wordllama_leaves_logging_configuration_alone() -> None:
    # wordllama configures the root logger when imported; a fresh process shows we undo that.
    script = textwrap.dedent(
        """
        import logging
        from bot.retrieval.embeddings import WordLlamaEmbedder
        WordLlamaEmbedder().embed_query("hello")
        root = logging.getLogger()
        print(len(root.handlers), root.level)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", str(30)]


def test_similar_sentences_are_closer_than_unrelated_ones(embedder: WordLlamaEmbedder) -> None:
    login, sso, invoice = embedder.embed_documents(
        [
            "Users log in to the portal with their company single sign-on account",
            "Sign in to the web portal using SSO from your employer",
            "Monthly invoices are exported to the accounting system as PDF",
        ]
    )
    assert dot(login, sso) > dot(login, invoice) + 0.1
    assert embedder.embed_query(
        "Monthly invoices are exported to the accounting system as PDF"
    ) == (pytest.approx(invoice, abs=1e-6))


def test_wordllama_vectors_keep_input_order_and_unit_length(embedder: WordLlamaEmbedder) -> None:
    texts = ["a much longer sentence about the release plan for the mobile app", "short", ""]
    vectors = embedder.embed_documents(texts)
    assert vectors[0] == pytest.approx(embedder.embed_query(texts[0]), abs=1e-6)
    assert vectors[1] == pytest.approx(embedder.embed_query("short"), abs=1e-6)
    assert math.isclose(dot(vectors[0], vectors[0]), 1.0, rel_tol=1e-6)
    assert all(v == 0.0 for v in vectors[2])  # no text: a zero vector, not NaN


@pytest.mark.parametrize(
    "spec", ["", "remote", "openai", "openai:", "openai:  ", "huggingface:all-MiniLM", "local:big"]
)
def test_make_embedder_rejects_bad_specs_with_a_clear_message(spec: str) -> None:
    with pytest.raises(ConfigError) as error:
        make_embedder(spec, api_key="sk-test", base_url=None)
    message = error.value.user_message
    assert "APO_EMBEDDINGS" in message
    assert "local" in message and "openai:<model>" in message


def test_make_embedder_builds_the_named_embedders() -> None:
    assert isinstance(make_embedder(" Local ", api_key=None, base_url=None), WordLlamaEmbedder)
    remote = make_embedder("openai:text-embedding-3-small", api_key="sk-test", base_url=None)
    assert isinstance(remote, OpenAIEmbedder)
    assert remote.name == "openai:text-embedding-3-small"


def test_openai_embeddings_need_an_api_key() -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        make_embedder("openai:text-embedding-3-small", api_key=None, base_url=None)


class _TwoVectors:
    """Invoice texts on one axis, the rest at cosine 0.87 from it."""

    name = "fake:two-vectors"
    dimensions = 2

    def embed_query(self, text: str) -> list[float]:
        return [1.0, 0.0] if "invoice" in text else [0.87, math.sqrt(1 - 0.87**2)]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.embed_query(t) for t in texts]


@pytest.mark.parametrize(
    ("spec", "duplicate"), [("local", False), ("openai:text-embedding-3-small", True)]
)
def test_each_embedder_brings_the_duplicate_threshold_the_checks_use(
    spec: str, duplicate: bool
) -> None:
    """Embedders spread cosines differently: 0.87 is a paraphrase for an OpenAI model but
    not for WordLlama, whose unrelated stories reach 0.895."""
    similarity = EmbeddingSimilarity(_TwoVectors, duplicate_threshold=duplicate_threshold(spec))
    stories = [
        StoryDraft("Print invoices", "accountant", "to print the monthly invoice run"),
        StoryDraft("Paper copies", "accountant", "to get paper copies of what we bill each month"),
    ]

    report = check_batch(stories, "", similarity=similarity)

    found = [d.method for s in report.stories for d in s.duplicates]
    assert found == (["embedding"] if duplicate else [])


def test_openai_embedder_uses_an_openai_compatible_server(fake_openai: Any, tmp_path: Path) -> None:
    from tests.harness.fake_openai import embed_text

    embedder = make_embedder(
        "openai:nomic-embed-text", api_key="sk-test", base_url=fake_openai.url, timeout=5
    )
    texts = ["Export the backlog as Jira CSV", "Digest at nine in Bangkok"]
    vectors = embedder.embed_documents(texts)

    assert vectors[0] == pytest.approx(embed_text(texts[0]), abs=1e-6)
    assert vectors[1] == pytest.approx(embed_text(texts[1]), abs=1e-6)
    assert embedder.dimensions == 64
    sent = fake_openai.embedding_requests[0]
    assert sent["model"] == "nomic-embed-text"
    assert sent["input"] == texts  # raw strings, not tiktoken ids

    knowledge = ChromaKnowledgeStore(embedder, path=str(tmp_path / "chroma"))
    knowledge.upsert(
        [
            Document("s1", "Export the backlog as Jira CSV", {"project": "acme"}),
            Document("s2", "Digest at nine in Bangkok", {"project": "acme"}),
        ]
    )
    hits = knowledge.search("export backlog csv", k=2, where={"project": "acme"})
    assert hits[0].id == "s1"
    assert hits[0].similarity == pytest.approx(
        dot(embed_text("export backlog csv"), embed_text(texts[0])), abs=1e-5
    )


def test_langchain_adapter_gives_the_same_vectors(embedder: WordLlamaEmbedder) -> None:
    adapted = as_langchain_embeddings(embedder)
    assert isinstance(adapted, Embeddings)
    assert adapted.embed_query("sprint planning") == embedder.embed_query("sprint planning")
    assert adapted.embed_documents(["a", "b"]) == embedder.embed_documents(["a", "b"])


# -- the store --------------------------------------------------------------------------------


def test_store_satisfies_the_protocol(store: ChromaKnowledgeStore) -> None:
    assert isinstance(store, KnowledgeStore)


def test_identical_text_has_similarity_one_and_scores_are_raw_cosines(
    store: ChromaKnowledgeStore, embedder: WordLlamaEmbedder
) -> None:
    texts = {
        "d1": "Reviewers approve draft stories before they reach the backlog",
        "d2": "The Bangkok team gets a handover digest every morning",
        "d3": "Quarterly revenue figures for the sales department",
    }
    store.upsert([Document(i, t, {"project": "acme"}) for i, t in texts.items()])
    query = "Reviewers approve draft stories before they reach the backlog"

    hits = store.search(query, k=3)

    assert hits[0].id == "d1"
    assert hits[0].similarity == pytest.approx(1.0, abs=1e-5)
    query_vector = embedder.embed_query(query)
    for hit in hits:
        expected = dot(query_vector, embedder.embed_query(texts[hit.id]))
        assert hit.similarity == pytest.approx(expected, abs=1e-4)
    assert hits[0].similarity > hits[1].similarity > hits[2].similarity
    assert hits[-1].similarity < 0.5


def test_upserting_the_same_id_replaces_text_and_metadata(store: ChromaKnowledgeStore) -> None:
    store.upsert(
        [Document("story-7", "Draft: export stories as PDF", {"project": "acme", "draft": True})]
    )
    store.upsert([Document("story-7", "Export approved stories as Jira CSV", {"project": "acme"})])

    assert store.count() == 1
    assert store.get(["story-7"]) == [
        Document("story-7", "Export approved stories as Jira CSV", {"project": "acme"})
    ]
    assert store.count({"draft": True}) == 0
    hits = store.search("Export approved stories as Jira CSV", k=5)
    assert [(h.id, h.text) for h in hits] == [("story-7", "Export approved stories as Jira CSV")]


def test_upsert_in_batches_and_last_duplicate_wins(
    embedder: WordLlamaEmbedder, tmp_path: Path
) -> None:
    small_batches = ChromaKnowledgeStore(embedder, path=str(tmp_path / "c"), batch_size=2)
    docs = [Document(f"n{i}", f"note number {i} about the sprint", {"i": i}) for i in range(5)]
    small_batches.upsert([*docs, Document("n1", "note one, rewritten", {"i": 1})])

    assert small_batches.count() == 5
    assert [d.text for d in small_batches.get(["n1", "n4"])] == [
        "note one, rewritten",
        "note number 4 about the sprint",
    ]


def test_project_filter_never_returns_another_projects_documents(
    store: ChromaKnowledgeStore,
) -> None:
    question = "When is the handover digest posted to the team?"
    store.upsert(
        [
            Document(f"beta-{i}", f"{question} (beta note {i})", {"project": "beta"})
            for i in range(8)
        ]
        + [
            Document("acme-1", "The digest is posted at 09:00 Bangkok time", {"project": "acme"}),
            Document("acme-2", "Stories need acceptance criteria", {"project": "acme"}),
        ]
    )

    unfiltered = store.search(question, k=3)
    assert {h.metadata["project"] for h in unfiltered} == {"beta"}  # the filter has work to do

    hits = store.search(question, k=10, where={"project": "acme"})
    assert {h.id for h in hits} == {"acme-1", "acme-2"}
    assert store.count({"project": "acme"}) == 2
    assert store.search(question, where={"project": "nobody"}) == []


def test_multi_key_and_list_filters(store: ChromaKnowledgeStore) -> None:
    store.upsert(
        [
            Document("a-story", "Export as CSV", {"project": "acme", "kind": "story"}),
            Document("a-decision", "Export as CSV", {"project": "acme", "kind": "decision"}),
            Document("a-note", "Export as CSV", {"project": "acme", "kind": "note"}),
            Document("b-story", "Export as CSV", {"project": "beta", "kind": "story"}),
        ]
    )

    def ids(where: Any) -> set[str]:
        return {h.id for h in store.search("Export as CSV", k=10, where=where)}

    assert ids({"project": "acme", "kind": "story"}) == {"a-story"}
    assert ids([{"project": "acme"}, {"kind": "story"}]) == {"a-story"}
    assert ids({"project": "acme", "kind": ["story", "decision"]}) == {"a-story", "a-decision"}
    assert ids({"$or": [{"project": "beta"}, {"kind": "note"}]}) == {"b-story", "a-note"}
    assert store.count({"project": "acme", "kind": "story"}) == 1
    assert store.count([]) == 4


def test_where_translation() -> None:
    assert to_chroma_where(None) is None
    assert to_chroma_where({}) is None
    assert to_chroma_where({"project": "acme"}) == {"project": "acme"}
    assert to_chroma_where({"project": "acme", "n": {"$gte": 2}}) == {
        "$and": [{"project": "acme"}, {"n": {"$gte": 2}}]
    }
    assert to_chroma_where([{"$and": [{"a": 1}, {"b": 2}]}, {"c": (3, 4)}]) == {
        "$and": [{"a": 1}, {"b": 2}, {"c": {"$in": [3, 4]}}]
    }


def test_get_delete_and_count(store: ChromaKnowledgeStore) -> None:
    store.upsert([Document(f"d{i}", f"decision {i}", {"n": i, "ok": i % 2 == 0}) for i in range(4)])

    assert [d.id for d in store.get(["d3", "missing", "d0", "d3"])] == ["d3", "d0"]
    assert store.get(["d2"])[0].metadata == {"n": 2, "ok": True}
    store.delete(["d0", "d1", "missing"])
    store.delete([])
    assert store.count() == 2
    assert store.count({"ok": True}) == 1
    assert store.get(["d0"]) == []


def test_bad_documents_and_queries_are_rejected_or_empty(store: ChromaKnowledgeStore) -> None:
    with pytest.raises(ValueError, match="no text"):
        store.upsert([Document("blank", "   ")])
    with pytest.raises(ValueError, match="metadata"):
        store.upsert([Document("x", "text", {"tags": ["a"]})])  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="k must be"):
        store.search("anything", k=0)
    assert store.search("   ") == []
    assert store.search("anything") == []  # empty index


def test_reopening_the_folder_in_a_new_process_finds_the_documents(
    store: ChromaKnowledgeStore, tmp_path: Path
) -> None:
    store.upsert(
        [
            Document("k1", "Definition of ready: a story has acceptance criteria", {"p": "acme"}),
            Document("k2", "Glossary: APO means assistant product owner", {"p": "acme"}),
        ]
    )
    script = textwrap.dedent(
        f"""
        import json
        from bot.retrieval.embeddings import WordLlamaEmbedder
        from bot.retrieval.store import ChromaKnowledgeStore
        store = ChromaKnowledgeStore(WordLlamaEmbedder(), path={str(tmp_path / "chroma")!r})
        hits = store.search("what does APO mean", k=1, where={{"p": "acme"}})
        print(json.dumps({{"count": store.count(), "top": hits[0].id}}))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"count": 2, "top": "k2"}


def test_an_index_built_with_another_embedder_asks_for_a_reindex(
    store: ChromaKnowledgeStore, tmp_path: Path
) -> None:
    store.upsert([Document("x", "anything at all")])
    other = ChromaKnowledgeStore(WordLlamaEmbedder(128), path=str(tmp_path / "chroma"))

    with pytest.raises(ConfigError) as error:
        other.search("anything at all")
    message = error.value.user_message
    assert "wordllama:l2_supercat-256" in message and "wordllama:l2_supercat-128" in message
    assert "Re-index" in message and "CHROMA_PATH" in message
    with pytest.raises(ConfigError):
        other.ping()
    store.ping()  # the original embedder still works


def test_bad_chroma_url_is_a_config_error(embedder: WordLlamaEmbedder) -> None:
    for url in ["chroma:8000", "ftp://host", "http://host:port", "http://host:8000/api/v2"]:
        with pytest.raises(ConfigError, match="CHROMA_URL"):
            ChromaKnowledgeStore(embedder, url=url)


def test_unreachable_chroma_server_fails_ping_with_advice(embedder: WordLlamaEmbedder) -> None:
    with socket.socket() as probe:  # a port on which nobody listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    unreachable = ChromaKnowledgeStore(embedder, url=f"http://127.0.0.1:{port}")
    with pytest.raises(ConfigError) as error:
        unreachable.ping()
    # The operator (apo doctor, the CLI) gets the fix; someone asking in Slack only to wait.
    assert f"CHROMA_URL=http://127.0.0.1:{port}" in error.value.for_operator
    assert "chroma run" in error.value.for_operator
    assert error.value.user_message == UNREACHABLE


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    binary = Path(sys.executable).with_name("chroma")
    if not binary.exists():
        pytest.skip("the `chroma` server binary (from the chromadb package) is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(binary), "run", "--path", str(tmp_path / "server")]
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_chroma_server_through_http_client(
    chroma_server: tuple[str, subprocess.Popen[bytes]], embedder: WordLlamaEmbedder
) -> None:
    url, server = chroma_server
    remote = ChromaKnowledgeStore(embedder, url=url, collection="team_knowledge")

    def answers() -> bool:
        try:
            remote.ping()
        except ConfigError:
            return False
        return True

    wait_until(answers, timeout=30, what="the Chroma server did not answer", interval=0.1)

    remote.upsert(
        [
            Document("r1", "Digests go out at 08:30 local time", {"project": "acme"}),
            Document("r2", "Digests go out at 08:30 local time", {"project": "beta"}),
        ]
    )
    hits = remote.search("Digests go out at 08:30 local time", where={"project": "beta"})
    assert [(h.id, round(h.similarity, 4)) for h in hits] == [("r2", 1.0)]
    with pytest.raises(ConfigError, match="Re-index"):
        ChromaKnowledgeStore(WordLlamaEmbedder(64), url=url, collection="team_knowledge").ping()

    server.terminate()
    server.wait(timeout=10)
    with pytest.raises(BotError) as error:
        remote.search("digests")
    assert "not reachable" in error.value.user_message
    with pytest.raises(ConfigError) as down:
        remote.ping()
    assert f"CHROMA_URL={url}" in down.value.for_operator
    assert "CHROMA_URL" not in down.value.user_message


def test_search_hits_are_plain_values(store: ChromaKnowledgeStore) -> None:
    store.upsert([Document("p", "plain", {"project": "acme", "n": 1, "f": 0.5, "b": False})])
    [hit] = store.search("plain")
    assert isinstance(hit, SearchHit)
    assert hit.metadata == {"project": "acme", "n": 1, "f": 0.5, "b": False}
    assert isinstance(hit.similarity, float)
