"""Starting the bot: build the container, then serve over Socket Mode or HTTP."""

from __future__ import annotations

import logging
import threading

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.container import Container, build_container
from bot.digest_scheduler import DigestScheduler
from bot.errors import ConfigError
from bot.settings import Settings
from bot.slack.app import create_app
from bot.slack.http_server import bind, create_web_app, make_server
from bot.slack.links import SlackLinks
from bot.slack.publishers.digests import SlackDigestPublisher
from bot.storage.leader import leader_for

log = logging.getLogger(__name__)


def serve(settings: Settings, *, http: bool, host: str, port: int) -> None:
    container = build_container(settings)
    try:
        app = create_app(settings, container.services)
    except OSError as exc:
        # No answer at all (DNS, refused, timed out): the token was never tried.
        from bot.doctor.http import describe_unreachable

        reason = getattr(exc, "reason", exc)
        raise ConfigError(
            "Slack is unreachable, so SLACK_BOT_TOKEN could not be checked: "
            f"{describe_unreachable(settings.slack_api_url + 'auth.test', reason)}. "
            "Check the network (or SLACK_API_URL)."
        ) from exc
    except (BoltError, SlackApiError, SlackClientError) as exc:
        # Bolt checks the token with auth.test when the app is built.
        raise ConfigError(
            f"Slack did not accept SLACK_BOT_TOKEN at {settings.slack_api_url} ({exc}). "
            "Check the token on your app's OAuth & Permissions page."
        ) from exc
    scheduler = start_digest_scheduler(app, container)
    # Serving starts at once; Chroma, the embedding model and the chat model load meanwhile,
    # so neither the health check nor the first question waits for them.
    threading.Thread(target=container.warm_up, name="warm-up", daemon=True).start()
    try:
        _run(app, container, settings, http=http, host=host, port=port)
    finally:
        scheduler.shutdown(wait=False)


def start_digest_scheduler(app: App, container: Container) -> DigestScheduler:
    """Daily digests in each side's own zone; with PostgreSQL only one replica schedules."""
    digests = container.services.digests
    publisher = SlackDigestPublisher(app.client, SlackLinks(app.client))
    scheduler = DigestScheduler(
        container.projects,
        lambda project, side, day: digests.post(project, side, day, publisher),
        leader=leader_for(container.db.engine),
        last_posted=digests.last_posted_date,
        daily_upkeep=digests.forget_old_messages,
    )
    scheduler.start()
    return scheduler


def _run(
    app: App, container: Container, settings: Settings, *, http: bool, host: str, port: int
) -> None:
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
