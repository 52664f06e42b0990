"""Starting the bot: build the container, then serve over Socket Mode or HTTP."""

from __future__ import annotations

import logging

from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.container import build_container
from bot.errors import ConfigError
from bot.settings import Settings
from bot.slack.app import create_app
from bot.slack.http_server import bind, create_web_app, make_server

log = logging.getLogger(__name__)


def serve(settings: Settings, *, http: bool, host: str, port: int) -> None:
    container = build_container(settings)
    try:
        app = create_app(settings, container.services)
    except (BoltError, SlackApiError, SlackClientError, OSError) as exc:
        # Bolt checks the token with auth.test when the app is built.
        raise ConfigError(
            f"Slack did not accept SLACK_BOT_TOKEN at {settings.slack_api_url} ({exc}). "
            "Check the token on your app's OAuth & Permissions page."
        ) from exc
    if http:
        sock = bind(host, port)
        log.info("APO Bridge serving HTTP on %s:%s (POST /slack/events)", host, port)
        make_server(create_web_app(app, container.health), log_level=settings.log_level).run(
            sockets=[sock]
        )
    else:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        log.info("APO Bridge connecting to Slack in Socket Mode")
        SocketModeHandler(app, settings.require_app_token()).start()  # type: ignore[no-untyped-call]
