"""`apo doctor`: each check against the fake Slack and model servers, with the failure injected.

Every test starts from a set-up that passes every check and breaks one thing.
"""

from __future__ import annotations

import io
import json
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.container import build_container
from bot.doctor import run_doctor
from bot.doctor.slack_checks import needed_scopes
from bot.settings import Settings
from tests.fixtures_db import copy_migrated_sqlite
from tests.harness.fake_openai import FakeOpenAI
from tests.harness.fake_slack import FakeSlack

PROJECT_YAML = """\
projects:
  - key: acme
    name: Acme Invoicing
    channels: [C0TEAM, C0CLIENT]
    reviewers: [U0APO]
    client:
      timezone: Europe/Oslo
      channel: C0CLIENT
      digest_time: "08:30"
    team:
      timezone: Asia/Bangkok
      channel: C0TEAM
"""
EMBEDDINGS = "openai:embed-test"
CONTRACT_PREFIXES = ("SLACK_", "OPENAI_", "APO_", "DATABASE_URL", "CHROMA_")


@dataclass(frozen=True)
class Healthy:
    """A projects file, a migrated database and an index with the acme knowledge in it."""

    config: Path
    database_url: str
    chroma: Path


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite_template: Path) -> Healthy:
    root = tmp_path_factory.mktemp("doctor")
    config = root / "apo.yaml"
    config.write_text(PROJECT_YAML, encoding="utf-8")
    url = f"sqlite:///{root / 'apo.db'}"
    copy_migrated_sqlite(migrated_sqlite_template, url)
    (root / "knowledge").mkdir()
    (root / "knowledge" / "decisions.md").write_text(
        "# Invoices\n\nInvoices are sent on the first working day of the month.\n",
        encoding="utf-8",
    )
    with FakeOpenAI() as model:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            OPENAI_API_KEY="sk-test",
            OPENAI_BASE_URL=model.url,
            APO_EMBEDDINGS=EMBEDDINGS,
            DATABASE_URL=url,
            CHROMA_PATH=str(root / "chroma"),
            APO_CONFIG=str(config),
        )
        build_container(settings).services.indexer.index_path(root / "knowledge", project="acme")
    return Healthy(config, url, root / "chroma")


@pytest.fixture(autouse=True)
def no_contract_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    import os

    for name in list(os.environ):
        if name.startswith(CONTRACT_PREFIXES):
            monkeypatch.delenv(name)
    yield


@pytest.fixture
def slack(fake_slack: FakeSlack) -> FakeSlack:
    fake_slack.grant_scopes(tuple(sorted(needed_scopes())))
    return fake_slack


def settings_for(healthy: Healthy, slack: FakeSlack, model: FakeOpenAI, **change: Any) -> Settings:
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_APP_TOKEN": "xapp-test",
        "SLACK_API_URL": slack.url,
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": model.url,
        "APO_CHAT_MODEL": "gpt-test",
        "APO_EMBEDDINGS": EMBEDDINGS,
        "DATABASE_URL": healthy.database_url,
        "CHROMA_PATH": str(healthy.chroma),
        "APO_CONFIG": str(healthy.config),
        "APO_DOCTOR_TIMEOUT": "30",  # a loaded test machine is slow, not broken
        **change,
    }
    return Settings(_env_file=None, **{k: v for k, v in values.items() if v is not None})  # type: ignore[call-arg]


def doctor(settings: Settings) -> tuple[int, str]:
    out = io.StringIO()
    code = run_doctor(settings, out=out)
    return code, out.getvalue()


