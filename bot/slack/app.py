"""`create_app(settings, services, jobs)`: the Bolt app with every feature registered.

Listeners run with `process_before_response=False`: Bolt answers Slack as soon as a listener
calls `ack()` and runs the rest in its thread pool. Slow work (the model, search, posting the
results) is not done here at all: listeners put a job on the queue (`jobs`) for a worker.

With `workspaces` (APO_SLACK_OAUTH) the app serves every workspace it is installed in: Bolt's
OAuth support runs the install flow and finds each request's bot token in the installation
store; each request sees only its workspace's projects (`Workspaces.services_for`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient

from bot.domain.jobs import JobSender
from bot.services import Services
from bot.services.workspaces.service import WorkspaceService
from bot.settings import Settings
from bot.slack.blocks.help import HelpEntry
from bot.slack.client import make_web_client
from bot.slack.error_handler import register_error_handler
from bot.slack.executor import ListenerExecutor
from bot.slack.listeners import (
    assistant,
    decisions,
    escalations,
    home,
    questions,
    review,
    stories,
    tracker,
)
from bot.slack.listeners import help as help_listener
from bot.slack.listeners import workspaces as workspace_listeners
from bot.slack.middleware import Kits, register_middleware

if TYPE_CHECKING:
    from bot.slack.installations import InstallationStore

# What a person in a workspace without an installation is told (Bolt answers with it).
NOT_INSTALLED = (
    "APO Bridge is not installed in this workspace (any more), so I can't help here. "
    "Ask whoever runs APO Bridge for your team to install it again."
)


@dataclass(frozen=True)
class Workspaces:
    """What serving several workspaces takes: each workspace's view of the use cases, the
    installations, and what an uninstall stops."""

    services_for: Callable[[str | None], Services]
    installations: InstallationStore
    uninstalls: WorkspaceService


def create_app(
    settings: Settings,
    services: Services,
    jobs: JobSender,
    *,
    client: WebClient | None = None,
    workspaces: Workspaces | None = None,
    services_for: Callable[[str | None], Services] | None = None,
) -> App:
    """`services_for` scopes one SLACK_BOT_TOKEN's requests by workspace too (projects that
    name a `team_id`); `workspaces` turns on the install flow."""
    http_mode = not settings.socket_mode
    oauth: OAuthSettings | None = None
    if workspaces is not None:
        # Only now: slack_sdk's SQLAlchemy stores load SQLAlchemy's asyncio part (greenlet).
        from bot.slack.installations import state_store
        from bot.slack.oauth import oauth_settings

        store = workspaces.installations
        oauth = oauth_settings(settings, store, state_store(store.engine))
        services_for = workspaces.services_for
    app = App(
        client=client or make_web_client(settings, anonymous=oauth is not None),
        signing_secret=settings.require_signing_secret() if http_mode else None,
        request_verification_enabled=http_mode,
        process_before_response=False,
        listener_executor=ListenerExecutor(max_workers=16),
        logger=logging.getLogger("slack_bolt"),
        oauth_settings=oauth,
        installation_store_bot_only=True if oauth else None,
        user_facing_authorize_error_message=NOT_INSTALLED if oauth else None,
    )
    entries: list[HelpEntry] = []
    kits = Kits(app.client, entries, jobs)
    register_middleware(
        app,
        services_for or (lambda _team: services),
        kits,
        workspaces.uninstalls if workspaces else None,
    )
    register_error_handler(app)
    # In this order: it is the order of the help list.
    stories.register(app, entries)
    review.register(app, entries)
    tracker.register(app, entries)
    decisions.register(app, entries)
    questions.register(app, entries)
    escalations.register(app, entries)
    home.register(app, entries)
    assistant.register(app, entries)
    help_listener.register(app, entries)
    # With one token there is nothing stored to delete, but the uninstall is still logged.
    workspace_listeners.register(app)
    return app
