"""Global Bolt middleware: repeated-event suppression, and what every listener reaches.

Listeners are module-level functions; they reach the use cases (`services_of(context)`) and the
per-app Slack helpers (`kit_of(context)`) through Bolt's per-request `context`, filled here,
instead of closures over `register()`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

from bot.domain.jobs import JobSender
from bot.services import Services
from bot.slack.blocks.help import HelpEntry
from bot.slack.channels import ChannelDirectory
from bot.slack.links import SlackLinks

log = logging.getLogger(__name__)
_SERVICES_KEY = "apo_services"
_KIT_KEY = "apo_slack_kit"


@dataclass(frozen=True)
class SlackKit:
    """Slack helpers built once per app, so their caches (channel privacy and membership, the
    workspace URL for permalinks) are shared by every request; `help` is the list `/apo help`
    and a bare mention show, filled as the features register; `jobs` queues the slow work
    for a worker."""

    directory: ChannelDirectory
    links: SlackLinks
    help: list[HelpEntry]
    jobs: JobSender


def register_middleware(app: App, services: Services, kit: SlackKit) -> None:
    @app.middleware
    def provide_services(context: BoltContext, next: Callable[[], BoltResponse]) -> Any:
        context[_SERVICES_KEY] = services
        context[_KIT_KEY] = kit
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


def request_kind(body: object) -> str:
    """A short, fixed word for what Slack sent (a metrics label and a log field): `command`,
    `event`, or the interactive payload's type (`block_actions`, `view_submission`, …)."""
    if not isinstance(body, dict):
        return "unknown"
    if "command" in body:
        return "command"
    kind = body.get("type")
    if kind == "event_callback":
        return "event"
    known = {
        "block_actions",
        "view_submission",
        "view_closed",
        "message_action",
        "shortcut",
        "url_verification",
    }
    return str(kind) if kind in known else "other"


def services_of(context: BoltContext) -> Services:
    """The use cases, as the middleware above put them into this request's context."""
    services = context.get(_SERVICES_KEY)
    if not isinstance(services, Services):
        raise RuntimeError("listener ran without the services middleware")
    return services


def kit_of(context: BoltContext) -> SlackKit:
    kit = context.get(_KIT_KEY)
    if not isinstance(kit, SlackKit):
        raise RuntimeError("listener ran without the services middleware")
    return kit
