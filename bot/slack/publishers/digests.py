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


class SlackDigestPublisher:
    def __init__(self, client: WebClient, links: SlackLinks) -> None:
        self._client = client
        self._links = links

    def post_digest(self, channel: str, content: DigestContent) -> MessageRef:
        return self._post(channel, *digest_message(content, self._links))

    def post_quiet_line(self, channel: str, content: DigestContent) -> MessageRef:
        return self._post(channel, *quiet_message(content))

    def is_transient(self, error: Exception) -> bool:
        """A dropped connection, an HTTP 429/5xx or a "try later" error."""
        if isinstance(error, OSError):
            return True
        if not isinstance(error, SlackApiError):
            return False
        status = int(getattr(error.response, "status_code", 200) or 200)
        return status == 429 or status >= 500 or error.response.get("error") in _TRANSIENT_ERRORS

    def _post(self, channel: str, text: str, blocks: list[Block]) -> MessageRef:
        posted = self._client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        return MessageRef(channel, str(posted["ts"]))
