"""Socket Mode with the same measurements as HTTP mode: each request gets its correlation ids
and is counted, with the time to its ack, in the request metrics (`bot.ops`). Over HTTP the
server does this around `App.dispatch` (`bot.slack.http_server`); here there is no server of
ours, so Bolt's handler is extended at the one place a request passes through whole."""

from __future__ import annotations

import time
import uuid

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.ops import metrics
from bot.ops.logs import correlation
from bot.slack.middleware import request_kind


class MeasuredSocketModeHandler(SocketModeHandler):
    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:
        kind = request_kind(req.payload)
        started, wall = time.monotonic(), time.time()
        with correlation(request_id=uuid.uuid4().hex[:12], kind=kind):
            response = run_bolt_app(self.app, req)
            send_response(client, req, response, wall)
        metrics.request_answered(kind, response.status, time.monotonic() - started)
