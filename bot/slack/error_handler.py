"""One error handler for every listener.

A person sees a short, kind message with a correlation id; the log gets the whole story under
the same id. Only `BotError.user_message` is ever shown: raw exception text can leak internals
(URLs, keys, SQL) and helps nobody in a channel.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.errors import BotError

log = logging.getLogger(__name__)
# Events the bot only listens to (messages it collects, reactions) rather than answers.
PASSIVE_EVENTS = frozenset({"message", "reaction_added"})


def user_message(error: BaseException, correlation_id: str) -> str:
    if isinstance(error, BotError):
        return f"{error.user_message} (ref `{correlation_id}`)"
    return (
        "Sorry, something went wrong on my side and I could not finish that. "
        f"If it happens again, give this reference to whoever runs APO Bridge: `{correlation_id}`."
    )


def register_error_handler(app: App) -> None:
    @app.error
    def handle_error(error: Exception, body: dict[str, Any], client: WebClient) -> None:
        correlation_id = uuid.uuid4().hex[:8]
        if isinstance(error, BotError):
            log.warning("[%s] %s", correlation_id, error, exc_info=error)
        else:
            log.error("[%s] unhandled error", correlation_id, exc_info=error)
        event_type = (body.get("event") or {}).get("type")
        if event_type in PASSIVE_EVENTS:
            return  # nobody addressed the bot: replying would talk to a stranger's message
        try:
            tell_user(client, body, user_message(error, correlation_id))
        except SlackApiError:
            log.exception("[%s] could not tell the user about the error", correlation_id)


def tell_user(client: WebClient, body: dict[str, Any], text: str) -> None:
    """Show `text` to whoever triggered `body`, in the most fitting place Slack allows."""
    response_url = body.get("response_url") or _first_response_url(body)
    if response_url:
        WebhookClient(response_url, timeout=10).send(
            text=text, response_type="ephemeral", replace_original=False
        )
        return
    event = body.get("event") or {}
    user = event.get("user") or (body.get("user") or {}).get("id") or body.get("user_id")
    channel = (
        event.get("channel") or (body.get("channel") or {}).get("id") or body.get("channel_id")
    )
    if event and channel:
        # An event (a mention, a DM): answer in its thread, where the person is looking.
        client.chat_postMessage(
            channel=channel, thread_ts=event.get("thread_ts") or event.get("ts"), text=text
        )
    elif channel and user:
        client.chat_postEphemeral(channel=channel, user=user, text=text)
    elif user:
        client.chat_postMessage(channel=user, text=text)


def _first_response_url(body: dict[str, Any]) -> str | None:
    urls = body.get("response_urls") or []
    return urls[0].get("response_url") if urls else None
