"""Global Bolt middleware: repeated-event suppression and the services every listener uses.

Listeners are module-level functions; they reach the use cases through Bolt's per-request
`context` (`services_of(context)`), filled here, instead of closures over `register()`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

from bot.services import Services

log = logging.getLogger(__name__)
_SERVICES_KEY = "apo_services"


def register_middleware(app: App, services: Services) -> None:
    @app.middleware
    def provide_services(context: BoltContext, next: Callable[[], BoltResponse]) -> Any:
        context[_SERVICES_KEY] = services
        return next()

    @app.middleware
    def skip_repeated_events(body: dict[str, Any], next: Callable[[], BoltResponse]) -> Any:
        # Slack retries an event (same event_id, X-Slack-Retry-Num) when our ack looked late.
        # Acking the repeat without running listeners keeps replies and writes single.
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not services.inbox.first_delivery(event_id):
            log.info("ignoring repeated delivery of event %s", event_id)
            return BoltResponse(status=200, body="")
        return next()


def services_of(context: BoltContext) -> Services:
    """The use cases, as the middleware above put them into this request's context."""
    services = context.get(_SERVICES_KEY)
    if not isinstance(services, Services):
        raise RuntimeError("listener ran without the services middleware")
    return services
