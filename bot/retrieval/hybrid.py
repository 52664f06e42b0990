"""Hybrid search: vector similarity fused with keyword search by reciprocal rank, inside the
asker's scope.

Vectors (Chroma) find paraphrases; keyword search (full-text search inside the database, see
:mod:`bot.retrieval.keyword_sql`) finds the exact strings vectors blur (ticket ids, names,
Norwegian words). Each engine applies the scope in its own query. Reciprocal-rank fusion merges
the two rankings without having to make a cosine and a keyword score comparable. Each passage
carries its evidence (raw cosine similarity, keyword score, its rank in each search, the share of
the question's terms it holds, exact ids and names): :meth:`HybridSearcher.lookup` decides on
that evidence whether to answer at all (:mod:`bot.retrieval.evidence`), never on a fused rank.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from bot.retrieval.evidence import (
    DEFAULT_MIN_CONFIDENCE,
    decide,
    exact_matches,
    identifiers,
    term_overlap,
)
from bot.retrieval.terms import tokenize
from bot.retrieval.types import (
    Document,
    Embedder,
    KeywordIndex,
    Passage,
    Scope,
    SearchHit,
    SearchMode,
    SearchResult,
    Where,
    is_translation,
    original_id,
)

# How much a vector rank counts against a keyword rank in the fusion (keyword weight 1), chosen
# on the tune part of the labelled set (see HybridSearcher).
DEFAULT_VECTOR_WEIGHT = 2.0

_MODES: frozenset[str] = frozenset({"hybrid", "vector", "keyword"})


class VectorStore(Protocol):
    """What hybrid search needs from the vector half; ``ChromaKnowledgeStore`` has it."""

    @property
    def embedder(self) -> Embedder: ...

    def search_vector(
        self, vector: Sequence[float], *, k: int = 5, where: Where | None = None
    ) -> list[SearchHit]: ...

    def get_with_vectors(
        self, ids: Sequence[str], *, where: Where | None = None
    ) -> list[tuple[Document, list[float]]]: ...


def scope_where(scope: Scope) -> list[dict[str, Any]]:
    """The Chroma filter for a :class:`Scope`; the keyword index writes the same rule in SQL."""
    conditions: list[dict[str, Any]] = [{"project": scope.project}]
    if not scope.include_superseded:
        conditions.append({"superseded": {"$ne": True}})  # a document without the key is current
    if scope.channel is not None:
        # Fails closed: a document that doesn't say private=False is visible only in its own
        # source channel.
        conditions.append({"$or": [{"private": False}, {"source_channel": scope.channel}]})
    if scope.kinds is not None:
        conditions.append({"kind": {"$in": list(scope.kinds)}})
    return conditions


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], *, k: int = 60, weights: Sequence[float] | None = None
) -> dict[str, float]:
    """Sum over rankings of weight / (k + rank), rank counted from 1 (Cormack et al., 2009),
    every weight 1 unless ``weights`` (one per ranking) say otherwise.

    A large ``k`` flattens the difference between the first few ranks, so a document that
    both searches rank fairly high beats one that only a single search ranks first.
    """
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings), strict=True):
        for rank, doc_id in enumerate(ranking, start=1):
            fused[doc_id] = fused.get(doc_id, 0.0) + weight / (k + rank)
    return fused


def best_similarity(passages: Iterable[Passage]) -> float:
    """The highest raw cosine similarity among the passages; -1.0 (the minimum) when none."""
    return max((p.similarity for p in passages), default=-1.0)


class HybridSearcher:
    """Scoped hybrid search over a :class:`VectorStore` and a :class:`KeywordIndex` holding the
    same documents; satisfies the services' ``Searcher``.

    ``candidates`` is how deep each search looks before fusion; ``rrf_k`` the fusion constant.
    ``keyword_floor`` leaves out of the fusion keyword hits scoring below that fraction of the
    best keyword hit: they share only a common word (or the "ACME" of another ticket id) with
    the question, and fusion would otherwise reward them for merely appearing in both lists.
    On the benchmark (keyword half on SQLite FTS5), floors 0.3 / 0.4 / 0.5 / 0.6 give hybrid
    recall@5 0.78 / 0.77 / 0.78 / 0.77 and MRR 0.696 / 0.701 / 0.712 / 0.713: 0.5 is best on both.
    ``vector_weight`` weighs a vector rank against a keyword rank in the fusion; on the tune
    part of the labelled set, indexed with its records' translations (``python -m
    tests.bench.fit_abstention``), weights 0.5 / 1 / 2 give hybrid recall@5 0.906 for all and
    MRR 0.825 / 0.839 / 0.841, so 2 (a small difference: the WordLlama ranking is the better
    half once every record is also indexed in the question's language).
    ``min_confidence`` is where :meth:`lookup` starts answering (APO_ANSWER_MIN_CONFIDENCE).
    """

    def __init__(
        self,
        store: VectorStore,
        keywords: KeywordIndex,
        *,
        candidates: int = 30,
        rrf_k: int = 60,
        keyword_floor: float = 0.5,
        vector_weight: float = DEFAULT_VECTOR_WEIGHT,
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    ) -> None:
        if candidates < 1 or rrf_k < 0 or not 0.0 <= keyword_floor <= 1.0:
            raise ValueError("need candidates >= 1, rrf_k >= 0 and 0 <= keyword_floor <= 1")
        self._store = store
        self._candidates = candidates
        self._rrf_k = rrf_k
        self._keyword_floor = keyword_floor
        self._keywords = keywords
        self._vector_weight = vector_weight
        self._min_confidence = min_confidence

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

        scope = Scope(project, channel, include_superseded, None if kinds is None else tuple(kinds))
        where = scope_where(scope)
        depth = max(self._candidates, k)
        query_vector = self._store.embedder.embed_query(query)

        # id -> (document, raw cosine similarity), for every candidate of either search; a
        # translation's hit ranks its original (the first of the two to appear counts)
        found: dict[str, tuple[Document, float]] = {}
        vector_ranking: list[str] = []
        if mode != "keyword":
            for hit in self._store.search_vector(query_vector, k=depth, where=where):
                found[hit.id] = (Document(hit.id, hit.text, hit.metadata), hit.similarity)
                vector_ranking.append(hit.id)
        keyword_score: dict[str, float] = {}
        keyword_ranking: list[str] = []
        if mode != "vector":
            hits = self._keywords.search(query, scope=scope, k=depth)
            for found_hit in hits:
                keyword_score.setdefault(original_id(found_hit.id), found_hit.score)
            floor = self._keyword_floor * hits[0].score if hits and mode == "hybrid" else 0.0
            keyword_ranking = [hit.id for hit in hits if hit.score >= floor]
            found.update(self._current(query_vector, set(keyword_ranking) - found.keys(), where))
            keyword_ranking = [doc_id for doc_id in keyword_ranking if doc_id in found]
        # Originals only their translations were found by: their text is what is cited.
        wanted_originals = {original_id(i) for i in found} - found.keys()
        found.update(self._current(query_vector, wanted_originals, where))
        vector_ranking = _originals(vector_ranking, found)
        keyword_ranking = _originals(keyword_ranking, found)
        translations: dict[str, list[tuple[str, float]]] = {}
        for doc_id, (doc, cosine) in found.items():
            if is_translation(doc_id):
                translations.setdefault(original_id(doc_id), []).append((doc.text, cosine))

        fused = reciprocal_rank_fusion(
            [vector_ranking, keyword_ranking], k=self._rrf_k, weights=[self._vector_weight, 1.0]
        )

        def similarity(doc_id: str) -> float:
            own = found[doc_id][1]
            return max([own, *(cosine for _, cosine in translations.get(doc_id, ()))])

        # Ties in fusion (a first place in one list only, say) go to the closer meaning.
        ranked = sorted(fused, key=lambda i: (-fused[i], -similarity(i), i))[:k]
        vector_rank = {doc_id: n for n, doc_id in enumerate(vector_ranking, start=1)}
        keyword_rank = {doc_id: n for n, doc_id in enumerate(keyword_ranking, start=1)}
        query_terms = set(tokenize(query))
        wanted = identifiers(query)
        passages = []
        for doc_id in ranked:
            doc = found[doc_id][0]
            texts = [doc.text, *(text for text, _ in translations.get(doc_id, ()))]
            passages.append(
                Passage(
                    id=doc_id,
                    text=doc.text,
                    metadata=dict(doc.metadata),
                    similarity=similarity(doc_id),
                    keyword_score=keyword_score.get(doc_id, 0.0),
                    fused_score=fused[doc_id],
                    vector_rank=vector_rank.get(doc_id),
                    keyword_rank=keyword_rank.get(doc_id),
                    term_overlap=max(term_overlap(query_terms, text) for text in texts),
                    exact_matches=tuple(
                        dict.fromkeys(m for text in texts for m in exact_matches(wanted, text))
                    ),
                    translations=tuple(texts[1:]),
                )
            )
        return passages

    def lookup(
        self, query: str, *, project: str, channel: str | None = None, k: int = 5
    ) -> SearchResult:
        """:meth:`search`, with the decision whether its passages are enough to answer."""
        passages = self.search(query, project=project, channel=channel, k=k)
        return decide(query, passages, min_confidence=self._min_confidence)

    def _current(
        self, query_vector: Sequence[float], ids: set[str], where: Where
    ) -> dict[str, tuple[Document, float]]:
        """Keyword-only hits with their text and raw cosine similarity, read from the vector
        store under the same scope filter: the two halves are written one after the other, so
        a document another process is deleting or making private right now stays out."""
        if not ids:
            return {}
        current: dict[str, tuple[Document, float]] = {}
        for doc, vector in self._store.get_with_vectors(sorted(ids), where=where):
            cosine = sum(a * b for a, b in zip(query_vector, vector, strict=True))
            current[doc.id] = (doc, max(-1.0, min(1.0, cosine)))
        return current


def _originals(ranking: Sequence[str], found: dict[str, tuple[Document, float]]) -> list[str]:
    """A ranking of documents as a ranking of the records they stand for: a translation
    counts as its original, at the better of the two places; an original no longer in scope
    (``found`` lacks it) drops out."""
    return [doc_id for doc_id in dict.fromkeys(original_id(i) for i in ranking) if doc_id in found]


__all__ = [
    "DEFAULT_VECTOR_WEIGHT",
    "HybridSearcher",
    "VectorStore",
    "best_similarity",
    "reciprocal_rank_fusion",
    "scope_where",
]
