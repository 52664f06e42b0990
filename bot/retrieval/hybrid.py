"""Hybrid search: vector similarity fused with BM25 by reciprocal rank, inside the asker's scope.

Vectors find paraphrases; BM25 finds the exact strings vectors blur (ticket ids, names,
Norwegian words). Reciprocal-rank fusion merges the two rankings without having to make a
cosine and a BM25 score comparable. Each passage still carries its raw cosine similarity,
because whether to answer at all is decided on that, never on a fused rank.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from bot.retrieval.keyword import KeywordIndex, Predicate
from bot.retrieval.types import (
    Document,
    Embedder,
    IndexRecord,
    Metadata,
    Passage,
    SearchHit,
    SearchMode,
    Where,
)

# The abstention threshold on raw cosine similarity for the local WordLlama embedder
# (wordllama:l2_supercat-256): answer only when the best passage is at least this similar to the
# question. From `python -m tests.bench.retrieval` (Acme decision log, 100 answerable and 22
# unanswerable questions, hybrid top 5), share answered / share abstained by threshold:
#   0.30: 0.81/0.45  0.35: 0.71/0.64  0.40: 0.59/0.68  0.425: 0.55/0.82  0.50: 0.35/0.91
# Balanced accuracy plateaus at 0.67-0.68 from 0.35 to 0.425; we take its most permissive end,
# because a needless abstention makes a developer wait a day for a human, while a weak passage
# still goes through the grounded answer prompt, which can say that nothing answers it. This
# embedder separates the two groups poorly, so the gate is coarse: keep that second line.
# Other embedders spread similarities differently and need their own value.
DEFAULT_MIN_SIMILARITY = 0.35

_MODES: frozenset[str] = frozenset({"hybrid", "vector", "keyword"})


class HybridStore(Protocol):
    """What hybrid search needs from the store; ``ChromaKnowledgeStore`` has it all."""

    @property
    def version(self) -> int: ...

    @property
    def embedder(self) -> Embedder: ...

    def all(self, where: Where | None = None) -> list[Document]: ...

    def search_vector(
        self, vector: Sequence[float], *, k: int = 5, where: Where | None = None
    ) -> list[SearchHit]: ...

    def get_with_vectors(self, ids: Sequence[str]) -> list[tuple[Document, list[float]]]: ...


def scope_where(
    project: str, channel: str | None, *, include_superseded: bool, kinds: Sequence[str] | None
) -> list[dict[str, Any]]:
    """The Chroma filter for what a question may see. :func:`scope_predicate` must agree."""
    conditions: list[dict[str, Any]] = [{"project": project}]
    if not include_superseded:
        conditions.append({"superseded": {"$ne": True}})  # a document without the key is current
    if channel is not None:
        # Fails closed: a document that doesn't say private=False is visible only in its own
        # source channel.
        conditions.append({"$or": [{"private": False}, {"source_channel": channel}]})
    if kinds is not None:
        conditions.append({"kind": {"$in": list(kinds)}})
    return conditions


def scope_predicate(
    project: str, channel: str | None, *, include_superseded: bool, kinds: Sequence[str] | None
) -> Predicate:
    """The same scope as :func:`scope_where`, as a test on a document's metadata."""
    kind_set = None if kinds is None else frozenset(kinds)

    def visible(metadata: Metadata) -> bool:
        record = IndexRecord.from_metadata(metadata)
        if record.project != project:
            return False
        if not include_superseded and record.superseded:
            return False
        if channel is not None and record.private and record.source_channel != channel:
            return False
        return kind_set is None or record.kind in kind_set

    return visible


def reciprocal_rank_fusion(rankings: Iterable[Sequence[str]], *, k: int = 60) -> dict[str, float]:
    """Sum over rankings of 1 / (k + rank), rank counted from 1 (Cormack et al., 2009).

    A large ``k`` flattens the difference between the first few ranks, so a document that
    both searches rank fairly high beats one that only a single search ranks first.
    """
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, doc_id in enumerate(ranking, start=1):
            fused[doc_id] = fused.get(doc_id, 0.0) + 1.0 / (k + rank)
    return fused


def best_similarity(passages: Iterable[Passage]) -> float:
    """The highest raw cosine similarity among the passages; -1.0 (the minimum) when none."""
    return max((p.similarity for p in passages), default=-1.0)


