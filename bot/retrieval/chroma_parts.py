"""Chroma-specific pieces of the store: our embedding function, filters in Chroma's syntax,
server URLs, and document checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast
from urllib.parse import urlsplit

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from bot.errors import ConfigError
from bot.retrieval.types import Document, Embedder, Where


class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Our embedder, handed to Chroma so that it never falls back to its own default model
    (which downloads an ONNX file). The store passes vectors itself; this is the safety net."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return cast(Embeddings, self._embedder.embed_documents(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return cast(Embeddings, [self._embedder.embed_query(text) for text in input])

    @staticmethod
    def name() -> str:
        return "apo-bridge"

    def get_config(self) -> dict[str, Any]:
        return {"embedder": self._embedder.name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> EmbeddingFunction[Documents]:
        # Chroma can't rebuild our embedder from stored config; NotImplemented makes it keep
        # the function we pass in instead of persisting a definition it would try to rebuild.
        return NotImplemented  # type: ignore[no-any-return]

    def default_space(self) -> Any:
        return "cosine"

    def supported_spaces(self) -> list[Any]:
        return ["cosine"]


def to_chroma_where(where: Where | None) -> dict[str, Any] | None:
    """Translate our filter into Chroma's, which takes exactly one condition per dict.

    ``{"project": "acme", "kind": "story"}`` and ``[{"project": "acme"}, {"kind": "story"}]``
    both become ``{"$and": [{"project": "acme"}, {"kind": "story"}]}``; a list value becomes
    ``$in``; Chroma operators pass through.
    """
    if where is None:
        return None
    if isinstance(where, Mapping):
        conditions = _conditions(where)
    elif isinstance(where, Sequence) and not isinstance(where, str | bytes):
        conditions = [c for part in where for c in _conditions(part)]
    else:
        raise TypeError(f"where must be a mapping or a list of mappings, not {type(where)!r}")
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


def _conditions(where: Mapping[str, Any]) -> list[dict[str, Any]]:
    if not isinstance(where, Mapping):
        raise TypeError(f"each where condition must be a mapping, not {type(where)!r}")
    out: list[dict[str, Any]] = []
    for key, value in where.items():
        if key == "$and" and isinstance(value, list | tuple):
            out.extend(dict(c) for c in value)
        elif isinstance(value, list | tuple | set | frozenset) and not key.startswith("$"):
            out.append({key: {"$in": list(value)}})
        else:
            out.append({key: value})
    return out


def parse_chroma_url(url: str) -> tuple[str, int, bool]:
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in ("http", "https") or not parts.hostname or port == -1:
        raise ConfigError(
            f"CHROMA_URL={url!r} is not a Chroma server address; use e.g. http://chroma:8000."
        )
    if parts.path.strip("/") or parts.query:
        raise ConfigError(
            f"CHROMA_URL={url!r} has a path; give just the server, e.g. http://chroma:8000."
        )
    ssl = parts.scheme == "https"
    return parts.hostname, port or (443 if ssl else 8000), ssl


def check_document(doc: Document) -> None:
    if not isinstance(doc.id, str) or not doc.id:
        raise ValueError(f"document id must be a non-empty string, got {doc.id!r}")
    if not doc.text.strip():
        raise ValueError(f"document {doc.id!r} has no text to index")
    for key, value in doc.metadata.items():
        if not isinstance(key, str) or not key or key.startswith(("$", "chroma:")):
            raise ValueError(f"document {doc.id!r}: bad metadata key {key!r}")
        if not isinstance(value, str | int | float | bool):
            raise ValueError(
                f"document {doc.id!r}: metadata {key!r} must be str, int, float or bool, "
                f"not {type(value).__name__}"
            )
