"""In-process fakes for fast service tests: a chat model that queues replies and records what
it was sent, and a clock that stands still until told to move.

The end-to-end tests fake the network edge with loopback servers instead (tests/harness/);
these fakes are for rules and edge cases, where an HTTP round trip adds nothing but time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from bot.domain import MessageRef
from bot.domain.stories import BatchView, StoryView
from bot.llm.base import ChatMessage, SchemaT
from bot.services.stories.ports import PublishFailed


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
        self._responder: Callable[[SentPrompt], Any] | None = None

    def queue(self, *replies: Any) -> None:
        self._replies.extend(replies)

    def respond_with(self, responder: Callable[[SentPrompt], Any]) -> None:
        """Answer every call the queue does not cover with `responder(prompt)`: a model that
        does whatever its input says (obeys injected instructions, repeats what it saw)."""
        self._responder = responder

    def structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[SchemaT],
        *,
        purpose: str,
        project: str | None = None,
    ) -> SchemaT:
        self.prompts.append(SentPrompt(purpose, tuple(messages), schema))
        if self._replies:
            reply = self._replies.popleft()
        elif self._responder is not None:
            reply = self._responder(self.prompts[-1])
        else:
            raise AssertionError(f"unexpected model call ({purpose}); nothing was queued")
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


# --- stories ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """One thing a service asked the fake publisher to show: what, where, and its content."""

    kind: str  # posted | progress | card | card_update | batch | failure
    where: MessageRef
    detail: Any  # the progress step, the StoryView, the BatchView or the problem text


class FakeBatchPublisher:
    """Records every message the story service shows, instead of posting it to Slack.

    `refuse_cards` makes that many of the next card posts fail, like Slack refusing them."""

    def __init__(self, *private_channels: str) -> None:
        self.private_channels = set(private_channels)
        self.shown: list[Shown] = []
        self.refuse_cards = 0
        self._next_ts = 1700000000

    def is_private(self, channel: str) -> bool:
        return channel in self.private_channels

    def show_progress(
        self, where: MessageRef | None, *, channel: str, batch: BatchView, step: str
    ) -> MessageRef:
        if where is None:
            where = self._new(channel)
            self.shown.append(Shown("posted", where, step))
        else:
            self.shown.append(Shown("progress", where, step))
        return where

    def post_card(self, thread: MessageRef, story: StoryView) -> MessageRef:
        if self.refuse_cards:
            self.refuse_cards -= 1
            raise PublishFailed("msg_too_long")
        card = self._new(thread.channel)
        self.shown.append(Shown("card", card, story))
        return card

    def update_card(self, where: MessageRef, story: StoryView) -> None:
        self.shown.append(Shown("card_update", where, story))

    def show_batch(self, where: MessageRef, batch: BatchView) -> None:
        self.shown.append(Shown("batch", where, batch))

    def show_failure(
        self, where: MessageRef, *, project_name: str, problem: str, note_id: int
    ) -> None:
        self.shown.append(Shown("failure", where, problem))

    def of(self, kind: str) -> list[Shown]:
        return [s for s in self.shown if s.kind == kind]

    def _new(self, channel: str) -> MessageRef:
        self._next_ts += 1
        return MessageRef(channel, f"{self._next_ts}.000100")


@dataclass
class FakeStoryIndex:
    """Records what would go into the search index."""

    notes: list[tuple[int, str, bool]] = field(default_factory=list)  # id, channel, private
    stories: list[tuple[StoryView, str | None, bool]] = field(default_factory=list)
    fail: bool = False

    def index_note(
        self,
        note_id: int,
        text: str,
        *,
        project: str,
        title: str,
        channel: str | None,
        private: bool,
        created_at: datetime,
    ) -> int:
        self.notes.append((note_id, channel or "", private))
        return 1

    def remove_note(self, note_id: int, *, project: str) -> None:
        self.notes = [n for n in self.notes if n[0] != note_id]

    def index_story(self, story: StoryView, *, channel: str | None, private: bool) -> None:
        if self.fail:
            raise RuntimeError("the index is down")
        self.stories.append((story, channel, private))

    def remove_story(self, story_id: int) -> None:
        self.stories = [s for s in self.stories if s[0].id != story_id]
