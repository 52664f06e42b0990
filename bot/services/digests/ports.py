"""What the digest service needs from the outside: a store and a way to post."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain import MessageRef
from bot.domain.digests import DigestActivity, DigestKey, DigestSideName, PostedDigest
from bot.services.digests.content import DigestContent


class DigestStore(Protocol):
    def collect(
        self,
        project: str,
        message: MessageRef,
        text: str,
        *,
        user_id: str | None,
        thread_ts: str | None,
        permalink: str | None,
    ) -> bool:
        """Keep a channel message once per (channel, ts); True when it was new."""
        ...

    def revise(self, message: MessageRef, text: str | None) -> bool:
        """A collected message edited (its new text) or deleted (None); False if not kept."""
        ...

    def forget_before(self, cutoff: datetime) -> int:
        """Delete the collected messages sent before `cutoff`; how many."""
        ...

    def activity(
        self, project: str, *, since: datetime, until: datetime, discussion_channel: str
    ) -> DigestActivity:
        """What happened in [since, until), and what is still waiting, in one read."""
        ...

    def last_posted(self, project: str, side: DigestSideName) -> PostedDigest | None: ...

    def claim(
        self,
        key: DigestKey,
        *,
        channel: str,
        window_start: datetime,
        window_end: datetime,
        claimed_at: datetime,
        stale_before: datetime,
    ) -> bool:
        """True if this run may post the digest: the key is new, its last attempt failed, or
        its pending claim was made before `stale_before`. Of racing claims exactly one wins;
        `claimed_at` is the winner's token for marking the digest afterwards."""
        ...

    def mark_posted(
        self, key: DigestKey, message: MessageRef | None, *, claimed_at: datetime
    ) -> None:
        """Posted (`message`) or deliberately skipped (None), if the claim is still ours."""
        ...

    def mark_failed(self, key: DigestKey, error: str, *, claimed_at: datetime) -> None:
        """Posting failed; the digest may be claimed again (if the claim is still ours)."""
        ...


class DigestPublisher(Protocol):
    def post_digest(self, channel: str, content: DigestContent) -> MessageRef: ...

    def post_quiet_line(self, channel: str, content: DigestContent) -> MessageRef:
        """One line saying nothing happened, for projects that want one on quiet days."""
        ...

    def find_posted(self, channel: str, content: DigestContent) -> MessageRef | None:
        """The digest (or quiet line) for `content`'s project, side and day if it is already
        in `channel`: a run killed after Slack took the post but before its ts was saved."""
        ...

    def is_transient(self, error: Exception) -> bool:
        """Whether a post that raised `error` is worth another attempt (Slack down, a dropped
        connection) rather than failing for good (an unknown channel)."""
        ...
