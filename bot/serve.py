"""Starting the bot: the web side (Socket Mode or HTTP) and, unless `web_only`, the worker
processes that run the jobs it queues (`bot.jobs`)."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.container import Container, build_container
from bot.errors import ConfigError
from bot.jobs.processes import WorkerProcesses
from bot.jobs.queue import JobQueue, queue_url
from bot.jobs.runner import LedgerSender
from bot.ops.metrics import serve_metrics
from bot.settings import Settings
from bot.slack.app import Workspaces, create_app
from bot.slack.http_server import bind, create_web_app, make_server
from bot.storage.jobs import SqlJobLedger

log = logging.getLogger(__name__)


def serve(settings: Settings, *, http: bool, host: str, port: int, web_only: bool = False) -> None:
    container = build_container(settings)
    jobs = LedgerSender(SqlJobLedger(container.db), JobQueue(queue_url(settings)))
    try:
        app = create_app(
            settings,
            container.services,
            jobs,
            workspaces=workspaces_of(container),
            services_for=container.services_for,
        )
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
    workers = WorkerProcesses(
        0 if web_only else settings.workers, metrics_port=settings.metrics_port
    )
    workers.start()
    # Serving starts at once; what the web side still loads (Chroma and the embedding model,
    # for recording decisions) loads meanwhile, so the health check does not wait for it.
    threading.Thread(target=container.warm_up, name="warm-up", daemon=True).start()
    try:
        _run(app, container, settings, http=http, host=host, port=port)
    finally:
        workers.stop()


def workspaces_of(container: Container) -> Workspaces | None:
    """Several workspaces (APO_SLACK_OAUTH): the install flow and each one's use cases."""
    if container.installations is None:
        return None
    return Workspaces(container.services_for, container.installations(), container.workspaces())


def _run(
    app: App, container: Container, settings: Settings, *, http: bool, host: str, port: int
) -> None:
    if http:
        sock = bind(host, port)
        log.info("APO Bridge serving HTTP on %s:%s (POST /slack/events)", host, port)
        web_app = create_web_app(
            app, container.health, signing_secret=settings.require_signing_secret()
        )
        make_server(web_app, log_level=settings.log_level).run(sockets=[sock])
    else:
        from bot.slack.socket_mode import MeasuredSocketModeHandler

        # SIGTERM ends Socket Mode the way Ctrl-C does, so the worker processes are stopped.
        signal.signal(signal.SIGTERM, _exit)
        if settings.metrics_port is not None:  # no HTTP server of its own to add /metrics to
            serve_metrics(settings.metrics_port, container.health)
        log.info("APO Bridge connecting to Slack in Socket Mode")
        MeasuredSocketModeHandler(app, settings.require_app_token()).start()  # type: ignore[no-untyped-call]


def _exit(_signum: int, _frame: FrameType | None) -> None:
    sys.exit(0)
