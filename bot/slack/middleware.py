"""Global Bolt middleware."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from bot.services.inbox import EventInbox

log = logging.getLogger(__name__)


def register_middleware(app: App, inbox: EventInbox) -> None:
    @app.middleware
    def skip_repeated_events(body: dict[str, Any], next: Callable[[], BoltResponse]) -> Any:
        # Slack retries an event (same event_id, X-Slack-Retry-Num) when our ack looked late.
        # Acking the repeat without running listeners keeps replies and writes single.
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not inbox.first_delivery(event_id):
            log.info("ignoring repeated delivery of event %s", event_id)
            return BoltResponse(status=200, body="")
        return next()
