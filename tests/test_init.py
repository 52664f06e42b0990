"""`apo init` driven through a pseudo-terminal, as a person would type it: the files it writes
pass `apo doctor`, and `apo serve --http` serves with them. Re-running it edits, not clobbers."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from bot.cli import main
from bot.doctor.slack_checks import needed_scopes
from tests.harness.fake_openai import FakeOpenAI
from tests.harness.fake_slack import FakeSlack
from tests.harness.waiting import wait_until

CONTRACT_PREFIXES = ("SLACK_", "OPENAI_", "APO_", "DATABASE_URL", "CHROMA_")
CHANNELS = [
    {"id": "C0TEAM", "name": "acme-dev", "is_member": True},
    {"id": "C0CLIENT", "name": "acme-client", "is_member": True},
    {"id": "C0RANDOM", "name": "random", "is_member": False},
]
MEMBERS = [
    {"id": "U0APO", "name": "kari", "real_name": "Kari Nordmann"},
    {"id": "U0PO", "name": "somchai", "real_name": "Somchai Jaidee"},
    {"id": "UBOT", "name": "apo", "real_name": "APO Bridge", "is_bot": True},
    {"id": "U0GONE", "name": "gone", "real_name": "Gone Person", "deleted": True},
]


class Terminal:
    """A child process on a pseudo-terminal: read until a text appears, type a line."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: becomes `apo init` on the terminal
            os.chdir(cwd)
            os.execve(sys.executable, argv, env)
        self.pid, self.fd = pid, fd
        self.seen = ""
        self._from = 0

    def expect(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.seen[self._from :]:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"never saw {text!r}; the terminal shows:\n{self.seen}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:  # the child closed the terminal
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"exited before {text!r}; it showed:\n{self.seen}")
                self.seen += chunk.decode(errors="replace").replace("\r\n", "\n")
        self._from = self.seen.index(text, self._from) + len(text)
        return self.seen

    def type(self, line: str) -> None:
        os.write(self.fd, line.encode() + b"\n")

    def exit_code(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                os.read(self.fd, 4096)  # drain, so the child never blocks on a full terminal
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
            select.select([self.fd], [], [], 0.1)
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError(f"apo init did not finish; it showed:\n{self.seen}")

    def close(self) -> None:
        os.close(self.fd)


@pytest.fixture
def workspace(fake_slack: FakeSlack, fake_openai: FakeOpenAI) -> FakeSlack:
    fake_slack.set_response("conversations.list", {"ok": True, "channels": CHANNELS})
    fake_slack.set_response("users.list", {"ok": True, "members": MEMBERS})
    fake_slack.grant_scopes(tuple(sorted(needed_scopes())))
    return fake_slack


@pytest.fixture
def env(tmp_path: Path, workspace: FakeSlack) -> Iterator[dict[str, str]]:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "glossary.md").write_text("# KID\n\nThe customer id on an invoice.\n")
    values = {k: v for k, v in os.environ.items() if not k.startswith(CONTRACT_PREFIXES)}
    values.update(
        SLACK_API_URL=workspace.url,  # where "Slack" is; everything else comes from apo init
        APO_EMBEDDINGS="openai:embed-test",
        APO_KNOWLEDGE_DIR=str(knowledge),
        APO_DOCTOR_TIMEOUT="30",  # a loaded test machine is slow, not broken
    )
    yield values


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_a_typed_session_writes_files_that_doctor_passes_and_serve_uses(
    tmp_path: Path, env: dict[str, str], workspace: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    workspace.fail_next("auth.test", status=200, error="invalid_auth")
    term = Terminal([sys.executable, "-m", "bot", "init"], env, tmp_path)
    try:
        term.expect("Bot token")
        term.type("xoxb-wrong")
        term.expect("Slack rejected this token (invalid_auth)")
        term.expect("Bot token")
        term.type("xoxb-test")
        term.expect("ok: apo in Test Team")
        term.expect("App-level token")
        term.type("")  # HTTP mode
        term.expect("Signing secret")
        term.type("s3cret")
        term.expect("server URL")
        term.type(fake_openai.url)
        term.expect("Enter if the server needs none")
        term.type("")
        term.expect("the server answers with 1 models")
        term.expect("Chat model [gpt-test]")
        term.type("gpt-nope")
        term.expect("The server has no gpt-nope; it has: gpt-test")
        term.type("")
        term.expect("Project key")
        term.type("acme")
        term.expect("Project name [Acme]")
        term.type("Acme Invoicing")
        shown = term.expect("Channel for the client")
        assert "#acme-client (C0CLIENT)" in shown and "#random (C0RANDOM)" in shown
        term.type("#acme-client")
        term.expect("Time zone (IANA name, e.g. Europe/Oslo or Asia/Bangkok) [Europe/Oslo]")
        term.type("")
        term.expect("Digest time (HH:MM, local) [08:30]")
        term.type("8:30")
        term.expect("Channel for the developers")
        term.type("acme-dev")
        term.expect("Time zone")
        term.type("Asia/Bankok")
        term.expect("'Asia/Bankok' is not a time zone")
        term.type("Asia/Bangkok")
        term.expect("Digest time")
        term.type("09:00")
        shown = term.expect("Reviewers (numbers, names or ids, comma-separated)")
        assert "Kari Nordmann (U0APO)" in shown
        assert "APO Bridge (UBOT)" not in shown and "Gone Person" not in shown
        term.type("Kari Nordmann, 2")
        term.expect("Index")
        term.type("")
        term.expect("indexed 1 sections from 1 files")
        term.expect("Done.")
        assert term.exit_code() == 0
    finally:
        term.close()
    assert "xoxb-test" not in term.seen and "s3cret" not in term.seen  # secrets are not echoed

    dotenv = (tmp_path / ".env").read_text()
    assert "SLACK_BOT_TOKEN=xoxb-test\n" in dotenv and "SLACK_SIGNING_SECRET=s3cret\n" in dotenv
    assert f"OPENAI_BASE_URL={fake_openai.url}\n" in dotenv and "APO_CHAT_MODEL=gpt-test" in dotenv
    assert "OPENAI_API_KEY" not in dotenv and "SLACK_APP_TOKEN" not in dotenv
    assert 'digest_time: "08:30"' in (tmp_path / "apo.yaml").read_text()
    [project] = yaml.safe_load((tmp_path / "apo.yaml").read_text())["projects"]
    assert project["reviewers"] == ["U0APO", "U0PO"]
    assert (project["client"]["channel"], project["team"]["channel"]) == ("C0CLIENT", "C0TEAM")

    doctor = subprocess.run(
        [sys.executable, "-m", "bot", "doctor"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr

    port = free_port()
    server = subprocess.Popen(
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
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def healthy() -> httpx.Response | None:
            assert server.poll() is None, f"apo serve exited with {server.returncode}"
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            except httpx.TransportError:
                return None

        assert wait_until(healthy, timeout=60, what="apo serve never answered").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_running_it_again_edits_and_keeps_the_rest(
    tmp_path: Path,
    env: dict[str, str],
    fake_openai: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in list(os.environ):
        if name.startswith(CONTRACT_PREFIXES):
            monkeypatch.delenv(name)
    for name, value in env.items():
        if name.startswith(CONTRACT_PREFIXES):
            monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    first = [
        "init", "--yes", "--no-index", "--bot-token", "xoxb-test", "--signing-secret", "s",
        "--base-url", fake_openai.url, "--model", "gpt-test", "--project", "acme",
        "--client-channel", "acme-client", "--client-timezone", "Europe/Oslo",
        "--team-channel", "C0TEAM", "--team-timezone", "Asia/Bangkok",
        "--reviewers", "Kari Nordmann",
    ]  # fmt: skip
    assert main(first) == 0, capsys.readouterr().err
    with (tmp_path / ".env").open("a") as dotenv:
        dotenv.write("# my own note\nAPO_LOG_LEVEL=DEBUG\n")

    assert main(["init", "--yes", "--no-index", "--team-time", "10:00"]) == 0
    err = capsys.readouterr().err

    assert "Traceback" not in err
    [project] = yaml.safe_load((tmp_path / "apo.yaml").read_text())["projects"]
    assert project["team"]["digest_time"] == "10:00"
    assert project["client"]["digest_time"] == "08:30"
    assert project["reviewers"] == ["U0APO"] and project["team"]["channel"] == "C0TEAM"
    dotenv_text = (tmp_path / ".env").read_text()
    assert "# my own note\nAPO_LOG_LEVEL=DEBUG" in dotenv_text
    assert "SLACK_BOT_TOKEN=xoxb-test" in dotenv_text

    missing = main(["init", "--yes", "--project", "Not A Key"])
    assert missing == 2
    assert "--project: Use lowercase letters" in capsys.readouterr().err
