"""Stand-ins the container hands out, so heavy parts load on first use (or never).

A command that makes no model call never imports LangChain or the OpenAI SDK; the index and
the embedding model open on the first search; and without a configured model the bot still
serves everything else, saying exactly what to set when someone asks for a model's work.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from bot.errors import ConfigError
from bot.llm.base import ChatMessage, ChatModel, SchemaT
from bot.ops import metrics

if TYPE_CHECKING:
    from bot.retrieval.hybrid import HybridSearcher
    from bot.retrieval.types import SearchResult

T = TypeVar("T")


class Lazy(Generic[T]):
    """Builds a heavy part (the embedding model, Chroma) on first use, once, thread-safely."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._value: T | None = None
        self._lock = threading.Lock()

    def __call__(self) -> T:
        with self._lock:
            if self._value is None:
                self._value = self._factory()
            return self._value


class MissingChatModel:
    """Stands in when OPENAI_API_KEY is unset, so the bot still serves what needs no model and
    tells people exactly what to set when they ask for something that does."""

    model_name = "none"

    def structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[SchemaT],
        *,
        purpose: str,
        project: str | None = None,
    ) -> SchemaT:
        raise self._error()

    @staticmethod
    def _error() -> ConfigError:
        return ConfigError(
            "No language model is configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for a "
            "server other than OpenAI) where the bot runs."
        )


class LazyChatModel:
    """The configured chat model, built on its first call: importing LangChain and the OpenAI
    SDK takes seconds that commands making no model call (`apo decide`) should not wait for."""

    def __init__(self, model_name: str, build: Callable[[], ChatModel]) -> None:
        self._model_name = model_name
        self._model = Lazy(build)

    @property
    def model_name(self) -> str:
        return self._model_name

    def load(self) -> None:
        self._model()

    def structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[SchemaT],
        *,
        purpose: str,
        project: str | None = None,
    ) -> SchemaT:
        return self._model().structured(messages, schema, purpose=purpose, project=project)


class LazySearcher:
    """Opens the index on the first search rather than at start-up; one for the whole bot."""

    def __init__(self, open_searcher: Callable[[], HybridSearcher]) -> None:
        self._searcher = Lazy(open_searcher)

    def load(self) -> None:
        self._searcher()

    def lookup(
        self, query: str, *, project: str, channel: str | None = None, k: int = 5
    ) -> SearchResult:
        searcher = self._searcher()
        started = time.monotonic()
        try:
            return searcher.lookup(query, project=project, channel=channel, k=k)
        finally:
            metrics.retrieval_took(time.monotonic() - started)
