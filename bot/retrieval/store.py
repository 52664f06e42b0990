"""The knowledge store on Chroma: embedded (``CHROMA_PATH``) or a Chroma server (``CHROMA_URL``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import chromadb
import httpx
from chromadb.config import Settings

from bot.errors import BotError, ConfigError
from bot.retrieval.chroma_parts import (
    ChromaEmbeddingFunction,
    check_document,
    parse_chroma_url,
    to_chroma_where,
)
from bot.retrieval.types import Document, Embedder, SearchHit, Where

DEFAULT_PATH = "data/chroma"
# What someone asking in Slack is told when the index can't be reached; the operator's fix
# (start the Chroma server, check CHROMA_PATH) goes to the log, `apo doctor` and the CLI.
UNREACHABLE = (
    "The knowledge base is not reachable right now. Try again in a minute; if it keeps "
    "failing, ask an admin to run `apo doctor`."
)
DEFAULT_COLLECTION = "apo_knowledge"
_EMBEDDER_KEY = "apo:embedder"

# Chroma's upsert merges metadata into the stored record, so replacing a document needs the old
# keys (set to None) and a lock that keeps the read and the write together.
_write_lock = threading.Lock()


class ChromaKnowledgeStore:
    """A :class:`~bot.retrieval.types.KnowledgeStore` on a Chroma collection with cosine distance.

    With ``url`` it talks to a Chroma server (needed when several processes share the index);
    otherwise it keeps the index in the folder ``path`` (one writing process per folder). It
    connects on first use, so building it never fails for a server that is down; :meth:`ping`
    checks.
    """

    def __init__(
        self,
        embedder: Embedder,
        *,
        path: str | None = None,
        url: str | None = None,
        collection: str = DEFAULT_COLLECTION,
        batch_size: int = 256,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._embedder = embedder
        self._url = url.strip() if url and url.strip() else None
        self._server = parse_chroma_url(self._url) if self._url else None
        self._path = path or DEFAULT_PATH
        self._collection_name = collection
        self._batch_size = batch_size
        self._client: Any = None
        self._collection: Any = None
        self._dimensions: int | None = None
        self._open_lock = threading.Lock()

    @property
    def location(self) -> str:
        """Where the index lives, for messages and ``apo doctor``."""
        if self._url:
            return f"Chroma server {self._url}, collection '{self._collection_name}'"
        return f"CHROMA_PATH={self._path}, collection '{self._collection_name}'"

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    # -- KnowledgeStore --------------------------------------------------------------------

    def upsert(self, docs: Sequence[Document]) -> None:
        latest: dict[str, Document] = {}
        for doc in docs:
            check_document(doc)
            latest[doc.id] = doc  # the same id twice in one call: the last one wins
        items = list(latest.values())
        self._upsert_batches(self._open(), items)

    def _upsert_batches(self, collection: Any, items: list[Document]) -> None:
        for start in range(0, len(items), self._batch_size):
            batch = items[start : start + self._batch_size]
            vectors = self._embed([d.text for d in batch])
            ids = [d.id for d in batch]
            with _write_lock, self._translate_errors():
                stored = collection.get(ids=ids, include=["metadatas"])
                old_keys = {
                    doc_id: set(metadata or ())
                    for doc_id, metadata in zip(stored["ids"], stored["metadatas"], strict=True)
                }
                metadatas: list[dict[str, Any] | None] = []
                for doc in batch:
                    metadata: dict[str, Any] = dict(doc.metadata)
                    for key in old_keys.get(doc.id, set()) - metadata.keys():
                        metadata[key] = None  # None deletes the key from the stored record
                    metadatas.append(metadata or None)
                collection.upsert(
                    ids=ids,
                    embeddings=vectors,
                    documents=[d.text for d in batch],
                    metadatas=metadatas,
                )

    def delete(self, ids: Sequence[str]) -> None:
        unique = list(dict.fromkeys(ids))
        if not unique:
            return
        collection = self._open()
        with _write_lock, self._translate_errors():
            collection.delete(ids=unique)

    def delete_where(self, where: Where) -> int:
        chroma_where = to_chroma_where(where)
        if chroma_where is None:
            raise ValueError("delete_where needs a filter; use delete(ids) to remove everything")
        collection = self._open()
        with _write_lock, self._translate_errors():
            ids = collection.get(where=chroma_where, include=[])["ids"]
            if ids:
                collection.delete(ids=ids)
        return len(ids)

    def all(self, where: Where | None = None) -> list[Document]:
        collection = self._open()
        with self._translate_errors():
            ids = collection.get(where=to_chroma_where(where), include=[])["ids"]
        # Fetched by id in pages: offset paging could skip records when a write lands between
        # two pages; a document deleted meanwhile is simply missing from the result.
        docs: list[Document] = []
        for start in range(0, len(ids), self._batch_size):
            docs.extend(self.get(ids[start : start + self._batch_size]))
        return docs

    def search(self, query: str, *, k: int = 5, where: Where | None = None) -> list[SearchHit]:
        if k < 1:
            raise ValueError("k must be at least 1")
        if not query.strip():
            return []
        return self.search_vector(self._embed([query], query=True)[0], k=k, where=where)

    def search_vector(
        self, vector: Sequence[float], *, k: int = 5, where: Where | None = None
    ) -> list[SearchHit]:
        """Like :meth:`search` for a query already embedded (hybrid search embeds it once)."""
        if k < 1:
            raise ValueError("k must be at least 1")
        chroma_where = to_chroma_where(where)
        collection = self._open()
        with self._translate_errors():
            result = collection.query(
                query_embeddings=[list(vector)],
                n_results=k,
                where=chroma_where,
                include=["documents", "metadatas", "distances"],
            )
        hits = []
        for doc_id, text, metadata, distance in zip(
            result["ids"][0],
            result["documents"][0],
            result["metadatas"][0],
            result["distances"][0],
            strict=True,
        ):
            # Chroma's cosine distance is 1 - cosine similarity.
            similarity = max(-1.0, min(1.0, 1.0 - float(distance)))
            hits.append(SearchHit(doc_id, text or "", dict(metadata or {}), similarity))
        return hits

    def get(self, ids: Sequence[str]) -> list[Document]:
        unique = list(dict.fromkeys(ids))
        if not unique:
            return []
        collection = self._open()
        with self._translate_errors():
            result = collection.get(ids=unique, include=["documents", "metadatas"])
        found = {
            doc_id: Document(doc_id, text or "", dict(metadata or {}))
            for doc_id, text, metadata in zip(
                result["ids"], result["documents"], result["metadatas"], strict=True
            )
        }
        return [found[doc_id] for doc_id in unique if doc_id in found]

    def get_with_vectors(
        self, ids: Sequence[str], *, where: Where | None = None
    ) -> list[tuple[Document, list[float]]]:
        """Like :meth:`get`, with each document's stored embedding; only those matching
        ``where`` when given."""
        unique = list(dict.fromkeys(ids))
        if not unique:
            return []
        collection = self._open()
        with self._translate_errors():
            result = collection.get(
                ids=unique,
                where=to_chroma_where(where),
                include=["documents", "metadatas", "embeddings"],
            )
        found = {
            doc_id: (Document(doc_id, text or "", dict(metadata or {})), [float(x) for x in vector])
            for doc_id, text, metadata, vector in zip(
                result["ids"],
                result["documents"],
                result["metadatas"],
                result["embeddings"],
                strict=True,
            )
        }
        return [found[doc_id] for doc_id in unique if doc_id in found]

    def count(self, where: Where | None = None) -> int:
        chroma_where = to_chroma_where(where)
        collection = self._open()
        with self._translate_errors():
            if chroma_where is None:
                return int(collection.count())
            return len(collection.get(where=chroma_where, include=[])["ids"])

    # -- operations ------------------------------------------------------------------------

    def ping(self) -> None:
        """Check that the index is reachable and was built with this embedder (ConfigError)."""
        collection = self._open()
        try:
            self._client.heartbeat()
            collection.count()
        except Exception as exc:
            raise ConfigError(
                UNREACHABLE, operator_message=self._unreachable_message(), detail=repr(exc)
            ) from exc

    # -- internals -------------------------------------------------------------------------

    def _open(self) -> Any:
        if self._collection is None:
            with self._open_lock:
                if self._collection is None:
                    client = self._connect()
                    collection = self._get_collection(client)
                    self._client = client
                    self._collection = collection
        return self._collection

    def _connect(self) -> Any:
        settings = Settings(anonymized_telemetry=False)
        try:
            if self._server is not None:
                host, port, ssl = self._server
                return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=settings)
            Path(self._path).mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=self._path, settings=settings)
        except Exception as exc:
            raise ConfigError(
                UNREACHABLE, operator_message=self._unreachable_message(), detail=repr(exc)
            ) from exc

    def _get_collection(self, client: Any) -> Any:
        name = self._embedder.name
        try:
            collection = client.get_or_create_collection(
                self._collection_name,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={_EMBEDDER_KEY: name},
                embedding_function=ChromaEmbeddingFunction(self._embedder),
            )
        except (httpx.TransportError, ConnectionError) as exc:
            raise ConfigError(
                UNREACHABLE, operator_message=self._unreachable_message(), detail=repr(exc)
            ) from exc

        space = _distance_space(collection)
        if space != "cosine":
            raise ConfigError(
                f"The knowledge index ({self.location}) uses {space} distance, not cosine. "
                f"{self._reindex_hint()}"
            )
        recorded = (collection.metadata or {}).get(_EMBEDDER_KEY)
        if recorded is None and collection.count() == 0:
            collection.modify(metadata={**(collection.metadata or {}), _EMBEDDER_KEY: name})
        elif recorded != name:
            raise ConfigError(
                f"The knowledge index ({self.location}) was built with embeddings "
                f"'{recorded or 'unknown'}', but APO_EMBEDDINGS now gives '{name}'. Vectors from "
                f"different models can't be compared. {self._reindex_hint()}"
            )
        sample = collection.get(limit=1, include=["embeddings"])["embeddings"]
        if sample is not None and len(sample) > 0:
            self._dimensions = len(sample[0])
        return collection

    def _embed(self, texts: list[str], *, query: bool = False) -> list[list[float]]:
        if query:
            vectors = [self._embedder.embed_query(texts[0])]
        else:
            vectors = self._embedder.embed_documents(texts)
        size = len(vectors[0])
        if self._dimensions is None:
            self._dimensions = size
        elif size != self._dimensions:
            raise ConfigError(
                f"The knowledge index ({self.location}) holds {self._dimensions}-dimensional "
                f"vectors, but the embedder '{self._embedder.name}' now gives {size}. "
                f"{self._reindex_hint()}"
            )
        return vectors

    def _reindex_hint(self) -> str:
        if self._url:
            where = f"delete the collection '{self._collection_name}' on the Chroma server"
        else:
            where = f"delete the folder CHROMA_PATH={self._path}"
        return (
            f"Re-index: {where} and run `apo index` again, or set APO_EMBEDDINGS back to the "
            "embedder that built it."
        )

    def _unreachable_message(self) -> str:
        if self._url:
            return (
                f"Can't reach the Chroma server at CHROMA_URL={self._url}. Start it (for example "
                "`chroma run --path data/chroma --port 8000`) or unset CHROMA_URL to use the "
                "embedded store in CHROMA_PATH."
            )
        return (
            f"Can't open the knowledge index in CHROMA_PATH={self._path}. Check that the folder "
            "is writable and that no other process is using it (use a Chroma server, "
            "CHROMA_URL, when several processes share the index)."
        )

    @contextmanager
    def _translate_errors(self) -> Iterator[None]:
        try:
            yield
        except httpx.TransportError as exc:
            raise BotError(
                UNREACHABLE,
                operator_message=self._unreachable_message(),
                detail=f"{self._unreachable_message()} ({exc!r})",
            ) from exc


def _distance_space(collection: Any) -> str:
    configuration = getattr(collection, "configuration_json", None) or {}
    for index in ("hnsw", "spann"):
        space = (configuration.get(index) or {}).get("space")
        if space:
            return str(space)
    return str((collection.metadata or {}).get("hnsw:space", "l2"))


__all__ = ["DEFAULT_COLLECTION", "DEFAULT_PATH", "ChromaKnowledgeStore", "to_chroma_where"]
