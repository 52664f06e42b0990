"""The knowledge store the bot writes to: every document goes to the vector store (Chroma) and
to the keyword index (the database), so both halves of hybrid search hold the same documents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot.retrieval.language import LANGUAGES
from bot.retrieval.types import (
    Document,
    Embedder,
    KeywordIndex,
    SearchHit,
    Where,
    is_translation,
    translation_ids,
)

if TYPE_CHECKING:  # Chroma loads only where the store is built (see bot.container)
    from bot.retrieval.store import ChromaKnowledgeStore


class IndexedKnowledgeStore:
    """A :class:`~bot.retrieval.types.KnowledgeStore` over Chroma and a keyword index.

    Writes go to Chroma first (embedding is what usually fails), then to the keyword index;
    re-indexing a document replaces it in both. Reads are Chroma's.
    """

    def __init__(self, vectors: ChromaKnowledgeStore, keywords: KeywordIndex) -> None:
        self.vectors = vectors
        self.keywords = keywords

    @property
    def embedder(self) -> Embedder:
        return self.vectors.embedder

    def upsert(self, docs: Sequence[Document]) -> None:
        """Add or replace documents. An original written again loses the translations that
        are not written with it (its new text may need none, or other ones)."""
        written = {doc.id for doc in docs}
        originals = [doc.id for doc in docs if not is_translation(doc.id)]
        stale = [i for i in translation_ids(originals, LANGUAGES) if i not in written]
        if stale:
            self.vectors.delete(stale)
            self.keywords.delete(stale)
        self.vectors.upsert(docs)
        self.keywords.upsert(docs)

    def delete(self, ids: Sequence[str]) -> None:
        """Remove documents and the translations indexed with them."""
        every = [*ids, *translation_ids([i for i in ids if not is_translation(i)], LANGUAGES)]
        self.vectors.delete(every)
        self.keywords.delete(every)

    def delete_where(self, where: Where) -> int:
        fields = _fields(where)
        removed = self.vectors.delete_where(where)
        self.keywords.delete_where(fields)
        return removed

    def search(self, query: str, *, k: int = 5, where: Where | None = None) -> list[SearchHit]:
        return self.vectors.search(query, k=k, where=where)

    def get(self, ids: Sequence[str]) -> list[Document]:
        return self.vectors.get(ids)

    def count(self, where: Where | None = None) -> int:
        return self.vectors.count(where)

    def all(self, where: Where | None = None) -> list[Document]:
        return self.vectors.all(where)

    def fill_keywords(self) -> int:
        """Copy Chroma's documents into an empty keyword index (an index built before the
        keyword table existed); returns how many. A no-op once the table holds anything."""
        if self.keywords.count() > 0 or self.vectors.count() == 0:
            return 0
        docs = self.vectors.all()
        self.keywords.upsert(docs)
        return len(docs)


def _fields(where: Where) -> dict[str, Any]:
    """``where`` as plain field equalities, which both halves understand; ValueError else."""
    parts = [where] if isinstance(where, Mapping) else list(where)
    fields: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if key.startswith("$") or isinstance(value, Mapping):
                raise ValueError("delete_where takes field equalities only, no $ operators")
            fields[key] = value
    return fields


__all__ = ["IndexedKnowledgeStore"]
