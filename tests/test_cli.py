"""The `apo` command as a person runs it: a real process, real environment variables."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bot.container import build_container
from bot.doctor.slack_checks import needed_scopes
from bot.settings import Settings
from tests.fixtures_db import copy_migrated_sqlite
from tests.harness.app_server import PROJECTS_YAML
from tests.harness.fake_openai import FakeOpenAI
from tests.harness.fake_slack import FakeSlack
from tests.harness.waiting import wait_until

CONTRACT_NAMES = (
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_URL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "DATABASE_URL",
    "CHROMA_PATH",
    "CHROMA_URL",
    "APO_CONFIG",
)


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CONTRACT_NAMES}
    env.update(values)
    return env


def apo(
    *args: str, cwd: Path, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# Seconds of imports each; a command that only prints help must load none of them.
HEAVY_LIBRARIES = ("chromadb", "langchain", "wordllama", "openai")


@pytest.mark.parametrize("args", [("--help",), ("search", "--help"), ("serve", "--help")])
def test_help_imports_no_heavy_library(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", *args],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "usage: apo" in result.stdout
    imported = {
        match.group(1).split(".")[0]
        for match in re.finditer(r"^import time:[^|]*\|[^|]*\| +(\S+)$", result.stderr, re.M)
    }
    assert "argparse" in imported  # the trace was read
    assert sorted(m for m in imported if m.startswith(HEAVY_LIBRARIES)) == []


def test_serve_without_credentials_names_them_and_exits(tmp_path: Path) -> None:
    result = apo("serve", cwd=tmp_path, env=clean_env())

    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "SLACK_APP_TOKEN" in result.stderr
    assert "api.slack.com/apps" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_http_without_signing_secret_says_so(tmp_path: Path) -> None:
    result = apo("serve", "--http", cwd=tmp_path, env=clean_env(SLACK_BOT_TOKEN="xoxb-1"))

    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_creates_the_database(tmp_path: Path) -> None:
    result = apo("migrate", cwd=tmp_path, env=clean_env())

    assert result.returncode == 0, result.stderr
    assert "revision" in result.stdout
    assert (tmp_path / "data" / "apo.db").exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _env_for_fakes(
    tmp_path: Path, slack: FakeSlack, openai: FakeOpenAI, **extra: str
) -> dict[str, str]:
    (tmp_path / "apo.yaml").write_text(PROJECTS_YAML, encoding="utf-8")
    return clean_env(
        **extra,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL=slack.url,
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=openai.url,
        APO_CHAT_MODEL="gpt-test",
    )


def test_serve_http_with_credentials_serves(
    tmp_path: Path, fake_slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    port = _free_port()
    env = _env_for_fakes(tmp_path, fake_slack, fake_openai)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--http",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def answered() -> httpx.Response | None:
            if process.poll() is not None:
                raise AssertionError(f"the server exited with {process.returncode}")
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            except httpx.TransportError:
                return None

        health = wait_until(answered, timeout=60, what="the server never answered", interval=0.05)
        assert health.status_code == 200
        assert health.json()["status"] == "ok"
        assert fake_slack.calls_to("auth.test"), "the token was not checked with auth.test"
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_doctor_reports_every_part(
    tmp_path: Path, fake_slack: FakeSlack, fake_openai: FakeOpenAI, migrated_sqlite_template: Path
) -> None:
    env = _env_for_fakes(
        tmp_path,
        fake_slack,
        fake_openai,
        APO_EMBEDDINGS="openai:embed-test",
        APO_DOCTOR_TIMEOUT="30",  # a loaded test machine is slow, not broken
    )
    # What `apo migrate` leaves (test_migrate_creates_the_database), without a second process.
    url = f"sqlite:///{tmp_path / 'data' / 'apo.db'}"
    copy_migrated_sqlite(migrated_sqlite_template, url)
    # What `apo index` leaves, in this process (its own test is in test_knowledge_cli.py).
    (tmp_path / "decisions.md").write_text("# Invoices\n\nSent monthly.\n", encoding="utf-8")
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        **{k: v for k, v in env.items() if k.startswith(("OPENAI_", "APO_EMBEDDINGS"))},
        DATABASE_URL=url,
        CHROMA_PATH=str(tmp_path / "data" / "chroma"),
        APO_CONFIG=str(tmp_path / "apo.yaml"),
    )
    indexer = build_container(settings).services.indexer
    for project in ("acme", "globex"):
        indexer.index_path(tmp_path / "decisions.md", project=project)
    fake_slack.grant_scopes(tuple(needed_scopes()))

    result = apo("doctor", cwd=tmp_path, env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    for part in (
        "settings",
        "projects file",
        "digests",
        "slack",
        "slack scopes",
        "channels",
        "reviewers",
        "database",
        "retrieval index",
        "language model",
    ):
        assert f"[ok  ] {part}" in result.stdout, result.stdout


def test_doctor_says_what_to_fix(tmp_path: Path) -> None:
    result = apo("doctor", cwd=tmp_path, env=clean_env(SLACK_API_URL="http://127.0.0.1:9/api/"))

    assert result.returncode == 1
    assert "apo.example.yaml" in result.stdout  # how to create the projects file
    assert "SLACK_BOT_TOKEN is not set" in result.stdout
    assert "apo migrate" in result.stdout  # empty database
    assert "OPENAI_API_KEY is not set" in result.stdout
    assert "apo index knowledge/" in result.stdout  # empty index
