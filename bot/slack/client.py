"""The Slack Web API client: honours SLACK_API_URL and retries what is worth retrying.

slack_sdk's retry handlers do the work: 429s wait for `Retry-After`, 5xx and dropped
connections back off and try again. Without them a busy channel loses messages.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings


def make_web_client(
    settings: Settings, *, timeout: int = 30, token: str | None = None, anonymous: bool = False
) -> WebClient:
    """A client with `token`, else SLACK_BOT_TOKEN; `anonymous` (several workspaces) has no
    token of its own: Bolt gives each request a copy with that workspace's token."""
    attempts = settings.slack_retry_attempts
    return WebClient(
        token=None if anonymous else token or settings.require_bot_token(),
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=attempts),
            ServerErrorRetryHandler(max_retry_count=attempts),
            ConnectionErrorRetryHandler(max_retry_count=attempts),
        ],
    )
