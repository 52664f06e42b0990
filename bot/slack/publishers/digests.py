"""Posting a digest to a side's channel: the digest service's `DigestPublisher` in Slack."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import MessageRef
from bot.services.digests.content import DigestContent
from bot.slack.blocks.common import Block
from bot.slack.blocks.digest import digest_message, quiet_message
from bot.slack.links import SlackLinks

# Answers that mean "try again later" rather than "this will never work" (channel_not_found).
_TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
# Slack message metadata on every digest (needs no extra scope to post; reading it back needs
# the channels:history scope the bot already has for threads).
_EVENT_TYPE = "apo_digest"
# A channel rarely gets this many messages between a killed run and the one taking it over.
_ADOPT_LOOKBACK = 100


class SlackDigestPublisher:
    def __init__(self, client: WebClient, links: SlackLinks) -> None:
        self._client = client
        self._links = links

    def post_digest(self, channel: str, content: DigestContent) -> MessageRef:
        return self._post(channel, content, *digest_message(content, self._links))

    def post_quiet_line(self, channel: str, content: DigestContent) -> MessageRef:
        return self._post(channel, content, *quiet_message(content))

    def find_posted(self, channel: str, content: DigestContent) -> MessageRef | None:
        """Our digest for this project, side and day among the channel's latest messages,
        found by the metadata every digest is posted with."""
        history = self._client.conversations_history(
            channel=channel, limit=_ADOPT_LOOKBACK, include_all_metadata=True
        )
        for message in history.get("messages") or []:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == _EVENT_TYPE and (
                metadata.get("event_payload") or {}
            ).get("digest") == _digest_id(content):
                return MessageRef(channel, str(message["ts"]))
        return None

    def is_transient(self, error: Exception) -> bool:
        """A dropped connection, an HTTP 429/5xx or a "try later" error."""
        if isinstance(error, OSError):
            return True
        if not isinstance(error, SlackApiError):
            return False
        status = int(getattr(error.response, "status_code", 200) or 200)
        return status == 429 or status >= 500 or error.response.get("error") in _TRANSIENT_ERRORS

    def _post(
        self, channel: str, content: DigestContent, text: str, blocks: list[Block]
    ) -> MessageRef:
        posted = self._client.chat_postMessage(
            channel=channel,
            text=text,
            blocks=blocks,
            # Names the digest, so a run that takes over a killed one can find it (above).
            metadata={
                "event_type": _EVENT_TYPE,
                "event_payload": {"digest": _digest_id(content)},
            },
        )
        return MessageRef(channel, str(posted["ts"]))


def _digest_id(content: DigestContent) -> str:
    return f"{content.project}:{content.side}:{content.local_date.isoformat()}"
