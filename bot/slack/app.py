"""`create_app(settings, services, jobs)`: the Bolt app with every feature registered.

Listeners run with `process_before_response=False`: Bolt answers Slack as soon as a listener
calls `ack()` and runs the rest in its thread pool. Slow work (the model, search, posting the
results) is not done here at all: listeners put a job on the queue (`jobs`) for a worker.
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from bot.domain.jobs import JobSender
from bot.services import Services
from bot.settings import Settings
from bot.slack.blocks.help import HelpEntry
from bot.slack.channels import ChannelDirectory
from bot.slack.client import make_web_client
from bot.slack.error_handler import register_error_handler
from bot.slack.executor import ListenerExecutor
from bot.slack.links import SlackLinks
from bot.slack.listeners import (
    assistant,
    decisions,
    escalations,
    home,
    questions,
    review,
    stories,
)
from bot.slack.listeners import help as help_listener
from bot.slack.middleware import SlackKit, register_middleware


def create_app(
    settings: Settings, services: Services, jobs: JobSender, *, client: WebClient | None = None
) -> App:
    http_mode = not settings.socket_mode
    app = App(
        client=client or make_web_client(settings),
        signing_secret=settings.require_signing_secret() if http_mode else None,
        request_verification_enabled=http_mode,
        process_before_response=False,
        listener_executor=ListenerExecutor(max_workers=16),
        logger=logging.getLogger("slack_bolt"),
    )
    entries: list[HelpEntry] = []
    kit = SlackKit(ChannelDirectory(app.client), SlackLinks(app.client), entries, jobs)
    register_middleware(app, services, kit)
    register_error_handler(app)
    # In this order: it is the order of the help list.
    stories.register(app, entries)
    review.register(app, entries)
    decisions.register(app, entries)
    questions.register(app, entries)
    escalations.register(app, entries)
    home.register(app, entries)
    assistant.register(app, entries)
    help_listener.register(app, entries)
    return app
