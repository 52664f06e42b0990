"""Plain types for indexing and searching knowledge.

Services import these and nothing else from retrieval: no LangChain, no Chroma. The concrete
store and embedders live in :mod:`bot.retrieval.store` and :mod:`bot.retrieval.embeddings` and
are picked by ``container.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias, runtime_checkable

MetadataValue: TypeAlias = str | int | float | bool
Metadata: TypeAlias = dict[str, MetadataValue]

# A filter on metadata. Either one mapping (``{"project": "acme", "kind": "story"}``; several keys
# mean all must match, a list value means "any of") or a sequence of such mappings that must all
# match. Chroma's own operators (``{"created": {"$gte": 1700000000}}``, ``$and``, ``$or``) pass
# through unchanged.
Where: TypeAlias = Mapping[str, Any] | Sequence[Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class Document:
    """One piece of text to index. The same ``id`` always names the same document."""

    id: str
    text: str
    metadata: Metadata = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A document found by a search.

    ``similarity`` is the raw cosine similarity between the query and the document, in [-1, 1]
    (1 means the same direction). It is comparable across queries, so callers can put an
    abstention threshold on it.
    """

    id: str
    text: str
    metadata: Metadata
    similarity: float


@runtime_checkable
class Embedder(Protocol):
    """Turns text into vectors. Vectors are unit length, so a dot product is a cosine."""

    @property
    def name(self) -> str:
        """Stable identifier of the model, e.g. ``wordllama:l2_supercat-256``.

        An index built with one embedder cannot be searched with another; stores record this.
        """
        ...

    @property
    def dimensions(self) -> int:
        """Length of each vector (may need one call to the model the first time)."""
        ...

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


@runtime_checkable
class KnowledgeStore(Protocol):
    """Documents with metadata, searchable by meaning."""

    def upsert(self, docs: Sequence[Document]) -> None:
        """Add documents; a document whose id exists replaces the old one (text and metadata)."""
        ...

    def delete(self, ids: Sequence[str]) -> None:
        """Remove documents; unknown ids are ignored."""
        ...

    def search(self, query: str, *, k: int = 5, where: Where | None = None) -> list[SearchHit]:
        """The ``k`` most similar documents matching ``where``, most similar first."""
        ...

    def get(self, ids: Sequence[str]) -> list[Document]:
        """The documents with these ids that exist, in the order asked."""
        ...

    def count(self, where: Where | None = None) -> int:
        """How many documents match ``where`` (all of them when ``None``)."""
        ...
