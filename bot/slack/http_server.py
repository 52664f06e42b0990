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
import time
from collections.abc import Callable

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import bot

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
# Slack's payloads are a few kB; even a modal full of pasted notes stays far below this.
MAX_BODY_BYTES = 1024 * 1024


class BodyTooLarge(Exception):
    pass


def create_web_app(
    app: App, health: Callable[[], dict[str, str]], *, signing_secret: str
) -> Starlette:
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
        bolt_response = await run_in_threadpool(app.dispatch, bolt_request)
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

    routes = [
        Route(EVENTS_PATH, slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    if app.oauth_flow is not None:
        routes += [
            Route(app.oauth_flow.install_path, oauth_page, methods=["GET"]),
            Route(app.oauth_flow.redirect_uri_path, oauth_page, methods=["GET"]),
        ]
    return Starlette(routes=routes)


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
    config = uvicorn.Config(
        web_app, log_level=log_level.lower(), access_log=False, timeout_graceful_shutdown=10
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
