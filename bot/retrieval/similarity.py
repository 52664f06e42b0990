"""Cosine similarity of two texts with the configured embedder, for duplicate detection.

Duplicate checks compare every pair that word overlap could not settle, so embeddings are
cached per text. Embedders spread cosines differently, so each brings its own threshold for
"these two stories mean the same" (`duplicate_threshold`, read by the quality checks).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from bot.retrieval.types import Embedder

LOCAL_DUPLICATE_THRESHOLD = 0.9
"""WordLlama (l2_supercat-256), calibrated with the quality checks: related but different
stories reach 0.895 and paraphrases spread below that, so only near-copies are called
duplicates by the embedding; word overlap after synonym mapping finds the paraphrases."""

OPENAI_DUPLICATE_THRESHOLD = 0.85
"""`openai:<model>` embedders (text-embedding-3-small/-large, or a compatible server): a
starting value, a little below WordLlama's so that close paraphrases count, but not calibrated
on our labelled set (the bench runs offline, with WordLlama). Measure it for the model you use
before relying on it."""


def duplicate_threshold(spec: str) -> float:
    """The duplicate threshold for the embedder named by `APO_EMBEDDINGS` (`local`,
    `openai:<model>`)."""
    return (
        LOCAL_DUPLICATE_THRESHOLD if spec.strip().lower() == "local" else OPENAI_DUPLICATE_THRESHOLD
    )


class EmbeddingSimilarity:
    """`similarity(a, b)`: the cosine of two texts' embeddings, with the embedder's
    `duplicate_threshold`."""

    def __init__(
        self,
        embedder: Callable[[], Embedder],
        *,
        duplicate_threshold: float = LOCAL_DUPLICATE_THRESHOLD,
        cache_size: int = 2048,
    ) -> None:
        self._embedder = embedder
        self.duplicate_threshold = duplicate_threshold
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def __call__(self, a: str, b: str) -> float:
        va, vb = self._vector(a), self._vector(b)
        return sum(x * y for x, y in zip(va, vb, strict=True))  # embedders return unit vectors

    def _vector(self, text: str) -> list[float]:
        with self._lock:
            if text in self._cache:
                self._cache.move_to_end(text)
                return self._cache[text]
        vector = self._embedder().embed_query(text)
        with self._lock:
            self._cache[text] = vector
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vector
