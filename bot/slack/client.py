"""The Slack Web API client: honours SLACK_API_URL and retries what is worth retrying.

slack_sdk's retry handlers do the work: 429s wait for `Retry-After`, 5xx and dropped
connections back off and try again. Without them a busy channel loses messages.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.ops import metrics
from bot.settings import Settings


class CountingWebClient(WebClient):
    """Counts failed Web API calls by method and error for `/metrics` (after the retries)."""

    def api_call(self, api_method: str, **kwargs: Any) -> Any:
        try:
            return super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else None
            metrics.slack_api_failed(api_method, str(error or "unknown"))
            raise
        except SlackClientError as exc:
            metrics.slack_api_failed(api_method, type(exc).__name__)
            raise
        except OSError as exc:  # unreachable after the connection retries
            metrics.slack_api_failed(api_method, type(exc).__name__)
            raise


def counting_copy(client: WebClient) -> WebClient:
    """The same client (token, URL, retries) counting its failures: Bolt gives each request
    a plain `WebClient` of its own, made from the app's."""
    if isinstance(client, CountingWebClient):
        return client
    copy = CountingWebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        headers=client.headers,
        logger=client.logger,
        retry_handlers=list(client.retry_handlers) if client.retry_handlers else None,
    )
    copy.default_params = dict(client.default_params)  # the team_id Bolt set, if any
    return copy


def make_web_client(
    settings: Settings, *, timeout: int = 30, token: str | None = None, anonymous: bool = False
) -> WebClient:
    """A client with `token`, else SLACK_BOT_TOKEN; `anonymous` (several workspaces) has no
    token of its own: Bolt gives each request a copy with that workspace's token."""
    attempts = settings.slack_retry_attempts
    return CountingWebClient(
        token=None if anonymous else token or settings.require_bot_token(),
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=attempts),
            ServerErrorRetryHandler(max_retry_count=attempts),
            ConnectionErrorRetryHandler(max_retry_count=attempts),
        ],
    )
