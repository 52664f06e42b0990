"""Prometheus metrics: the one module that imports prometheus_client.

The rest of the bot records through the small functions below (names and labels are chosen
here, once), so services and adapters stay free of metric objects. Every process keeps its
own registry: the web side serves it at `GET /metrics` on its HTTP port, and `apo worker`
(and a Socket Mode web side) on `APO_METRICS_PORT` with `/healthz` beside it. The worker
children of `apo serve` use `APO_METRICS_PORT + 1 + N`, so each process is scraped on its own
port (no multiprocess files to clean up after a SIGKILL, and a dead process's counters do
not linger).

Labels are short, fixed words (a request kind, a job kind, a model use, an API method, an
error code), never ids or text, so the series stay few.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

log = logging.getLogger(__name__)
_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10)
_SLOW = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120)

REQUESTS = Counter(
    "apo_slack_requests", "Slack requests answered by the web side", ["kind", "status"]
)
ACK_SECONDS = Histogram(
    "apo_slack_ack_seconds",
    "From receiving a Slack request to answering it",
    ["kind"],
    buckets=_LATENCY,
)
JOBS_QUEUED = Counter("apo_jobs_queued", "Jobs recorded and sent to the queue", ["kind"])
JOBS_RUNNING = Gauge("apo_jobs_running", "Jobs running in this process", ["kind"])
JOBS_FINISHED = Counter("apo_jobs_finished", "Job attempts that ended", ["kind", "outcome"])
JOB_SECONDS = Histogram("apo_job_seconds", "Time a job attempt ran", ["kind"], buckets=_SLOW)
MODEL_CALLS = Counter("apo_model_calls", "Chat model calls", ["use", "outcome"])
MODEL_TOKENS = Counter("apo_model_tokens", "Chat model tokens", ["use", "direction"])
MODEL_SECONDS = Histogram("apo_model_seconds", "Chat model call latency", ["use"], buckets=_SLOW)
RETRIEVAL_SECONDS = Histogram(
    "apo_retrieval_seconds", "Hybrid search latency (vectors and keywords)", buckets=_LATENCY
)
DIGESTS_POSTED = Counter("apo_digests_posted", "Digests posted to Slack", ["side"])
SLACK_API_ERRORS = Counter(
    "apo_slack_api_errors", "Slack Web API calls that failed", ["method", "error"]
)
SCHEDULER_LEADER = Gauge(
    "apo_digest_scheduler_leader", "1 while this process schedules the digests"
)


def request_answered(kind: str, status: int, seconds: float) -> None:
    REQUESTS.labels(kind, str(status)).inc()
    ACK_SECONDS.labels(kind).observe(seconds)


def job_queued(kind: str) -> None:
    JOBS_QUEUED.labels(kind).inc()


def job_started(kind: str) -> None:
    JOBS_RUNNING.labels(kind).inc()


def job_ended(kind: str, outcome: str, seconds: float) -> None:
    """`outcome`: done, retry or failed."""
    JOBS_RUNNING.labels(kind).dec()
    JOBS_FINISHED.labels(kind, outcome).inc()
    JOB_SECONDS.labels(kind).observe(seconds)


def model_called(
    use: str, *, ok: bool, prompt_tokens: int, completion_tokens: int, seconds: float
) -> None:
    MODEL_CALLS.labels(use, "ok" if ok else "error").inc()
    MODEL_TOKENS.labels(use, "prompt").inc(prompt_tokens)
    MODEL_TOKENS.labels(use, "completion").inc(completion_tokens)
    MODEL_SECONDS.labels(use).observe(seconds)


def retrieval_took(seconds: float) -> None:
    RETRIEVAL_SECONDS.observe(seconds)


def digest_posted(side: str) -> None:
    DIGESTS_POSTED.labels(side).inc()


def slack_api_failed(method: str, error: str) -> None:
    SLACK_API_ERRORS.labels(method, error).inc()


def scheduler_leader(leading: bool) -> None:
    SCHEDULER_LEADER.set(1 if leading else 0)


def exposition() -> tuple[bytes, str]:
    """This process's metrics in Prometheus's text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # scrapes are not news
        return None


class MetricsServer:
    """`/metrics` and `/healthz` served from a background thread."""

    def __init__(self, server: _Server) -> None:
        self._server = server
        self.port: int = server.server_address[1]
        threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def serve_metrics(
    port: int, health: Callable[[], dict[str, str]], *, host: str = "0.0.0.0"
) -> MetricsServer:
    """`/metrics` and `/healthz` on `port` (0: any free port) in a background thread."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            body, content_type = exposition()
            start_response("200 OK", [("Content-Type", content_type)])
            return [body]
        if path == "/healthz":
            checks = health()
            ok = all(v == "ok" for v in checks.values())
            status = "200 OK" if ok else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json")])
            return [json.dumps({"status": "ok" if ok else "degraded", **checks}).encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]

    served = MetricsServer(
        make_server(host, port, app, server_class=_Server, handler_class=_QuietHandler)
    )
    log.info("serving /metrics and /healthz on port %s", served.port)
    return served
