"""Keyword search (BM25, via ``bm25s``) over one project's documents.

Embeddings blur exact strings: a ticket id ("ACME-142"), a person's name or a Norwegian word
the embedding model barely knows. BM25 matches them literally, so hybrid search fuses both.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import bm25s
import numpy as np

from bot.retrieval.types import Document, Metadata, Where


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Short, hand-picked lists of question words and glue: they occur in every question and would
# otherwise give every document a little score. (BM25 can't use negations either.)
STOPWORDS_EN = _wordset(
    """a an and are as at be been but by can could did do does doing for from had has have
    how i if in into is it its me my of on or our should so than that the their them then
    there these they this those to us was we were what when where which who whom why will
    with would you your about any also just not no yes please"""
)
# Bokmål function words (and a few nynorsk spellings people mix in).
STOPWORDS_NB = _wordset(
    """og i på til for med av som er det den de en et ett å at om har hadde ikke kan skal vil
    må jeg vi du dere han hun seg sin sitt sine hva hvem hvor hvordan hvorfor hvilken hvilke
    hvilket når da så men eller fra ved etter før hos også bare nå her der dette denne disse
    blir ble bli være var vært noe noen alle enn oss meg deg dem vår vårt våre min mitt mine
    din ditt dine får fikk gjør gjøre sånn slik kva korleis ikkje eg"""
)
STOPWORDS = STOPWORDS_EN | STOPWORDS_NB

_WORD = re.compile(r"[^\W_]+")  # runs of letters (æøå included) and digits
# Hyphenated runs such as "ACME-142" or "e-post": kept whole as well as in parts, so a ticket
# id matches only its own documents while "142" alone still finds it.
_COMPOUND = re.compile(r"[^\W_]+(?:-[^\W_]+)+")
# English plural/verb endings and Norwegian definite/plural endings, longest first.
_SUFFIXES = ("ene", "ane", "ing", "ers", "er", "es", "en", "et", "ed", "s", "e")


def _stem(token: str) -> str:
    """Strip up to two common endings, so "fakturaene"/"fakturaer"/"faktura" and
    "reminders"/"reminder" meet. Crude on purpose: it runs on both languages and needs no
    dictionary; it applies to queries and documents alike, so over-stripping mostly cancels."""
    if not token.isalpha():
        return token
    for _ in range(2):
        for suffix in _SUFFIXES:
            if token.endswith(suffix) and len(token) - len(suffix) >= 3:
                token = token[: -len(suffix)]
                break
        else:
            break
    return token


def tokenize(text: str) -> list[str]:
    """Lower-cased, NFKC-normalised tokens for BM25, for English and Norwegian alike."""
    normal = unicodedata.normalize("NFKC", text).lower()
    tokens = [
        _stem(word)
        for word in _WORD.findall(normal)
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit())
    ]
    tokens.extend(_COMPOUND.findall(normal))
    return tokens


Predicate = Callable[[Metadata], bool]


@dataclass(frozen=True, slots=True)
class _ProjectIndex:
    version: int
    built_at: float
    docs: list[Document]
    model: bm25s.BM25 | None  # None when the project has no documents

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        known = [t for t in query_tokens if t in self.model.vocab_dict] if self.model else []
        if not known or self.model is None:
            return np.zeros(len(self.docs), dtype=np.float32)
        return np.asarray(self.model.get_scores(known), dtype=np.float32)


class DocumentSource(Protocol):
    """What the index needs from a store: every document of a project, and a write counter."""

    @property
    def version(self) -> int: ...

    def all(self, where: Where | None = None) -> list[Document]: ...


class KeywordIndex:
    """BM25 over each project's documents, built on first use and rebuilt when the store changes.

    The cache key is (project, ``store.version``); ``max_age`` also rebuilds after that many
    seconds, to pick up writes that other processes made to a shared Chroma server.
    """

    def __init__(self, store: DocumentSource, *, max_age: float | None = 300.0) -> None:
        self._store = store
        self._max_age = max_age
        self._indexes: dict[str, _ProjectIndex] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def search(
        self, query: str, *, project: str, k: int = 10, predicate: Predicate | None = None
    ) -> list[tuple[Document, float]]:
        """The ``k`` best-scoring documents that pass ``predicate``, best first.

        The predicate is applied before taking the top ``k``, so documents the caller may not
        see never push visible ones out. Documents sharing no token with the query are left out.
        """
        if k < 1:
            raise ValueError("k must be at least 1")
        index = self._index(project)
        scores = index.scores(tokenize(query))
        visible = [
            i
            for i in np.flatnonzero(scores > 0.0)
            if predicate is None or predicate(index.docs[i].metadata)
        ]
        visible.sort(key=lambda i: (-float(scores[i]), index.docs[i].id))
        return [(index.docs[i], float(scores[i])) for i in visible[:k]]

    def _index(self, project: str) -> _ProjectIndex:
        current = self._indexes.get(project)
        if current is not None and self._fresh(current):
            return current
        with self._lock_for(project):  # one build per project at a time; others wait for it
            current = self._indexes.get(project)
            if current is not None and self._fresh(current):
                return current
            # Read the version before the documents: a write in between leaves the index
            # labelled older than its data, which costs one extra rebuild, never a stale hit.
            version = self._store.version
            built = _build(self._store.all({"project": project}), version)
            self._indexes[project] = built
            return built

    def _fresh(self, index: _ProjectIndex) -> bool:
        if index.version != self._store.version:
            return False
        return self._max_age is None or time.monotonic() - index.built_at < self._max_age

    def _lock_for(self, project: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(project, threading.Lock())


def _build(docs: Sequence[Document], version: int) -> _ProjectIndex:
    ordered = sorted(docs, key=lambda d: d.id)
    model: bm25s.BM25 | None = None
    if ordered:
        model = bm25s.BM25()
        model.index([tokenize(d.text) for d in ordered], show_progress=False)
    return _ProjectIndex(version, time.monotonic(), ordered, model)


__all__ = ["STOPWORDS", "DocumentSource", "KeywordIndex", "Predicate", "tokenize"]
