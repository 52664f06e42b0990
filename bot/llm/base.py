"""The chat-model interface services depend on.

Services ask for a pydantic model back and never see LangChain or OpenAI types, so the provider
can change (or be faked at the HTTP edge in tests) without touching them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

from pydantic import BaseModel

SchemaT = TypeVar("SchemaT", bound=BaseModel)


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class LLMUsage:
    """What one call cost and how it went; recorded for every call, failed ones included."""

    purpose: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    latency_ms: int
    ok: bool
    error_kind: str | None = None
    # The project the call was for (cost per project in `apo stats`); None when not known.
    project: str | None = None

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


UsageRecorder = Callable[[LLMUsage], None]


class ChatModel(Protocol):
    """A chat model that answers with validated structured output.

    Implementations raise subclasses of `bot.errors.LLMError` with a user-facing message when
    the model cannot give a usable answer after their bounded retries.
    """

    @property
    def model_name(self) -> str: ...

    def structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[SchemaT],
        *,
        purpose: str,
        project: str | None = None,
    ) -> SchemaT: ...
