"""Plain types that cross layers: services take and return them, stores build them, Block Kit
builders and the CLI render them. No Slack, database or LLM types anywhere in this package.

The types every use case shares are here; each use-case group has its own module:
`bot.domain.stories`, `bot.domain.knowledge`, `bot.domain.digests`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

# A source of the current time (aware, UTC); services take one so tests can fix the clock.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class MessageRef:
    """Where a message the bot posted lives: opaque channel and message ids (Slack's ts)."""

    channel: str
    ts: str


@dataclass(frozen=True)
class Actor:
    """Who asks a service to do something. Services check permissions on it, so Slack, the
    CLI and any later surface obey one rule; the CLI acts as an explicit administrator."""

    user_id: str
    admin: bool = False

    @classmethod
    def cli(cls) -> Actor:
        return cls("cli", admin=True)
