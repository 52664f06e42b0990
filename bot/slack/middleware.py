"""Global Bolt middleware: repeated-event suppression, and what every listener reaches.

Listeners are module-level functions; they reach the use cases (`services_of(context)`) and the
per-app Slack helpers (`kit_of(context)`) through Bolt's per-request `context`, filled here,
instead of closures over `register()`. Both are the request's workspace's: its projects only,
its bot token, and jobs marked with its id so a worker answers with the same token.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.domain.jobs import Job, JobSender
from bot.services import Services
from bot.services.workspaces.service import WorkspaceService
from bot.slack.blocks.help import HelpEntry
from bot.slack.channels import ChannelDirectory
from bot.slack.client import counting_copy
from bot.slack.links import SlackLinks

log = logging.getLogger(__name__)
_SERVICES_KEY = "apo_services"
_KIT_KEY = "apo_slack_kit"
_WORKSPACES_KEY = "apo_workspaces"


@dataclass(frozen=True)
class SlackKit:
    """Slack helpers built once per workspace token, so their caches (channel privacy and
    membership, the workspace URL for permalinks) are shared by every request; `help` is the
    list `/apo help` and a bare mention show, filled as the features register; `jobs` queues
    the slow work for a worker, marked with the workspace it is for."""

    directory: ChannelDirectory
    links: SlackLinks
    help: list[HelpEntry]
    jobs: JobSender


class WorkspaceJobs:
    """A `JobSender` that marks every job with the workspace (`team`) it was asked in."""

    def __init__(self, jobs: JobSender, team_id: str | None) -> None:
        self._jobs = jobs
        self._team_id = team_id

    def send(self, job: Job) -> None:
        self._jobs.send(self.stamp(job))

    def enqueue(self, job: Job) -> None:
        self._jobs.enqueue(job)

    def stamp(self, job: Job) -> Job:
        """`job` marked with the workspace, for one a store records itself (the outbox)."""
        if self._team_id:
            return dataclasses.replace(job, args={**job.args, "team": self._team_id})
        return job


class Kits:
    """One `SlackKit` per (workspace, bot token): a reinstall's new token gets a new one."""

    def __init__(self, app_client: WebClient, help: list[HelpEntry], jobs: JobSender) -> None:
        self._app_client = app_client
        self._help = help
        self._jobs = jobs
        self._kits: dict[tuple[str | None, str | None], SlackKit] = {}
        self._lock = threading.Lock()

    def for_request(self, context: BoltContext) -> SlackKit:
        token = context.token
        client = context.client if token else self._app_client
        key = (context.team_id, token)
        with self._lock:
            kit = self._kits.get(key)
            if kit is None:
                kit = self._kits[key] = SlackKit(
                    ChannelDirectory(client),
                    SlackLinks(client),
                    self._help,
                    WorkspaceJobs(self._jobs, context.team_id),
                )
            return kit

    def forget(self, team_id: str) -> None:
        with self._lock:
            for key in [k for k in self._kits if k[0] == team_id]:
                del self._kits[key]


def register_middleware(
    app: App,
    services_for: Callable[[str | None], Services],
    kits: Kits,
    workspaces: WorkspaceService | None = None,
) -> None:
    @app.middleware
    def count_slack_errors(context: BoltContext, next: Callable[[], BoltResponse]) -> Any:
        # Listeners' own Web API calls go through this request's client: count its failures.
        if context.client is not None:
            context["client"] = counting_copy(context.client)
        return next()

    @app.middleware
    def provide_services(context: BoltContext, next: Callable[[], BoltResponse]) -> Any:
        context[_SERVICES_KEY] = services_for(context.team_id)
        context[_KIT_KEY] = kits.for_request(context)
        if workspaces is not None:
            context[_WORKSPACES_KEY] = (workspaces, kits)
        return next()

    @app.middleware
    def skip_repeated_events(
        body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]
    ) -> Any:
        # Slack retries an event (same event_id, X-Slack-Retry-Num) when our ack looked late.
        # Acking the repeat without running listeners keeps replies and writes single.
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not services_of(context).inbox.first_delivery(event_id):
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


def uninstall(context: BoltContext, team_id: str, why: str) -> None:
    """The workspace is gone: its installation, open jobs and digests stop (several
    workspaces only; with one token there is nothing stored to delete)."""
    found = context.get(_WORKSPACES_KEY)
    if found is None:
        log.warning("Slack workspace %s: %s (one SLACK_BOT_TOKEN: nothing to delete)", team_id, why)
        return
    workspaces, kits = found
    workspaces.uninstalled(team_id, why=why)
    kits.forget(team_id)
