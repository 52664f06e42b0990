"""Indexing and searching knowledge: embeddings and a vector store with metadata filters.

Services use the plain types (``Document``, ``SearchHit``, ``KnowledgeStore``, ``Embedder``);
``container.py`` picks the implementations (``make_embedder``, ``ChromaKnowledgeStore``). The
implementations are imported on first access, so importing the types doesn't load Chroma,
LangChain or the embedding model.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from bot.retrieval.types import Document, Embedder, KnowledgeStore, Metadata, SearchHit, Where

if TYPE_CHECKING:
    from bot.retrieval.embeddings import (
        OpenAIEmbedder,
        WordLlamaEmbedder,
        as_langchain_embeddings,
        make_embedder,
    )
    from bot.retrieval.store import ChromaKnowledgeStore

_LAZY = {
    "ChromaKnowledgeStore": "bot.retrieval.store",
    "OpenAIEmbedder": "bot.retrieval.embeddings",
    "WordLlamaEmbedder": "bot.retrieval.embeddings",
    "as_langchain_embeddings": "bot.retrieval.embeddings",
    "make_embedder": "bot.retrieval.embeddings",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "ChromaKnowledgeStore",
    "Document",
    "Embedder",
    "KnowledgeStore",
    "Metadata",
    "OpenAIEmbedder",
    "SearchHit",
    "Where",
    "WordLlamaEmbedder",
    "as_langchain_embeddings",
    "make_embedder",
]
