"""`apo serve` in Socket Mode: the real process connects to a WebSocket server on loopback
(standing in for Slack's), receives a slash command envelope and acknowledges it."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.server import Server, ServerConnection, serve

from tests.harness.app_server import PROJECTS_YAML, TEAM_CHANNEL
from tests.harness.fake_slack import FakeSlack
from tests.harness.waiting import wait_until

COMMAND = {
    "token": "t",
    "team_id": "T0001",
    "team_domain": "test-team",
    "channel_id": TEAM_CHANNEL,
    "channel_name": "team",
    "user_id": "U0DEV",
    "user_name": "dev",
    "command": "/apo",
    "text": "help",
    "api_app_id": "A0001",
    "response_url": "https://hooks.invalid/r",
    "trigger_id": "1.2.3",
}


@pytest.fixture
def socket_server() -> Iterator[tuple[Server, queue.Queue[dict[str, Any]]]]:
    acks: queue.Queue[dict[str, Any]] = queue.Queue()

    def session(ws: ServerConnection) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1}))
        ws.send(
            json.dumps(
                {
                    "envelope_id": "env-1",
                    "type": "slash_commands",
                    "payload": COMMAND,
                    "accepts_response_payload": True,
                }
            )
        )
        for message in ws:
            acks.put(json.loads(message))

    server = serve(session, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server, acks
    finally:
        server.shutdown()


def test_socket_mode_receives_a_command_and_acks_it(
    tmp_path: Path, fake_slack: FakeSlack, socket_server: tuple[Server, queue.Queue[dict[str, Any]]]
) -> None:
    server, acks = socket_server
    port = server.socket.getsockname()[1]
    fake_slack.set_response("apps.connections.open", {"ok": True, "url": f"ws://127.0.0.1:{port}/"})
    (tmp_path / "apo.yaml").write_text(PROJECTS_YAML, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-test",
        SLACK_API_URL=fake_slack.url,
        APO_CONFIG=str(tmp_path / "apo.yaml"),
        APO_METRICS_PORT=str(metrics_port := _free_port()),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ack = acks.get(timeout=60)
        # Socket Mode has no HTTP port of its own: requests are counted on APO_METRICS_PORT.
        metrics = wait_until(
            lambda: _counted(f"http://127.0.0.1:{metrics_port}/metrics"),
            timeout=10,
            what="the Socket Mode request was never counted",
        )
    finally:
        process.terminate()
        # serve gives its worker child 10 s to finish running jobs before killing it
        _, stderr = process.communicate(timeout=45)

    assert ack["envelope_id"] == "env-1", stderr
    assert 'apo_slack_requests_total{kind="command",status="200"} 1.0' in metrics
    assert "/apo help" in json.dumps(ack["payload"]["blocks"])
    [opened] = fake_slack.calls_to("apps.connections.open")
    assert opened.token == "xapp-test"  # the app-level token opens the socket


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _counted(url: str) -> str | None:
    try:
        text = httpx.get(url, timeout=2).text
    except httpx.TransportError:
        return None
    return text if 'apo_slack_requests_total{kind="command"' in text else None
