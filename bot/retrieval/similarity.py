"""Cosine similarity of two texts with the configured embedder, for duplicate detection.

Duplicate checks compare every pair that word overlap could not settle, so embeddings are
cached per text.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from bot.retrieval.types import Embedder


class EmbeddingSimilarity:
    def __init__(self, embedder: Callable[[], Embedder], *, cache_size: int = 2048) -> None:
        self._embedder = embedder
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
