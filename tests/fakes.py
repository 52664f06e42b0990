"""In-process fakes for fast service tests: a chat model that queues replies and records what
it was sent, and a clock that stands still until told to move.

The end-to-end tests fake the network edge with loopback servers instead (tests/harness/);
these fakes are for rules and edge cases, where an HTTP round trip adds nothing but time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from bot.llm.base import ChatMessage, SchemaT


@dataclass
class SentPrompt:
    purpose: str
    messages: tuple[ChatMessage, ...]
    schema: type[BaseModel]

    @property
    def text(self) -> str:
        return "\n".join(m.content for m in self.messages)


class FakeChatModel:
    """Answers each call with the next queued reply (a dict, a pydantic model, or an exception
    to raise) and records every prompt. An unexpected call fails the test loudly."""

    model_name = "fake-model"

    def __init__(self, *replies: Any) -> None:
        self._replies: deque[Any] = deque(replies)
        self.prompts: list[SentPrompt] = []

    def queue(self, *replies: Any) -> None:
        self._replies.extend(replies)

    def structured(
        self, messages: Sequence[ChatMessage], schema: type[SchemaT], *, purpose: str
    ) -> SchemaT:
        self.prompts.append(SentPrompt(purpose, tuple(messages), schema))
        if not self._replies:
            raise AssertionError(f"unexpected model call ({purpose}); nothing was queued")
        reply = self._replies.popleft()
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, BaseModel):
            reply = reply.model_dump()
        return schema.model_validate(reply)


@dataclass
class FixedClock:
    """`clock()` returns `now` until `advance()` moves it."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
