"""The reference line for the ack benchmark: a minimal Bolt app whose listeners only ack and
call the model, served like the bot (Bolt's Starlette adapter under uvicorn, dispatch in a
worker thread, as bot/slack/http_server.py does).

    .venv/bin/python -m tests.bench.bolt_reference --port 3001   # serves until stopped

Its listener pool has a thread for every request of the largest burst, so an ack never queues
behind a model call (Bolt's default pool of 10 threads would turn most of a 50-request burst
into "didn't call ack()" 404s after 3 s): the line shows what Bolt, Starlette and uvicorn cost.

Reads SLACK_SIGNING_SECRET, SLACK_API_URL, OPENAI_API_KEY and OPENAI_BASE_URL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.bench.serving import (
    SIGNING_SECRET,
    Acks,
    BenchModel,
    bench_env,
    burst,
    served,
    settle,
)
from tests.bench.startup import free_port
from tests.harness.fake_slack import FakeSlack
from tests.harness.signer import SlackSigner

POOL = 200


def serve(port: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    import uvicorn
    from openai import OpenAI
    from slack_bolt import Ack, App
    from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
    from slack_sdk import WebClient
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    model = OpenAI(api_key=os.environ["OPENAI_API_KEY"], base_url=os.environ["OPENAI_BASE_URL"])
    app = App(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        client=WebClient(token="xoxb-reference", base_url=os.environ["SLACK_API_URL"]),
        token_verification_enabled=False,
        listener_executor=ThreadPoolExecutor(max_workers=POOL),
    )

    def ask_model(text: str) -> None:
        model.chat.completions.create(
            model="gpt-test", messages=[{"role": "user", "content": text}]
        )

    @app.command("/story")
    def story(ack: Ack, command: dict[str, Any]) -> None:
        ack()
        ask_model(command.get("text", ""))

    @app.event("app_mention")
    def on_mention(event: dict[str, Any]) -> None:
        ask_model(event.get("text", ""))

    async def events(request: Request) -> Response:
        body = await request.body()
        bolt_response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    web = Starlette(
        routes=[
            Route("/slack/events", events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
    uvicorn.run(web, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def reference_acks(sizes: Sequence[int], latency: float) -> dict[int, Acks]:
    """Ack latency of the minimal app for each burst size, under the bot's load mix."""
    from tests.bench.acks import load

    results = {}
    with (
        tempfile.TemporaryDirectory(prefix="apo-bench-bolt-") as folder,
        FakeSlack() as slack,
        BenchModel(latency) as model,
    ):
        tmp = Path(folder)
        env = bench_env(tmp, slack.url, model.url, f"sqlite:///{tmp / 'unused.db'}")
        port = free_port()
        command = [sys.executable, "-m", "tests.bench.bolt_reference", "--port", str(port)]
        env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
        with served(command, env, tmp, port) as server:
            signer = SlackSigner(server.events_url, SIGNING_SECRET)
            for size in sizes:
                settle(server.process.pid)
                requests = load(signer, size, slack.response_url("bench"), offset=size)
                results[size] = asyncio.run(burst(server.events_url, requests))
            signer.close()
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    serve(parser.parse_args(argv).port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