class HybridSearcher:
    """Scoped hybrid search over a :class:`HybridStore`; satisfies ``PassageRetriever``.

    ``candidates`` is how deep each search looks before fusion; ``rrf_k`` the fusion constant.
    ``keyword_floor`` leaves out of the fusion keyword hits scoring below that fraction of the
    best keyword hit: they share only a common word (or the "ACME" of another ticket id) with
    the question, and fusion would otherwise reward them for merely appearing in both lists.
    The benchmark is flat for floors 0.3-0.6 (MRR 0.70-0.71, 0.67 without); 0.4 sits inside.
    """

    def __init__(
        self,
        store: HybridStore,
        *,
        candidates: int = 30,
        rrf_k: int = 60,
        keyword_max_age: float | None = 300.0,
        keyword_floor: float = 0.4,
    ) -> None:
        if candidates < 1 or rrf_k < 0 or not 0.0 <= keyword_floor <= 1.0:
            raise ValueError("need candidates >= 1, rrf_k >= 0 and 0 <= keyword_floor <= 1")
        self._store = store
        self._candidates = candidates
        self._rrf_k = rrf_k
        self._keyword_floor = keyword_floor
        self._keyword = KeywordIndex(store, max_age=keyword_max_age)

    def search(
        self,
        query: str,
        *,
        project: str,
        channel: str | None = None,
        k: int = 5,
        include_superseded: bool = False,
        kinds: Sequence[str] | None = None,
        mode: SearchMode = "hybrid",
    ) -> list[Passage]:
        """Best ``k`` passages of ``project`` visible from ``channel``, best first.

        Visible means: not superseded (unless ``include_superseded``), of one of ``kinds`` (if
        given), and either public or from ``channel`` itself. ``channel=None`` lifts the channel
        restriction, private content included: only for trusted callers (an admin's CLI).
        """
        if k < 1:
            raise ValueError("k must be at least 1")
        if not project:
            raise ValueError("project is required: search never crosses projects")
        if channel == "":
            raise ValueError("channel must be a channel id, or None for no channel restriction")
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {sorted(_MODES)}, not {mode!r}")
        if not query.strip() or (kinds is not None and not kinds):
            return []

        visible = scope_predicate(
            project, channel, include_superseded=include_superseded, kinds=kinds
        )
        depth = max(self._candidates, k)
        query_vector = self._store.embedder.embed_query(query)

        # id -> (document, raw cosine similarity), for every candidate of either search
        found: dict[str, tuple[Document, float]] = {}
        vector_ranking: list[str] = []
        if mode != "keyword":
            where = scope_where(
                project, channel, include_superseded=include_superseded, kinds=kinds
            )
            for hit in self._store.search_vector(query_vector, k=depth, where=where):
                if visible(hit.metadata):  # belt and braces: Chroma filtered already
                    found[hit.id] = (Document(hit.id, hit.text, hit.metadata), hit.similarity)
                    vector_ranking.append(hit.id)
        keyword_score: dict[str, float] = {}
        keyword_ranking: list[str] = []
        if mode != "vector":
            hits = self._keyword.search(query, project=project, k=depth, predicate=visible)
            keyword_score = {doc.id: score for doc, score in hits}
            floor = self._keyword_floor * hits[0][1] if hits and mode == "hybrid" else 0.0
            keyword_ranking = [doc.id for doc, score in hits if score >= floor]
            found.update(self._current(query_vector, set(keyword_ranking) - found.keys(), visible))
            keyword_ranking = [doc_id for doc_id in keyword_ranking if doc_id in found]

        fused = reciprocal_rank_fusion([vector_ranking, keyword_ranking], k=self._rrf_k)
        # Ties in fusion (a first place in one list only, say) go to the closer meaning.
        ranked = sorted(fused, key=lambda i: (-fused[i], -found[i][1], i))[:k]
        return [
            Passage(
                id=doc_id,
                text=found[doc_id][0].text,
                metadata=dict(found[doc_id][0].metadata),
                similarity=found[doc_id][1],
                keyword_score=keyword_score.get(doc_id, 0.0),
                fused_score=fused[doc_id],
            )
            for doc_id in ranked
        ]

    def _current(
        self, query_vector: Sequence[float], ids: set[str], visible: Predicate
    ) -> dict[str, tuple[Document, float]]:
        """Keyword-only hits as the store holds them now, with their raw cosine similarity.

        The BM25 index is a snapshot: another process may have deleted a document or made it
        private since. Re-reading the few hits and re-checking the scope keeps both out.
        """
        if not ids:
            return {}
        current: dict[str, tuple[Document, float]] = {}
        for doc, vector in self._store.get_with_vectors(sorted(ids)):
            if visible(doc.metadata):
                cosine = sum(a * b for a, b in zip(query_vector, vector, strict=True))
                current[doc.id] = (doc, max(-1.0, min(1.0, cosine)))
        return current


__all__ = [
    "DEFAULT_MIN_SIMILARITY",
    "HybridSearcher",
    "HybridStore",
    "best_similarity",
    "reciprocal_rank_fusion",
    "scope_predicate",
    "scope_where",
]
