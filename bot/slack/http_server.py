"""HTTP mode: Starlette under uvicorn serving `POST /slack/events` and `GET /healthz`.

Bolt's own `app.start()` is a development server that drops connections under load
(design.md §8). Bolt's Starlette adapter calls the synchronous `App.dispatch` on the event loop,
which would stall every other request while one is acked, so dispatch runs in a worker thread.

Two things fail before Bolt's own checks and error handler get a say, so they are handled here:
a body too large to be Slack's (refused before it is read whole) and a body Bolt cannot parse
(not UTF-8, a `payload=` that is not JSON, an `event` that is not an object): Bolt raises on
those while building the request or inside its own error handling, which would be a 500.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import bot
from bot.ops import metrics
from bot.ops.logs import correlation
from bot.slack.middleware import request_kind

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
# Slack's payloads are a few kB; even a modal full of pasted notes stays far below this.
MAX_BODY_BYTES = 1024 * 1024


class BodyTooLarge(Exception):
    pass


def create_web_app(
    app: App, health: Callable[[], dict[str, str]], *, signing_secret: str
) -> Starlette:
    unknown = _UnknownKinds()
    app.logger.addFilter(_not_unhandled)  # Bolt warns per request; `unknown` logs once

    async def slack_events(request: Request) -> Response:
        try:
            body = await _read_body(request, MAX_BODY_BYTES)
        except BodyTooLarge:
            log.warning("refused a request body over %d bytes", MAX_BODY_BYTES)
            return Response(status_code=413)
        try:
            bolt_request = to_bolt_request(request, body)
            problem = _shape_problem(bolt_request.body)
        except (ValueError, TypeError, AttributeError) as error:
            problem = type(error).__name__
        if problem:
            # Unsigned senders learn nothing more than Bolt would tell them.
            if not _signed(request, body, signing_secret):
                return Response(status_code=401)
            log.warning("refused a signed request Bolt cannot parse: %s", problem)
            return Response(status_code=400)
        kind = request_kind(bolt_request.body)
        started = time.monotonic()
        with correlation(request_id=uuid.uuid4().hex[:12], kind=kind):
            bolt_response = await run_in_threadpool(app.dispatch, bolt_request)
        metrics.request_answered(kind, bolt_response.status, time.monotonic() - started)
        if bolt_response.status == 404 and bolt_request.body:
            # A payload type or callback this app has no listener for (a new Slack feature, a
            # manifest ahead of the code): acknowledged, so Slack neither retries it nor
            # shows the user an error, and logged once per kind rather than per request.
            unknown.note(_kind_of(bolt_request.body))
            return Response(status_code=200)
        return to_starlette_response(bolt_response)

    async def oauth_page(request: Request) -> Response:
        # Bolt's OAuth flow: the install start and Slack's redirect back (several workspaces).
        flow = app.oauth_flow
        assert flow is not None
        bolt_request = to_bolt_request(request, b"")
        if request.url.path == flow.install_path:
            bolt_response = await run_in_threadpool(flow.handle_installation, bolt_request)
        else:
            bolt_response = await run_in_threadpool(flow.handle_callback, bolt_request)
        return to_starlette_response(bolt_response)

    async def healthz(_request: Request) -> Response:
        checks = await run_in_threadpool(health)
        ok = all(v == "ok" for v in checks.values())
        payload = {"status": "ok" if ok else "degraded", "version": bot.__version__, **checks}
        return JSONResponse(payload, status_code=200 if ok else 503)

    async def metrics_endpoint(_request: Request) -> Response:
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    routes = [
        Route(EVENTS_PATH, slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]
    if app.oauth_flow is not None:
        routes += [
            Route(app.oauth_flow.install_path, oauth_page, methods=["GET"]),
            Route(app.oauth_flow.redirect_uri_path, oauth_page, methods=["GET"]),
        ]
    return Starlette(routes=routes)


class _UnknownKinds:
    """The kinds of request no listener handles, each logged the first time it is seen."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def note(self, kind: str) -> None:
        with self._lock:
            if kind in self._seen or len(self._seen) > 1000:
                return
            self._seen.add(kind)
        log.warning("acknowledged a Slack request no listener handles: %s (logged once)", kind)


def _kind_of(body: dict[str, Any]) -> str:
    """The request's type and name (event type, callback or action id): never its text."""
    parts = [str(body.get("type") or body.get("command") or "?")]
    event = body.get("event")
    if isinstance(event, dict):
        parts.append(str(event.get("type")))
    for key in ("callback_id", "command"):
        if isinstance(body.get(key), str):
            parts.append(str(body[key]))
    view = body.get("view")
    if isinstance(view, dict) and isinstance(view.get("callback_id"), str):
        parts.append(str(view["callback_id"]))
    actions = body.get("actions")
    if isinstance(actions, list) and actions and isinstance(actions[0], dict):
        parts.append(str(actions[0].get("action_id")))
    return " ".join(dict.fromkeys(p[:100] for p in parts))


def _not_unhandled(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("Unhandled request")


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, or `BodyTooLarge` as soon as it is known to be over `limit` bytes: from
    `Content-Length` when the sender gives one, else (chunked) while it streams in."""
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _shape_problem(body: object) -> str | None:
    """What Bolt itself would crash on, even inside its error handling."""
    if not isinstance(body, dict):
        return "not a JSON object"
    if "event" in body and not isinstance(body["event"], dict):
        return "event is not an object"
    view = body.get("view")
    if "view" in body and not (isinstance(view, dict) and isinstance(view.get("type"), str)):
        return "view is not an object with a type"  # Bolt's workflow-step check reads it
    return None


def _signed(request: Request, body: bytes, signing_secret: str) -> bool:
    """Slack's v0 signature over the raw bytes (slack_sdk's verifier decodes them as UTF-8
    first, which is exactly what fails here), within Bolt's five minutes."""
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 5 * 60:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode())


def make_server(web_app: Starlette, *, log_level: str = "info") -> uvicorn.Server:
    # log_config=None: uvicorn's lines go through the bot's handler (format, redaction).
    config = uvicorn.Config(
        web_app,
        log_level=log_level.lower(),
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )
    return uvicorn.Server(config)


def bind(host: str, port: int) -> socket.socket:
    """Bind before serving so that port 0 (tests) yields a known, already-open port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock
