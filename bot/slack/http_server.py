"""HTTP mode: Starlette under uvicorn serving `POST /slack/events` and `GET /healthz`.

Bolt's own `app.start()` is a development server that drops connections under load
(design.md §8). Bolt's Starlette adapter calls the synchronous `App.dispatch` on the event loop,
which would stall every other request while one is acked, so dispatch runs in a worker thread.
"""

from __future__ import annotations

import socket
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

EVENTS_PATH = "/slack/events"


def create_web_app(app: App, health: Callable[[], dict[str, str]]) -> Starlette:
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        bolt_response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    async def healthz(_request: Request) -> Response:
        checks = await run_in_threadpool(health)
        ok = all(v == "ok" for v in checks.values())
        payload = {"status": "ok" if ok else "degraded", "version": bot.__version__, **checks}
        return JSONResponse(payload, status_code=200 if ok else 503)

    return Starlette(
        routes=[
            Route(EVENTS_PATH, slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


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
