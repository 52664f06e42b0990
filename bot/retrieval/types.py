"""Plain types for indexing and searching knowledge.

Services import these and nothing else from retrieval: no LangChain, no Chroma. The concrete
store and embedders live in :mod:`bot.retrieval.store` and :mod:`bot.retrieval.embeddings` and
are picked by ``container.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, TypeAlias, runtime_checkable

MetadataValue: TypeAlias = str | int | float | bool
Metadata: TypeAlias = dict[str, MetadataValue]

# A filter on metadata. Either one mapping (``{"project": "acme", "kind": "story"}``; several keys
# mean all must match, a list value means "any of") or a sequence of such mappings that must all
# match. Chroma's own operators (``{"created": {"$gte": 1700000000}}``, ``$and``, ``$or``) pass
# through unchanged.
Where: TypeAlias = Mapping[str, Any] | Sequence[Mapping[str, Any]]

# Which ranked lists a passage search fuses; "vector" and "keyword" exist for measuring.
SearchMode: TypeAlias = Literal["hybrid", "vector", "keyword"]


@dataclass(frozen=True, slots=True)
class IndexRecord:
    """What the index keeps about a document besides its text, and the only place that knows
    the metadata keys. Search scope reads ``project``, ``private``, ``source_channel``,
    ``superseded`` and ``kind``; citations read the rest.

    ``private`` records fail closed: a document that does not say ``private=False`` is cited
    only in ``source_channel``. ``source`` names a re-indexable origin (a file, a note) whose
    old sections are removed first; ``story_id`` links an approved story.
    """

    project: str
    kind: str  # decision | story | note | knowledge
    title: str
    created_at: datetime | None
    source_channel: str = ""
    private: bool = True
    superseded: bool = False
    permalink: str = ""
    author: str = ""
    source: str | None = None
    story_id: int | None = None

    def to_metadata(self) -> Metadata:
        metadata: Metadata = {
            "project": self.project,
            "kind": self.kind,
            "title": self.title,
            "source_channel": self.source_channel,
            "private": self.private,
            "superseded": self.superseded,
            "permalink": self.permalink,
            "author": self.author,
            "created_at": self.created_at.isoformat() if self.created_at else "",
        }
        if self.source is not None:
            metadata["source"] = self.source
        if self.story_id is not None:
            metadata["story_id"] = self.story_id
        return metadata

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, MetadataValue]) -> IndexRecord:
        source = metadata.get("source")
        story_id = metadata.get("story_id")
        return cls(
            project=str(metadata.get("project", "")),
            kind=str(metadata.get("kind", "record")),
            title=str(metadata.get("title", "")),
            created_at=_timestamp(metadata.get("created_at")),
            source_channel=str(metadata.get("source_channel", "")),
            private=metadata.get("private") is not False,
            superseded=metadata.get("superseded") is True,
            permalink=str(metadata.get("permalink", "")),
            author=str(metadata.get("author", "")),
            source=None if source is None else str(source),
            story_id=story_id if isinstance(story_id, int) else None,
        )


def _timestamp(value: MetadataValue | None) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:  # written by hand or by another tool: a citation without a date
        return None


@dataclass(frozen=True, slots=True)
class Document:
    """One piece of text to index. The same ``id`` always names the same document."""

    id: str
    text: str
    metadata: Metadata = field(default_factory=dict)


# A record written in another of the project's languages is indexed a second time, translated,
# as a companion document "<original id>~translated-to:<Language>" with the original's metadata
# plus these two keys. Search counts a companion's hit as a hit of the original and cites the
# original's text; deleting the original deletes its companions.
TRANSLATION_MARK = "~translated-to:"
TRANSLATION_OF = "translation_of"
TRANSLATED_TO = "translated_to"


def translation_document(original: Document, language: str, text: str) -> Document:
    """The companion of ``original`` holding its translation into ``language``."""
    metadata: Metadata = {
        **original.metadata,
        TRANSLATION_OF: original.id,
        TRANSLATED_TO: language,
    }
    return Document(f"{original.id}{TRANSLATION_MARK}{language}", text, metadata)


def original_id(doc_id: str) -> str:
    """The id of the record a document stands for: itself, or the original of a companion."""
    return doc_id.split(TRANSLATION_MARK, 1)[0]


def is_translation(doc_id: str) -> bool:
    return TRANSLATION_MARK in doc_id


def translation_ids(doc_ids: Sequence[str], languages: Sequence[str]) -> list[str]:
    """The ids the companions of ``doc_ids`` would have in ``languages``."""
    return [f"{doc_id}{TRANSLATION_MARK}{language}" for doc_id in doc_ids for language in languages]


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


@dataclass(frozen=True, slots=True)
class Passage:
    """A document retrieved for a question by hybrid search, with the evidence for its rank.

    ``similarity`` is the raw cosine similarity between the question and the passage, whichever
    search found it; abstention thresholds belong on it. ``keyword_score`` is the keyword
    search's score (``bm25()`` on SQLite, ``ts_rank`` on PostgreSQL; 0.0 when keyword search
    was not run or did not rank the passage among its candidates) and ``fused_score`` the
    reciprocal-rank fusion score that ordered the results. Neither is comparable across
    questions. ``vector_rank`` and ``keyword_rank`` are its places (from 1) in each search's own
    ranking (``None``: not among that search's candidates); ``term_overlap`` the share of the
    question's keyword terms the passage holds; ``exact_matches`` the ticket ids, names and
    numbers of the question found verbatim in it. A record also indexed in translation counts
    once: its ranks are the better of the original's and the translation's, ``similarity`` and
    the term signals the best over both texts. Whether to answer is decided on all of them
    (:mod:`bot.retrieval.evidence`).
    """

    id: str
    text: str
    metadata: Metadata
    similarity: float
    keyword_score: float
    fused_score: float
    vector_rank: int | None = None
    keyword_rank: int | None = None
    term_overlap: float = 0.0
    exact_matches: tuple[str, ...] = ()
    # The record's translations made at record time that search matched it through, if any;
    # ``text`` stays the original, which is what citations quote.
    translations: tuple[str, ...] = ()

    @property
    def record(self) -> IndexRecord:
        return IndexRecord.from_metadata(self.metadata)


Verdict: TypeAlias = Literal["answer", "abstain"]


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Passages for a question, best first, and whether they are enough to answer it: decided
    in code, before any model call, on the evidence the passages carry; ``reason`` says why in
    words a user can check, ``confidence`` is the decision model's probability of "answer"."""

    passages: tuple[Passage, ...]
    decision: Verdict
    reason: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Scope:
    """What one search may see: one project; current documents unless ``include_superseded``;
    of one of ``kinds`` when given; public or from ``channel`` (``None``: every channel,
    private ones included, for trusted callers only). Each engine applies it in its own query."""

    project: str
    channel: str | None = None
    include_superseded: bool = False
    kinds: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class KeywordHit:
    """A document id found by keyword search, with its score (higher is better; comparable
    only within one search)."""

    id: str
    score: float


@runtime_checkable
class KeywordIndex(Protocol):
    """Full-text search over the same documents as the vector store, filtered by
    :class:`Scope` inside the engine. Written together with the vector store."""

    def upsert(self, docs: Sequence[Document]) -> None:
        """Add documents; a document whose id exists is replaced."""
        ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def delete_where(self, where: Mapping[str, Any]) -> int:
        """Remove the documents whose ``IndexRecord`` fields equal these values."""
        ...

    def count(self) -> int: ...

    def search(self, query: str, *, scope: Scope, k: int) -> list[KeywordHit]:
        """The ``k`` best matches inside ``scope``, best first; none share no term with it."""
        ...


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

    def all(self, where: Where | None = None) -> list[Document]:
        """Every document matching ``where`` (all of them when ``None``), in no set order."""
        ...

    def delete_where(self, where: Where) -> int:
        """Remove every document matching ``where``; returns how many were removed."""
        ...