def line(report: str, name: str) -> str:
    """The report's line for check `name`, with its fix line when there is one."""
    lines = report.splitlines()
    for n, text in enumerate(lines):
        if text[7:].startswith(f"{name}:"):
            follow = lines[n + 1] if n + 1 < len(lines) and lines[n + 1].startswith(" ") else ""
            return f"{text}\n{follow}".rstrip()
    raise AssertionError(f"no line for {name} in:\n{report}")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_everything_in_order_passes(
    healthy: Healthy, slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    code, report = doctor(settings_for(healthy, slack, fake_openai))

    assert code == 0, report
    for name in (
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
        assert line(report, name).startswith("[ok  ]"), report
    assert "acme/client next" in report and "Europe/Oslo" in report
    assert "acme/team next" in report and "Asia/Bangkok" in report
    assert report.endswith("All checks passed.\n")


def test_placeholders_from_env_example_are_named(
    healthy: Healthy, slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    settings = settings_for(
        healthy, slack, fake_openai, SLACK_BOT_TOKEN="xoxb-...", OPENAI_API_KEY="sk-..."
    )

    code, report = doctor(settings)

    assert code == 1
    assert "SLACK_BOT_TOKEN, OPENAI_API_KEY" in line(report, "settings")
    assert "fix:" in line(report, "settings")
    assert not slack.calls_to("auth.test")  # a placeholder is not sent to Slack


def test_unknown_slack_host_is_a_network_failure_not_a_bad_token(
    healthy: Healthy, fake_slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    settings = settings_for(
        healthy, fake_slack, fake_openai, SLACK_API_URL="http://slack.invalid/api/"
    )

    code, report = doctor(settings)

    assert code == 1
    slack_line = line(report, "slack")
    assert "cannot resolve slack.invalid" in slack_line
    assert "http://slack.invalid/api/auth.test" in slack_line
    assert "the token was not tried" in slack_line


def test_nothing_listening_is_told_apart_from_dns(
    healthy: Healthy, fake_slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/api/"

    _, report = doctor(settings_for(healthy, fake_slack, fake_openai, SLACK_API_URL=url))

    assert "nothing listens at 127.0.0.1" in line(report, "slack")


def test_rejected_token_says_where_to_get_a_good_one(
    healthy: Healthy, slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    slack.set_response("auth.test", {"ok": False, "error": "invalid_auth"})

    code, report = doctor(settings_for(healthy, slack, fake_openai))

    assert code == 1
    slack_line = line(report, "slack")
    assert "Slack rejected SLACK_BOT_TOKEN (invalid_auth)" in slack_line
    assert "OAuth & Permissions" in slack_line


def test_a_hanging_slack_is_given_up_on(
    healthy: Healthy, slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    slack.fail_next("auth.test", hang=10)

    code, report = doctor(settings_for(healthy, slack, fake_openai, APO_DOCTOR_TIMEOUT="1"))

    assert code == 1
    assert "no answer from 127.0.0.1" in line(report, "slack")


def test_missing_scopes_are_listed(
    healthy: Healthy, fake_slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    fake_slack.grant_scopes(("chat:write", "commands"))

    code, report = doctor(settings_for(healthy, fake_slack, fake_openai))

    assert code == 1
    scopes = line(report, "slack scopes")
    assert scopes.startswith("[FAIL]")
    assert "app_mentions:read" in scopes and "reactions:read" in scopes
    assert "chat:write" not in scopes.split("fix:")[0]
    assert "reinstall" in scopes


def test_channels_that_do_not_exist_or_lack_the_bot_are_named(
    healthy: Healthy, slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    def info(args: dict[str, Any]) -> dict[str, Any]:
        if args["channel"] == "C0TEAM":
            return {"ok": False, "error": "channel_not_found"}
        return {
            "ok": True,
            "channel": {"id": args["channel"], "name": "acme-client", "is_member": False},
        }

    slack.set_handler("conversations.info", info)

    code, report = doctor(settings_for(healthy, slack, fake_openai))

    assert code == 1
    channels = line(report, "channels")
    assert "not found: C0TEAM (acme: channel_not_found)" in channels
    assert "the bot is not in: #acme-client (C0CLIENT)" in channels
    assert "/invite" in channels


def test_unknown_reviewer_is_named(
    healthy: Healthy, slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    slack.set_response("users.info", {"ok": False, "error": "user_not_found"})

    code, report = doctor(settings_for(healthy, slack, fake_openai))

    assert code == 1
    assert "U0APO (acme: user_not_found)" in line(report, "reviewers")
    assert "Copy member ID" in line(report, "reviewers")


def test_unreachable_model_server_names_the_url(
    healthy: Healthy, slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"

    code, report = doctor(settings_for(healthy, slack, fake_openai, OPENAI_BASE_URL=url))

    assert code == 1
    assert "nothing listens at 127.0.0.1" in line(report, "language model")
    assert f"{url}/models" in line(report, "language model")


def test_rejected_model_key_is_not_called_unreachable(
    healthy: Healthy, slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    fake_openai.required_key = "sk-right"

    code, report = doctor(settings_for(healthy, slack, fake_openai, OPENAI_API_KEY="sk-wrong"))

    assert code == 1
    assert "rejected OPENAI_API_KEY (HTTP 401)" in line(report, "language model")


def test_unknown_model_name_lists_the_ones_there_are(
    healthy: Healthy, slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    code, report = doctor(settings_for(healthy, slack, fake_openai, APO_CHAT_MODEL="gpt-nope"))

    assert code == 1
    model = line(report, "language model")
    assert "no model gpt-nope" in model and "gpt-test" in model
    assert "APO_CHAT_MODEL" in model


def test_local_server_needs_no_key(
    healthy: Healthy, slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    code, report = doctor(settings_for(healthy, slack, fake_openai, OPENAI_API_KEY=None))

    assert code == 0, report
    assert "no key (local server)" in line(report, "language model")


def test_database_behind_the_code_says_apo_migrate(
    healthy: Healthy, slack: FakeSlack, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"

    code, report = doctor(settings_for(healthy, slack, fake_openai, DATABASE_URL=url))

    assert code == 1
    assert "schema at empty" in line(report, "database")
    assert "apo migrate" in line(report, "database")


def test_empty_index_fails_and_says_how_to_fill_it(
    healthy: Healthy, slack: FakeSlack, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    settings = settings_for(healthy, slack, fake_openai, CHROMA_PATH=str(tmp_path / "chroma"))

    code, report = doctor(settings)

    assert code == 1
    index = line(report, "retrieval index")
    assert "nothing indexed for acme" in index
    assert "apo index knowledge/" in index


def test_index_built_with_another_embedder_is_refused(
    healthy: Healthy, slack: FakeSlack, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    chroma = tmp_path / "chroma"
    shutil.copytree(healthy.chroma, chroma)
    settings = settings_for(
        healthy, slack, fake_openai, CHROMA_PATH=str(chroma), APO_EMBEDDINGS="openai:other"
    )

    code, report = doctor(settings)

    assert code == 1
    assert "built with embeddings" in line(report, "retrieval index")


def test_reviewers_unchecked_without_users_read_says_which_scope(
    healthy: Healthy, slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    slack.set_response("users.info", {"ok": False, "error": "missing_scope"})

    code, report = doctor(settings_for(healthy, slack, fake_openai))

    assert code == 1
    assert "lacks the users:read scope" in line(report, "reviewers")


def test_json_report_has_every_check_with_its_fix(
    healthy: Healthy, fake_slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    out = io.StringIO()
    settings = settings_for(healthy, fake_slack, fake_openai, APO_CHAT_MODEL="gpt-nope")

    code = run_doctor(settings, out=out, as_json=True)

    checks = {c["name"]: c for c in json.loads(out.getvalue())}
    assert code == 1
    assert (
        checks["language model"]["failed"] and "APO_CHAT_MODEL" in checks["language model"]["fix"]
    )
    assert checks["database"]["ok"] and not checks["database"]["failed"]
