"""One error handler for every listener.

A person sees a short, kind message with a correlation id; the log gets the whole story under
the same id. Only `BotError.user_message` is ever shown: raw exception text can leak internals
(URLs, keys, SQL) and helps nobody in a channel.

Bolt answers Slack 500 when a listener fails before its ack or a middleware fails (a signed but
malformed payload). Slack would then show its own error next to ours, so a person who has been
told gets an empty 200 instead, and a request nobody could be told about gets a 400.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import App, BoltResponse
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
    def handle_error(
        error: Exception, body: dict[str, Any], client: WebClient, response: BoltResponse | None
    ) -> None:
        correlation_id = uuid.uuid4().hex[:8]
        if isinstance(error, BotError):
            log.warning("[%s] %s", correlation_id, error, exc_info=error)
        else:
            log.error("[%s] unhandled error", correlation_id, exc_info=error)
        told = False
        if _event(body).get("type") not in PASSIVE_EVENTS:
            # (a passive event addressed nobody: replying would talk to a stranger's message)
            try:
                told = tell_user(client, body, user_message(error, correlation_id))
            except SlackApiError:
                log.exception("[%s] could not tell the user about the error", correlation_id)
        if response is not None and response.status == 500:
            response.status = 200 if told else 400
            response.body = ""


def tell_user(client: WebClient, body: dict[str, Any], text: str) -> bool:
    """Show `text` to whoever triggered `body`, in the most fitting place Slack allows; False
    when `body` names nobody to show it to."""
    response_url = body.get("response_url") or _first_response_url(body)
    if isinstance(response_url, str) and response_url:
        WebhookClient(response_url, timeout=10).send(
            text=text, response_type="ephemeral", replace_original=False
        )
        return True
    event = _event(body)
    user = event.get("user") or _object(body, "user").get("id") or body.get("user_id")
    channel = event.get("channel") or _object(body, "channel").get("id") or body.get("channel_id")
    if event and channel:
        # An event (a mention, a DM): answer in its thread, where the person is looking.
        client.chat_postMessage(
            channel=channel, thread_ts=event.get("thread_ts") or event.get("ts"), text=text
        )
    elif channel and user:
        client.chat_postEphemeral(channel=channel, user=user, text=text)
    elif user:
        client.chat_postMessage(channel=user, text=text)
    else:
        return False
    return True


def _object(body: dict[str, Any], key: str) -> dict[str, Any]:
    """`body[key]` when it is an object; a malformed payload may hold anything there."""
    value = body.get(key)
    return value if isinstance(value, dict) else {}


def _event(body: dict[str, Any]) -> dict[str, Any]:
    return _object(body, "event")


def _first_response_url(body: dict[str, Any]) -> str | None:
    urls = body.get("response_urls")
    first = urls[0] if isinstance(urls, list) and urls else None
    return first.get("response_url") if isinstance(first, dict) else None
